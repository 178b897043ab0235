/**
 * Which destination the export dialog preselects: the last one chosen for the same storage
 * root, else the default destination of the settings (which a choice no longer overwrites).
 * Remembered per root, so that saving one root's archives on the server does not silently turn
 * another root's exports into server writes; the dialog says which rule applied.
 */
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import type { ExportDestination } from './dialog.js';
import type { IExportTarget } from './target.js';

/** The preselected destination and why it is preselected. */
export interface IPreselection {
  readonly destination: ExportDestination;
  /** 'root': the last choice for this storage root; 'default': the settings' destination. */
  readonly reason: 'root' | 'default';
  /** The storage root the choice is remembered for. */
  readonly rootPath: string;
}

/** The storage root of an export: the exported folder without its subject/task part. */
export function rootPathOf(target: IExportTarget): string {
  return target.prefix === '' ? target.folderPath : target.folderPath.slice(0, -(target.prefix.length + 1));
}

function isDestination(value: unknown): value is ExportDestination {
  return value === 'download' || value === 'server';
}

/** The rule: this root's last choice, else the default. */
export function preselect(
  remembered: ReadonlyPartialJSONObject,
  rootPath: string,
  fallback: ExportDestination
): IPreselection {
  const last = remembered[rootPath];
  return isDestination(last)
    ? { destination: last, reason: 'root', rootPath }
    : { destination: fallback, reason: 'default', rootPath };
}

/** Where the choices per root are kept: the `destinationByRoot` setting (schema/export.json). */
export interface IChoiceStore {
  /** The saved `{ [rootPath]: destination }`, if any. */
  read(): ReadonlyPartialJSONObject | undefined;
  write(choices: ReadonlyPartialJSONObject): Promise<void>;
}

/** The choices made per storage root; kept for the page's life when there is no store. */
export class DestinationMemory {
  constructor(private readonly _store: IChoiceStore | null) {}

  preselect(target: IExportTarget, fallback: ExportDestination): IPreselection {
    return preselect(this._choices(), rootPathOf(target), fallback);
  }

  async remember(target: IExportTarget, destination: ExportDestination): Promise<void> {
    const choices = { ...this._choices(), [rootPathOf(target)]: destination };
    this._session = choices;
    await this._store?.write(choices);
  }

  private _choices(): ReadonlyPartialJSONObject {
    return this._store?.read() ?? this._session;
  }

  private _session: ReadonlyPartialJSONObject = {};
}
