/**
 * A status bar item showing the running export: a progress bar over the bytes, and the files
 * and bytes done. Hidden while no export runs.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import type { IExportProgress } from './exporter.js';
import { formatBytes } from './progress.js';

/** The export's status bar item. */
export class ExportStatus extends Widget {
  constructor(private readonly _trans: TranslationBundle) {
    super();
    this.addClass('jp-AxoPyExport-status');
    this._bar.max = 1;
    this._bar.value = 0;
    this.node.append(this._text, this._bar);
  }

  /** Emitted when `running` changes. */
  readonly runningChanged = new Signal<this, void>(this);

  /** Whether an export runs (the status bar shows the item only then). */
  get running(): boolean {
    return this._running;
  }

  /** Shows an export of `what` starting; `via` says which path builds the archive. */
  start(what: string, via: string): void {
    this._running = true;
    this.runningChanged.emit();
    this._what = what;
    this._via = via;
    this._bar.value = 0;
    this._text.textContent = this._trans.__('ZIP %1: listing files… (%2)', what, via);
    this.node.title = this._text.textContent;
  }

  showProgress(progress: IExportProgress): void {
    this._bar.value = progress.bytesTotal > 0 ? progress.bytesDone / progress.bytesTotal : 0;
    this._text.textContent = this._trans.__(
      'ZIP %1: %2/%3 files, %4/%5 (%6)',
      this._what,
      progress.filesDone,
      progress.filesTotal,
      formatBytes(progress.bytesDone),
      formatBytes(progress.bytesTotal),
      this._via
    );
    this.node.title = this._text.textContent;
  }

  stop(): void {
    this._running = false;
    this.runningChanged.emit();
  }

  private readonly _text = document.createElement('span');
  private readonly _bar = document.createElement('progress');
  private _running = false;
  private _what = '';
  private _via = '';
}
