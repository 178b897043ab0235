/**
 * End-to-end tests: galata + Playwright against `jupyter lab` from the project venv, in Debian's
 * Chromium. Run with `npx playwright test -c ui-tests/playwright.config.ts` after
 * `bash scripts/install-wheel.sh`.
 */
import { defineConfig } from '@playwright/test';
import { galata } from '@jupyterlab/galata';

const galataDefaults = require('@jupyterlab/galata/lib/playwright-config');

export default defineConfig({
  ...galataDefaults,
  testDir: './tests',
  outputDir: './test-results',
  globalSetup: require.resolve('./global-setup'),
  // One server for all tests, two cores for everything: keep it to one worker.
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: [['list']],
  use: {
    ...galataDefaults.use,
    baseURL: process.env.AXOPY_E2E_URL,
    // galata serves these settings in place of the server's. The AxoPy sidebar shows itself at
    // start by default; off here, since galata's file-browser helpers expect the file browser.
    mockSettings: { ...galata.DEFAULT_SETTINGS, 'jupyterlab-axopy:sidebar': { openOnStart: false } },
    video: 'off',
    trace: 'off',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run'
      ]
    }
  }
});
