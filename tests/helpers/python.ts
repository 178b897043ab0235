/** Runs Python snippets with Debian's python3 (h5py, pandas, numpy) for interop tests. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PYTHON = '/usr/bin/python3';

/** Runs `code` with `args` as sys.argv[1:] and returns its stdout parsed as JSON. */
export function runPythonJson<T = unknown>(code: string, args: string[] = [], input?: string): T {
  const stdout = execFileSync(PYTHON, ['-c', code, ...args], {
    encoding: 'utf8',
    input,
    maxBuffer: 256 * 1024 * 1024
  });
  return JSON.parse(stdout) as T;
}

/** Runs `code` with `args` and returns its stdout as text. */
export function runPython(code: string, args: string[] = []): string {
  return execFileSync(PYTHON, ['-c', code, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

/** A fresh temporary folder, removed by the returned cleanup. */
export function makeTempDir(prefix = 'axopy-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
