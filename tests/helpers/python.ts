/**
 * The Python interpreters of the interop tests (made by scripts/setup-python.sh):
 * - PYTHON: .venv-axopy, the real axopy==0.2.3 with the pandas/numpy/h5py it runs with
 *   (pandas 1.5, numpy 1.24): the reference for files Python AxoPy writes and reads;
 * - CURRENT_PYTHON: .venv, the current pandas/h5py/numpy/scipy releases (and JupyterLab).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The repository root: the nearest folder above this file that holds python-env/. */
export const REPO_ROOT = (() => {
  let dir = resolve(__dirname);
  while (!existsSync(join(dir, 'python-env')) && dirname(dir) !== dir) {
    dir = dirname(dir);
  }
  return dir;
})();

export const PYTHON = join(REPO_ROOT, '.venv-axopy', 'bin', 'python');
export const CURRENT_PYTHON = join(REPO_ROOT, '.venv', 'bin', 'python');

// AxoPy imports Qt through its package __init__; there is no display in tests.
process.env.QT_QPA_PLATFORM ??= 'offscreen';

/** Runs `code` with `args` as sys.argv[1:] and returns its stdout parsed as JSON. */
export function runPythonJson<T = unknown>(code: string, args: string[] = [], input?: string, python = PYTHON): T {
  const stdout = execFileSync(python, ['-c', code, ...args], {
    encoding: 'utf8',
    input,
    maxBuffer: 256 * 1024 * 1024
  });
  return JSON.parse(stdout) as T;
}

/** Runs `code` with `args` and returns its stdout as text. */
export function runPython(code: string, args: string[] = [], python = PYTHON): string {
  return execFileSync(python, ['-c', code, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

/** A fresh temporary folder, removed by the returned cleanup. */
export function makeTempDir(prefix = 'axopy-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
