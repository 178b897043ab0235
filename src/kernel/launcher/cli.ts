#!/usr/bin/env node
/**
 * `jupyterlab-axopy install-kernel [--user | --sys-prefix | --prefix DIR] [--python PY]`:
 * registers the "TypeScript (AxoPy)" kernel (name axopy-tslab) with Jupyter, the way
 * `tslab install` does: a kernelspec whose command is this Node and this package's launcher,
 * installed by `<python> -m jupyter kernelspec install`, so it lands where that Jupyter looks
 * (`--user`: the user's data folder, the default; `--sys-prefix`: the Python environment of
 * `--python`; `--prefix DIR`: DIR/share/jupyter).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const KERNEL_NAME = 'axopy-tslab';
export const KERNEL_DISPLAY_NAME = 'TypeScript (AxoPy)';

const USAGE = `usage: jupyterlab-axopy install-kernel [--user | --sys-prefix | --prefix DIR] [--python PY]

Registers the "${KERNEL_DISPLAY_NAME}" Jupyter kernel (${KERNEL_NAME}).
  --user         in the user's Jupyter data folder (default)
  --sys-prefix   in the Python environment of --python (e.g. a venv's python)
  --prefix DIR   in DIR/share/jupyter (run Jupyter with JUPYTER_PATH=DIR/share/jupyter)
  --python PY    the Python whose Jupyter installs it (default: python3 on PATH)`;

export interface IInstallKernelOptions {
  where: { kind: 'user' } | { kind: 'sys-prefix' } | { kind: 'prefix'; dir: string };
  python: string;
}

/** Parses `install-kernel` arguments; throws an Error carrying the usage on a bad one. */
export function parseInstallKernelArgs(args: readonly string[]): IInstallKernelOptions {
  const options: IInstallKernelOptions = { where: { kind: 'user' }, python: 'python3' };
  let placed = false;
  const place = (where: IInstallKernelOptions['where']) => {
    if (placed) throw new Error(`choose one of --user, --sys-prefix, --prefix\n${USAGE}`);
    placed = true;
    options.where = where;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = () => {
      const next = args[++i];
      if (next === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return next;
    };
    if (arg === '--user') place({ kind: 'user' });
    else if (arg === '--sys-prefix') place({ kind: 'sys-prefix' });
    else if (arg === '--prefix') place({ kind: 'prefix', dir: path.resolve(value()) });
    else if (arg === '--python') options.python = value();
    else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  return options;
}

/** The kernelspec: this Node running the launcher beside this file, in the notebook's folder. */
export function kernelSpec(nodeBinary: string, launcher: string): Record<string, unknown> {
  return {
    argv: [nodeBinary, launcher, '--config-path', '{connection_file}'],
    display_name: KERNEL_DISPLAY_NAME,
    language: 'typescript',
    metadata: { debugger: false }
  };
}

/** Installs the kernelspec with Jupyter; returns the folder Jupyter reports. */
export function installKernel(options: IInstallKernelOptions): string {
  const launcher = path.join(__dirname, 'tslab-kernel.js');
  if (!fs.existsSync(launcher)) {
    throw new Error(`${launcher} is missing: build the package first (npm run build)`);
  }
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'axopy-kernelspec-'));
  try {
    const specDir = path.join(staging, KERNEL_NAME);
    fs.mkdirSync(specDir);
    const spec = kernelSpec(process.execPath, launcher);
    fs.writeFileSync(path.join(specDir, 'kernel.json'), JSON.stringify(spec, null, 2) + '\n');
    const where =
      options.where.kind === 'user'
        ? ['--user']
        : options.where.kind === 'sys-prefix'
          ? ['--sys-prefix']
          : ['--prefix', options.where.dir];
    const args = ['-m', 'jupyter', 'kernelspec', 'install', specDir, '--name', KERNEL_NAME, '--replace', ...where];
    try {
      // Jupyter prints the installed folder on stderr ("Installed kernelspec x in DIR").
      execFileSync(options.python, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      throw new Error(`${options.python} -m jupyter kernelspec install failed: ${stderr.trim() || String(error)}`, {
        cause: error
      });
    }
    const listing = execFileSync(options.python, ['-m', 'jupyter', 'kernelspec', 'list', '--json'], {
      encoding: 'utf8',
      env:
        options.where.kind === 'prefix'
          ? { ...process.env, JUPYTER_PATH: jupyterPathFor(options.where.dir) }
          : process.env
    });
    const found = (JSON.parse(listing) as { kernelspecs: Record<string, { resource_dir: string }> }).kernelspecs[
      KERNEL_NAME
    ];
    return found?.resource_dir ?? specDir;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** JUPYTER_PATH value under which a `--prefix DIR` install is found. */
export function jupyterPathFor(prefix: string): string {
  return [path.join(prefix, 'share', 'jupyter'), process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter);
}

function main(argv: readonly string[]): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help') {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command !== 'install-kernel') {
    console.error(`jupyterlab-axopy: unknown command ${command}\n${USAGE}`);
    return 2;
  }
  try {
    const options = parseInstallKernelArgs(rest);
    const folder = installKernel(options);
    console.log(`Installed the "${KERNEL_DISPLAY_NAME}" kernel (${KERNEL_NAME}) in ${folder}`);
    if (options.where.kind === 'prefix') {
      console.log(`Run Jupyter with JUPYTER_PATH=${path.join(options.where.dir, 'share', 'jupyter')} to see it.`);
    }
    return 0;
  } catch (error) {
    console.error(`jupyterlab-axopy: ${(error as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
