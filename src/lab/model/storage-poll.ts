/**
 * The poll of the storage model.
 */
import { Poll } from '@lumino/polling';

/**
 * A Poll whose timer does not outlive it. Lumino's Poll.dispose leaves the pending timer armed
 * (it later fires and does nothing), and a tick in flight may arm one after dispose: harmless
 * in a browser, but it keeps a Node process (tests, benchmarks) alive for a whole interval.
 */
export class StoragePoll extends Poll {
  async schedule(next?: Parameters<Poll['schedule']>[0]): Promise<void> {
    await super.schedule(next);
    if (this.isDisposed) {
      this._clearTimer();
    }
  }

  dispose(): void {
    super.dispose();
    this._clearTimer();
  }

  private _clearTimer(): void {
    // Bracket access reaches Poll's private timer handle; no public API clears it.
    clearTimeout(this['_timeout']);
  }
}
