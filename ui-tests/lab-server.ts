/**
 * Starts and stops the project's JupyterLab server (app/server/axopy_lab_server.py) for tests.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The repository root: this file lives in <root>/ui-tests, or in <root>/build/ui-tests when
 * compiled for a benchmark (benchmarks/previews.ts), so look upwards for the server script.
 */
export const repoRoot = (() => {
  let dir = path.resolve(__dirname, '..');
  while (!fs.existsSync(path.join(dir, 'app', 'server', 'axopy_lab_server.py')) && path.dirname(dir) !== dir) {
    dir = path.dirname(dir);
  }
  return dir;
})();

/** Built prebuilt-extension folders the test server can load. */
export const galataExtensionDir = path.join(repoRoot, 'ui-tests', 'build', 'galata-extension');
export const axopyExtensionDir = path.join(repoRoot, 'labextension');

export interface ILabServerOptions {
  /** Folder the server serves as its root (the file browser's top). */
  rootDir: string;
  /** Token required by the server; '' turns authentication off (what galata expects). */
  token: string;
  /** Built labextension folders to load as federated extensions. */
  labextensionDirs: string[];
  /** Scratch folder for the server's config, runtime files, settings and workspaces. */
  stateDir: string;
}

export interface ILabServer {
  /** Base URL without trailing slash, e.g. http://127.0.0.1:41234 */
  url: string;
  token: string;
  /** Stops the server and waits for it to exit. */
  stop(): Promise<void>;
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
  const args = [
    path.join(repoRoot, 'app', 'server', 'axopy_lab_server.py'),
    '--no-browser',
    '--ip=127.0.0.1',
    `--port=${port}`,
    '--port-retries=0',
    `--ServerApp.root_dir=${options.rootDir}`,
    `--ServerApp.token=${options.token}`,
    `--AxopyLabApp.user_settings_dir=${path.join(options.stateDir, 'user-settings')}`,
    `--AxopyLabApp.workspaces_dir=${path.join(options.stateDir, 'workspaces')}`,
    ...options.labextensionDirs.map(dir => `--AxopyLabApp.labextension_dirs=${dir}`)
  ];
  if (options.token === '') {
    // galata posts to the server without an XSRF cookie.
    args.push('--ServerApp.disable_check_xsrf=True');
  }
  if (process.getuid?.() === 0) {
    args.push('--allow-root');
  }
  const jupyterPath = [path.join(repoRoot, '.jupyter-prefix', 'share', 'jupyter'), process.env.JUPYTER_PATH]
    .filter(Boolean)
    .join(path.delimiter);
  const server = spawn('/usr/bin/python3', args, {
    cwd: options.rootDir,
    env: {
      ...process.env,
      JUPYTER_PATH: jupyterPath,
      JUPYTER_CONFIG_DIR: path.join(options.stateDir, 'config'),
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
