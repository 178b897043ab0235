/**
 * The progress of an export as a JupyterLab Notification with a progress bar (files and
 * bytes) and a Cancel action; it then turns into the outcome.
 */
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { IExportProgress } from './exporter.js';

/** Notification updates at most this often: a 1 GB export reports thousands of chunks. */
const UPDATE_INTERVAL_MS = 250;

/** Sizes as people read them: 1.5 GB, 320 MB, 12 kB (decimal units, like file managers). */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** One export's notification. */
export class ExportNotification {
  constructor(
    private readonly _trans: TranslationBundle,
    private readonly _what: string,
    onCancel: () => void,
    /** Which path builds the archive ("written by the server", "built in the browser"). */
    private readonly _via: string
  ) {
    this._actions = [
      {
        label: _trans.__('Cancel'),
        caption: _trans.__('Stop the export and remove the partial archive'),
        callback: event => {
          // Keep the toast: it reports the cancellation once the export has stopped.
          event.preventDefault();
          onCancel();
        }
      }
    ];
    this._id = Notification.emit(_trans.__('Exporting %1 as ZIP: listing files… (%2)', _what, _via), 'in-progress', {
      autoClose: false,
      progress: 0,
      actions: this._actions
    });
  }

  /** Shows the progress (rate-limited). */
  update(progress: IExportProgress): void {
    const now = Date.now();
    if (now - this._lastUpdate < UPDATE_INTERVAL_MS && progress.bytesDone < progress.bytesTotal) {
      return;
    }
    this._lastUpdate = now;
    Notification.update({
      id: this._id,
      message: this._trans.__(
        'Exporting %1 as ZIP: %2 of %3 files, %4 of %5 (%6)',
        this._what,
        progress.filesDone,
        progress.filesTotal,
        formatBytes(progress.bytesDone),
        formatBytes(progress.bytesTotal),
        this._via
      ),
      progress:
        progress.bytesTotal > 0
          ? progress.bytesDone / progress.bytesTotal
          : progress.filesDone / Math.max(1, progress.filesTotal),
      actions: this._actions
    });
  }

  /**
   * Reports the archive written; `warnings` name files left out (symlinks, special files) or
   * written to while archived.
   */
  succeeded(where: string, archiveBytes: number, warnings: readonly string[] = []): void {
    let message = this._trans.__('Exported %1 to %2 (%3), %4', this._what, where, formatBytes(archiveBytes), this._via);
    if (warnings.length > 0) {
      message += `; ${this._trans._n('%1 warning: %2', '%1 warnings: %2', warnings.length, warnings.join('; '))}`;
    }
    // A toast cuts long text: the warnings are listed whole in a dialog.
    const details: Notification.IAction = {
      label: this._trans.__('Show warnings'),
      caption: this._trans.__('List what the archive may lack or holds under another name'),
      callback: () => void this._showWarnings(warnings)
    };
    Notification.update({
      id: this._id,
      type: warnings.length > 0 ? 'warning' : 'success',
      message,
      progress: undefined,
      actions: warnings.length > 0 ? [details] : [],
      // A warning stays until dismissed: it tells what the archive may lack.
      autoClose: warnings.length > 0 ? false : 8000
    });
  }

  private async _showWarnings(warnings: readonly string[]): Promise<void> {
    const list = document.createElement('ul');
    list.className = 'jp-AxoPyExport-warnings';
    for (const warning of warnings) {
      const line = document.createElement('li');
      line.textContent = warning;
      list.appendChild(line);
    }
    await showDialog({
      title: this._trans.__('Export of %1: %2 warnings', this._what, warnings.length),
      body: new Widget({ node: list }),
      buttons: [Dialog.okButton({ label: this._trans.__('Close') })]
    });
  }

  cancelled(): void {
    Notification.update({
      id: this._id,
      type: 'info',
      message: this._trans.__('Export of %1 cancelled; no archive was written', this._what),
      progress: undefined,
      actions: [],
      autoClose: 5000
    });
  }

  /** Marks the export failed (the details go in a dialog, which has room for them). */
  failed(): void {
    // A dialog has the details; the toast (maybe still being created) turns into the outcome.
    Notification.update({
      id: this._id,
      type: 'error',
      message: this._trans.__('Export of %1 failed', this._what),
      progress: undefined,
      actions: [],
      autoClose: 5000
    });
  }

  private readonly _id: string;
  private readonly _actions: Notification.IAction[];
  private _lastUpdate = 0;
}
