/**
 * One in-page timer for the benchmarks that time "user action to the frame that shows it":
 * `window.__axopyMsUntilPainted(start, ready, label)` checks `ready()` at every animation frame
 * and resolves with the ms from `start` (a performance.now() value) to the end of the first
 * frame in which it held: a task posted from that frame's animation callback runs once the
 * frame's style, layout and paint are done.
 */
import type { Page } from '@playwright/test';

const SCRIPT = `window.__axopyMsUntilPainted = (start, ready, label) =>
  new Promise((resolve, reject) => {
    const giveUp = setTimeout(() => reject(new Error('not ready in 120 s: ' + label)), 120000);
    const onFrame = () => {
      if (ready()) {
        const afterPaint = new MessageChannel();
        afterPaint.port1.onmessage = () => {
          clearTimeout(giveUp);
          resolve(performance.now() - start);
        };
        afterPaint.port2.postMessage(undefined);
      } else {
        requestAnimationFrame(onFrame);
      }
    };
    requestAnimationFrame(onFrame);
  });`;

/** Makes `__axopyMsUntilPainted` available in every document the page loads (call before goto). */
export async function installPaintTimer(page: Page): Promise<void> {
  await page.addInitScript(SCRIPT);
}
