/**
 * The poll of the storage model.
 */
import { Poll } from '@lumino/polling';

/**
 * A Poll whose timer does not outlive it. Lumino's Poll.dispose leaves the pending timer armed
 * (it later fires and does nothing): harmless in a browser, but it keeps a Node process (tests,
 * benchmarks) alive for a whole interval. Stopping first clears it (Poll's public API: a
 * 'stopped' tick unschedules the next one and schedules none).
 */
export class StoragePoll extends Poll {
  dispose(): void {
    if (this.isDisposed) return;
    void this.stop();
    super.dispose();
  }
}
