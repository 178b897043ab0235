/**
 * Measures the JS memory of a page and its workers through the Chrome DevTools Protocol, for
 * the export's e2e test and benchmark.
 */
import type { Browser, CDPSession, Page } from 'playwright';

/**
 * JS heap in use (V8 heap plus ArrayBuffer backing stores) of the page and of every worker it
 * runs: the archive is built in a worker, so the page's heap alone would not see it buffering.
 * Workers are reached through the browser's CDP session (Playwright gives no session for them).
 */
export class HeapMeter {
  private workers = new Map<string, string>();
  private nextId = 0;
  private pending = new Map<number, (result: { usedSize: number; backingStorageSize: number }) => void>();

  private constructor(
    private readonly browserSession: CDPSession,
    private readonly pageSession: CDPSession
  ) {
    browserSession.on('Target.receivedMessageFromTarget', event => {
      const message = JSON.parse(event.message) as {
        id?: number;
        result?: { usedSize: number; backingStorageSize: number };
      };
      if (message.id !== undefined && this.pending.has(message.id)) {
        this.pending.get(message.id)!(message.result ?? { usedSize: 0, backingStorageSize: 0 });
        this.pending.delete(message.id);
      }
    });
  }

  static async start(browser: Browser, page: Page): Promise<HeapMeter> {
    return new HeapMeter(await browser.newBrowserCDPSession(), await page.context().newCDPSession(page.mainFrame()));
  }

  /** Bytes in use now: the page plus every worker alive (new workers are attached on sight). */
  async used(): Promise<number> {
    const { page, workers } = await this.usedParts();
    return page + workers;
  }

  /** Bytes in use now, the page's and the workers' apart. */
  async usedParts(): Promise<{ page: number; workers: number }> {
    const page = await this.pageSession.send('Runtime.getHeapUsage');
    const pageBytes = page.usedSize + (page as { backingStorageSize?: number }).backingStorageSize!;
    let total = 0;
    const { targetInfos } = await this.browserSession.send('Target.getTargets');
    for (const target of targetInfos.filter(info => info.type === 'worker')) {
      if (!this.workers.has(target.targetId)) {
        const { sessionId } = await this.browserSession.send('Target.attachToTarget', {
          targetId: target.targetId,
          flatten: false
        });
        this.workers.set(target.targetId, sessionId);
      }
      const usage = await Promise.race([
        this.workerHeap(this.workers.get(target.targetId)!),
        new Promise<{ usedSize: number; backingStorageSize: number }>(resolve =>
          setTimeout(() => resolve({ usedSize: 0, backingStorageSize: 0 }), 2000)
        )
      ]);
      total += usage.usedSize + usage.backingStorageSize;
    }
    return { page: pageBytes, workers: total };
  }

  /** Workers measured so far (the export's worker among them). */
  get workersSeen(): number {
    return this.workers.size;
  }

  private workerHeap(sessionId: string): Promise<{ usedSize: number; backingStorageSize: number }> {
    const id = ++this.nextId;
    return new Promise(resolve => {
      this.pending.set(id, resolve);
      void this.browserSession
        .send('Target.sendMessageToTarget', {
          sessionId,
          message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' })
        })
        .catch(() => resolve({ usedSize: 0, backingStorageSize: 0 }));
    });
  }
}
