/**
 * A contents drive that shows the Jupyter server's files read-only, for opening AxoPy data in
 * JupyterLab's own viewers (the CSV viewer) without writing into the storage: a document context
 * checkpoints every writable file it opens (`.ipynb_checkpoints` in the task folder, which Python
 * AxoPy then lists as a task), and offers to save it. Models from this drive say
 * `writable: false`, so the context neither checkpoints nor saves; every writing call refuses.
 */
import type { Contents, ServerConnection } from '@jupyterlab/services';
import { Signal, type ISignal } from '@lumino/signaling';

/** The drive's name: a path `AxoPyReadOnly:data/p01/gestures/trials.csv` reads through it. */
export const READ_ONLY_DRIVE_NAME = 'AxoPyReadOnly';

/** The path of a server file (a path from the Jupyter root) opened through the read-only drive. */
export function readOnlyPath(serverPath: string): string {
  return `${READ_ONLY_DRIVE_NAME}:${serverPath.replace(/^\/+/, '')}`;
}

/** What the drive reads through: the contents manager, whose plain paths are the server's files. */
export type IFileReader = Pick<Contents.IManager, 'get' | 'getDownloadUrl' | 'serverSettings'>;

/** Reads through the contents manager (the server's files); refuses every change. */
export class ReadOnlyDrive implements Contents.IDrive {
  readonly name = READ_ONLY_DRIVE_NAME;

  constructor(private readonly _files: IFileReader) {}

  get serverSettings(): ServerConnection.ISettings {
    return this._files.serverSettings;
  }

  /** Never emits: nothing changes through this drive. */
  get fileChanged(): ISignal<this, Contents.IChangedArgs> {
    return this._fileChanged;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) return;
    this._isDisposed = true;
    Signal.clearData(this);
  }

  async get(localPath: string, options?: Contents.IFetchOptions): Promise<Contents.IModel> {
    return readOnlyModel(await this._files.get(localPath, options));
  }

  getDownloadUrl(localPath: string): Promise<string> {
    return this._files.getDownloadUrl(localPath);
  }

  /** A read-only file has no checkpoints (none is ever made through this drive). */
  async listCheckpoints(): Promise<Contents.ICheckpointModel[]> {
    return [];
  }

  newUntitled(): Promise<Contents.IModel> {
    return refuse('create a file in', '');
  }

  delete(localPath: string): Promise<void> {
    return refuse('delete', localPath);
  }

  rename(oldLocalPath: string): Promise<Contents.IModel> {
    return refuse('rename', oldLocalPath);
  }

  save(localPath: string): Promise<Contents.IModel> {
    return refuse('save', localPath);
  }

  copy(localPath: string): Promise<Contents.IModel> {
    return refuse('copy', localPath);
  }

  createCheckpoint(localPath: string): Promise<Contents.ICheckpointModel> {
    return refuse('checkpoint', localPath);
  }

  restoreCheckpoint(localPath: string): Promise<void> {
    return refuse('restore a checkpoint of', localPath);
  }

  deleteCheckpoint(localPath: string): Promise<void> {
    return refuse('delete a checkpoint of', localPath);
  }

  private readonly _fileChanged = new Signal<this, Contents.IChangedArgs>(this);
  private _isDisposed = false;
}

/** The model, and the listing of a folder, marked read-only. */
function readOnlyModel(model: Contents.IModel): Contents.IModel {
  const content =
    model.type === 'directory' && Array.isArray(model.content)
      ? (model.content as Contents.IModel[]).map(child => ({ ...child, writable: false }))
      : model.content;
  return { ...model, writable: false, content };
}

function refuse(action: string, localPath: string): Promise<never> {
  return Promise.reject(
    new Error(
      `Cannot ${action} ${localPath || 'this folder'}: AxoPy data is opened read-only (${READ_ONLY_DRIVE_NAME}).`
    )
  );
}
