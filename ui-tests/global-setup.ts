/**
 * Starts one JupyterLab server for the whole run, configured as galata expects (no token, no
 * XSRF check, 127.0.0.1, a free port), on an empty temporary folder; returns its teardown.
 * Tests reach it through AXOPY_E2E_URL (Playwright passes global-setup env to workers).
 */
import * as fs from 'node:fs';
import { makeServerFolders, startLabServer } from './lab-server';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const folders = makeServerFolders('axopy-e2e-');
  const server = await startLabServer({
    rootDir: folders.rootDir,
    token: '',
    stateDir: folders.stateDir
  });
  process.env.AXOPY_E2E_URL = server.url;
  return async () => {
    await server.stop();
    fs.rmSync(folders.base, { recursive: true, force: true });
  };
}
