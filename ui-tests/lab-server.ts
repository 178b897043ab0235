/**
 * Starts and stops `jupyter lab` from the project venv (.venv, JupyterLab from PyPI, with the
 * jupyterlab-axopy wheel installed by scripts/test.sh) for tests and benchmarks, configured by
 * ui-tests/jupyter_server_test_config.py (galata's standard test configuration).
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The repository root: this file lives in <root>/ui-tests, or in <root>/build/ui-tests when
 * compiled for a benchmark (benchmarks/previews.ts), so look upwards for the venv's folder.
 */
export const repoRoot = (() => {
  let dir = path.resolve(__dirname, '..');
  while (!fs.existsSync(path.join(dir, 'python-env')) && path.dirname(dir) !== dir) {
    dir = path.dirname(dir);
  }
  return dir;
})();

const testConfig = path.join(repoRoot, 'ui-tests', 'jupyter_server_test_config.py');

export interface ILabServerOptions {
  /** Folder the server serves as its root (the file browser's top). */
  rootDir: string;
  /** Token required by the server; '' turns authentication off (what galata expects). */
  token: string;
  /** Scratch folder for the server's config, runtime files, settings and workspaces. */
  stateDir: string;
  /** Front-end extensions to disable (page config). */
  disabledExtensions?: string[];
  /**
   * The venv whose `jupyter lab` runs: `.venv` (the product's, default) or `.venv-peers` (the
   * same JupyterLab with the side-by-side benchmarks' peers, jupyterlab-h5web and
   * jupyter-archive, beside jupyterlab-axopy; made by `bash scripts/setup-python.sh --peers`).
   */
  venv?: '.venv' | '.venv-peers';
  /**
   * Turns the jupyterlab_axopy server extension off (as in a JupyterLab where only the
   * labextension is installed): the export then takes its browser path.
   */
  withoutServerExtension?: boolean;
}

export interface ILabServer {
  /** Base URL without trailing slash, e.g. http://127.0.0.1:41234 */
  url: string;
  token: string;
  /** Stops the server and waits for it to exit. */
  stop(): Promise<void>;
}

/** Whether the jupyterlab-axopy extension is installed in the venv's JupyterLab. */
export function axopyExtensionInstalled(): boolean {
  return fs.existsSync(
    path.join(repoRoot, '.venv', 'share', 'jupyter', 'labextensions', 'jupyterlab-axopy', 'package.json')
  );
}

/** The pid of the Jupyter server listening on `port` (its command line names the port). */
export function labServerPid(port: string): number {
  for (const entry of fs.readdirSync('/proc').filter(name => /^\d+$/.test(name))) {
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(`--port=${port}`)) return Number(entry);
    } catch {
      // Gone meanwhile.
    }
  }
  throw new Error(`no server process listens on port ${port}`);
}

/** A process's resident memory (VmRSS), in bytes. */
export function residentBytes(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function waitUntilServing(url: string, server: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) {
      throw new Error(`JupyterLab server exited with code ${server.exitCode}:\n${log()}`);
    }
    try {
      const response = await fetch(`${url}/api/status`);
      if (response.status < 500) {
        return;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise(resolve => setTimeout(resolve, 200));
  }
  throw new Error(`JupyterLab server did not answer at ${url} within 60 s:\n${log()}`);
}

/** Starts a server on a free port of 127.0.0.1 and resolves once it answers HTTP. */
export async function startLabServer(options: ILabServerOptions): Promise<ILabServer> {
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const configDir = path.join(options.stateDir, 'config');
  fs.mkdirSync(path.join(configDir, 'labconfig'), { recursive: true });
  const disabled = Object.fromEntries((options.disabledExtensions ?? []).map(name => [name, true]));
  const venvBin = path.join(repoRoot, options.venv ?? '.venv', 'bin');
  fs.writeFileSync(
    path.join(configDir, 'labconfig', 'page_config.json'),
    JSON.stringify({ disabledExtensions: disabled })
  );
  const args = [
    'lab',
    `--config=${testConfig}`,
    '--no-browser',
    '--ip=127.0.0.1',
    `--port=${port}`,
    '--port-retries=0',
    `--ServerApp.root_dir=${options.rootDir}`,
    `--IdentityProvider.token=${options.token}`,
    `--LabApp.user_settings_dir=${path.join(options.stateDir, 'user-settings')}`,
    `--LabApp.workspaces_dir=${path.join(options.stateDir, 'workspaces')}`
  ];
  // galata posts to the server without an XSRF cookie; a server with a token keeps the check.
  args.push(`--ServerApp.disable_check_xsrf=${options.token === '' ? 'True' : 'False'}`);
  if (options.withoutServerExtension) {
    // traitlets reads a Dict from the command line as key=value (a JSON object is refused); the
    // other extensions enabled by jupyter_server_config.d stay on.
    args.push('--ServerApp.jpserver_extensions=jupyterlab_axopy=False');
  }
  if (process.getuid?.() === 0) {
    args.push('--allow-root');
  }
  const server = spawn(path.join(venvBin, 'jupyter'), args, {
    cwd: options.rootDir,
    env: {
      ...process.env,
      PATH: `${venvBin}${path.delimiter}${process.env.PATH ?? ''}`,
      JUPYTER_CONFIG_DIR: configDir,
      JUPYTER_RUNTIME_DIR: path.join(options.stateDir, 'runtime')
    },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  server.stdout!.on('data', keep);
  server.stderr!.on('data', keep);
  const exited = new Promise<void>(resolve => server.once('exit', () => resolve()));
  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGTERM');
      const killTimer = setTimeout(() => server.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killTimer);
    }
  };
  try {
    await waitUntilServing(url, server, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, token: options.token, stop };
}

/** A fresh temporary folder holding `root/` (served) and `state/` (server files). */
export function makeServerFolders(prefix: string): { base: string; rootDir: string; stateDir: string } {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const rootDir = path.join(base, 'root');
  const stateDir = path.join(base, 'state');
  fs.mkdirSync(rootDir);
  fs.mkdirSync(stateDir);
  return { base, rootDir, stateDir };
}
