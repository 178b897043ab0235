/**
 * What the two export specs share (export.spec.ts: the browser path; export-server.spec.ts:
 * the server extension's): the storage they export, Python's and unzip's view of an archive,
 * and the page's export dialog, toasts and partial files.
 */
import { expect, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './lab-server';
import { PANEL_ID, row } from './fixtures';
import { PYTHON } from '../tests/helpers/python';

const WRITER = path.join(repoRoot, 'tests', 'python', 'write_sidebar_storage.py');
export const CHECKER = path.join(repoRoot, 'tests', 'python', 'export_zip_check.py');
/** Size of the "big" dataset (generated sparse by CHECKER) that exports past 1 GB. */
export const BIG_MEGABYTES = 1040;

/** The storage both specs export: data/ with two subjects, written by Python. */
export function writeExportStorage(rootDir: string): void {
  execFileSync(PYTHON, [
    WRITER,
    'write',
    path.join(rootDir, 'data'),
    JSON.stringify({ p01: { calibration: 3, game: 5 }, p02: { calibration: 2 } })
  ]);
}

export interface IZipReport {
  names: string[];
  expected: string[];
  bad_crc: string | null;
  different: string[];
  methods: Record<string, string>;
  time_off: string[];
  records: Record<string, { data_descriptor: boolean; made_by: string; unix_mode: string }>;
}

export function verifyZip(zipPath: string, rootDir: string, folder: string): IZipReport {
  const output = execFileSync(PYTHON, [CHECKER, 'verify', zipPath, rootDir, folder], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(output.toString()) as IZipReport;
}

/**
 * Python's zipfile (every CRC) and `unzip -t` accept the archive; it holds exactly the folder's
 * files, byte for byte, with their times, .hdf5 stored and the rest deflated. With `unixMode`,
 * every entry also says it was made on Unix with that mode.
 */
export function expectArchiveOf(
  zipPath: string,
  rootDir: string,
  folder: string,
  options: { unixMode?: string } = {}
): IZipReport {
  const report = verifyZip(zipPath, rootDir, folder);
  expect(report.bad_crc).toBeNull();
  expect(report.names).toEqual(report.expected);
  expect(report.names.length).toBeGreaterThan(0);
  expect(report.different).toEqual([]);
  expect(report.time_off).toEqual([]);
  for (const [name, method] of Object.entries(report.methods)) {
    expect(`${name}: ${method}`).toBe(`${name}: ${name.endsWith('.hdf5') ? 'store' : 'deflate'}`);
  }
  if (options.unixMode !== undefined) {
    for (const [name, record] of Object.entries(report.records)) {
      expect(`${name}: ${record.made_by} ${record.unix_mode}`).toBe(`${name}: unix ${options.unixMode}`);
    }
  }
  expect(execFileSync('unzip', ['-tq', zipPath]).toString()).toContain('No errors detected');
  return report;
}

export function toast(page: Page, text: string | RegExp): Locator {
  return page.locator('.Toastify__toast').filter({ hasText: text });
}

/** Shows the storage sidebar and waits for its data root. */
export async function openSidebar(page: IJupyterLabPageFixture): Promise<void> {
  await page.sidebar.openTab(PANEL_ID);
  await expect(row(page, 'data')).toBeVisible();
}

/** Answers the destination dialog. */
export async function chooseDestination(page: Page, choice: RegExp): Promise<void> {
  const dialog = page.locator('.jp-Dialog');
  await dialog.getByLabel(choice).check();
  await dialog.getByRole('button', { name: 'Export' }).click();
}

/** The export's temporary files left in `folder` (none once an export ended, however). */
export function partialFiles(folder: string): string[] {
  return fs.readdirSync(folder).filter(name => name.includes('.partial-'));
}
