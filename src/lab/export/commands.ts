/**
 * The "Export as ZIP" command: on a storage root, subject or task, from the sidebar's toolbar
 * and context menu, the file browser's context menu and the command palette.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { showErrorMessage, type ICommandPalette } from '@jupyterlab/apputils';
import type { FileBrowser } from '@jupyterlab/filebrowser';
import type { Contents } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';
import { downloadIcon } from '@jupyterlab/ui-components';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { CommandIDs } from '../sidebar/commands.js';
import type { IStorageBrowser, IStorageModel, IStorageNode } from '../tokens.js';
import { askDestination, confirmReplace, type ExportDestination } from './dialog.js';
import type { DestinationMemory } from './destination-choice.js';
import { exportToZip, type IExportProgress } from './exporter.js';
import { ExportNotification } from './progress.js';
import { exportOnServer, serverExportAvailable } from './server-export.js';
import type { ExportStatus } from './status.js';
import { blobDownloadSink, canPickSaveFile, pickFileSink, serverFileSink, type IArchiveSink } from './sinks.js';
import { exportTarget, levelOfFolder, type ExportLevel, type IExportTarget } from './target.js';

/** The export settings (schema/export.json). */
export interface IExportSettings {
  destination: ExportDestination;
  /** The last choice per storage root (see destination-choice.ts). */
  destinationByRoot: Record<string, ExportDestination>;
  askDestination: boolean;
  useSaveFilePicker: boolean;
  uploadChunkBytes: number;
  maxInFlightBytes: number;
}

/** What the export command needs. */
export interface IExportCommandContext {
  readonly app: JupyterFrontEnd;
  readonly model: IStorageModel;
  /** The sidebar: the node a command targets. */
  readonly browser: IStorageBrowser;
  readonly trans: TranslationBundle;
  readonly fileBrowser: FileBrowser | null;
  readonly palette: ICommandPalette | null;
  /** The current settings. */
  readonly settings: () => IExportSettings;
  /** The status bar item showing the running export, when there is a status bar. */
  readonly status?: ExportStatus;
  /** The destination last chosen per storage root. */
  readonly destinations: DestinationMemory;
}

const TREE_ITEM_SELECTOR = '.jp-AxoPyStorage-item';
const FOLDER_ITEM_SELECTOR = '.jp-DirListing-item[data-isdir="true"]';
const FILE_KINDS = new Set(['trials', 'array', 'pickle']);

function parentPath(path: string): string {
  return path.slice(0, Math.max(0, path.lastIndexOf('/')));
}

/** The export of a tree node: its folder, or the task of a file. */
function targetOfNode(node: IStorageNode): IExportTarget | undefined {
  const { kind, path } = node;
  if (kind === 'root' || kind === 'subject' || kind === 'task') {
    return exportTarget(kind, path);
  }
  return FILE_KINDS.has(kind) ? exportTarget('task', parentPath(path)) : undefined;
}

function isLevel(value: unknown): value is ExportLevel {
  return value === 'root' || value === 'subject' || value === 'task';
}

/**
 * What to export: `args.path` (and `args.level`), else the item under the context menu (tree
 * or file browser), else the selected tree item, else the only root shown.
 */
function resolveTarget(context: IExportCommandContext, args: ReadonlyPartialJSONObject): IExportTarget | undefined {
  const { app, model } = context;
  if (typeof args.path === 'string') {
    return exportTarget(isLevel(args.level) ? args.level : levelOfFolder(args.path, model.roots), args.path);
  }
  const browserHit = app.contextMenuHitTest(element => element.matches(FOLDER_ITEM_SELECTOR));
  if (browserHit && context.fileBrowser) {
    for (const item of context.fileBrowser.selectedItems()) {
      if (item.type === 'directory') {
        return exportTarget(levelOfFolder(item.path, model.roots), item.path);
      }
    }
  }
  const node = context.browser.targetNode();
  if (node !== undefined) {
    return targetOfNode(node);
  }
  return model.roots.length === 1 ? exportTarget('root', model.roots[0]) : undefined;
}

/** Whether `path` exists, from its folder's listing (asking for the path itself logs a 404). */
async function archiveExists(contents: Contents.IManager, path: string): Promise<boolean> {
  const folder = await contents.get(parentPath(path), { type: 'directory', content: true });
  return ((folder.content ?? []) as Contents.IModel[]).some(item => item.path === path);
}

/** Opens the sink for the chosen destination; undefined when the user backs out. */
async function openSink(
  context: IExportCommandContext,
  target: IExportTarget,
  destination: ExportDestination
): Promise<IArchiveSink | undefined> {
  const settings = context.settings();
  const contents = context.app.serviceManager.contents;
  if (destination === 'download') {
    // Streams to disk where the browser can; else Blob parts, which the browser keeps out of the JS heap.
    return settings.useSaveFilePicker && canPickSaveFile()
      ? pickFileSink(target.archiveName)
      : blobDownloadSink(target.archiveName);
  }
  const replace = await archiveExists(contents, target.archivePath);
  if (replace && !(await confirmReplace(context.trans, target.archivePath))) {
    return undefined;
  }
  return serverFileSink({ contents, archivePath: target.archivePath, chunkBytes: settings.uploadChunkBytes, replace });
}

async function runExport(context: IExportCommandContext, args: ReadonlyPartialJSONObject): Promise<void> {
  const { trans } = context;
  let target: IExportTarget | undefined;
  try {
    target = resolveTarget(context, args);
  } catch (error) {
    await showErrorMessage(trans.__('Cannot export as ZIP'), error as Error);
    return;
  }
  if (target === undefined) {
    await showErrorMessage(
      trans.__('Cannot export as ZIP'),
      trans.__('Select a storage root, subject or task in the AxoPy storage sidebar first.')
    );
    return;
  }
  const settings = context.settings();
  let destination: ExportDestination | undefined =
    args.destination === 'download' || args.destination === 'server' ? args.destination : undefined;
  if (destination === undefined) {
    destination = settings.askDestination
      ? await askDestination(trans, target, context.destinations.preselect(target, settings.destination))
      : settings.destination;
  }
  if (destination === undefined) {
    return;
  }
  // The server extension writes at disk speed; without it (or with `via: 'browser'`) the page
  // builds the archive itself. `via: 'server'` insists on the server (an error where it is absent).
  const onServer = args.via === 'server' || (args.via !== 'browser' && serverExportAvailable());
  const contents = context.app.serviceManager.contents;
  let sink: IArchiveSink | undefined;
  let replace = false;
  try {
    if (!onServer) {
      // Right after the dialog: the save picker needs the click that closed it.
      sink = await openSink(context, target, destination);
    } else if (destination === 'server') {
      replace = await archiveExists(contents, target.archivePath);
      if (replace && !(await confirmReplace(context.trans, target.archivePath))) {
        return;
      }
    }
  } catch (error) {
    await showErrorMessage(trans.__('Cannot export %1 as ZIP', target.folderPath), error as Error);
    return;
  }
  void context.destinations.remember(target, destination);
  if (!onServer && sink === undefined) {
    return;
  }
  const controller = new AbortController();
  const via = onServer ? trans.__('written by the server') : trans.__('built in the browser');
  const notification = new ExportNotification(trans, target.folderPath, () => controller.abort(), via);
  const status = context.status;
  status?.start(target.folderPath, via);
  const onProgress = (progress: IExportProgress) => {
    notification.update(progress);
    status?.showProgress(progress);
  };
  try {
    if (onServer) {
      const result = await exportOnServer({
        contents,
        target,
        destination,
        replace,
        signal: controller.signal,
        onProgress
      });
      const where = destination === 'download' ? target.archiveName : target.archivePath;
      notification.succeeded(where, result.archiveBytes, result.warnings);
    } else {
      const result = await exportToZip({
        contents,
        target,
        sink: sink!,
        maxInFlightBytes: settings.maxInFlightBytes,
        signal: controller.signal,
        onProgress
      });
      notification.succeeded(sink!.description, result.archiveBytes, result.warnings);
    }
  } catch (error) {
    if (controller.signal.aborted) {
      notification.cancelled();
      return;
    }
    notification.failed();
    await showErrorMessage(trans.__('ZIP export of %1 failed', target.folderPath), error as Error);
  } finally {
    status?.stop();
  }
}

/** Registers the export command and puts it in the menus, the palette and the sidebar toolbar. */
export function addExportCommand(context: IExportCommandContext): void {
  const { app, trans } = context;
  app.commands.addCommand(CommandIDs.exportZip, {
    label: args => (args.toolbar ? '' : trans.__('Export as ZIP…')),
    caption: trans.__('Archive this storage root, subject or task as a ZIP file, keeping its folders'),
    icon: downloadIcon,
    isVisible: () => context.browser.targetNode()?.kind !== 'note',
    execute: args => runExport(context, args)
  });
  app.contextMenu.addItem({ command: CommandIDs.exportZip, selector: TREE_ITEM_SELECTOR, rank: 5 });
  app.contextMenu.addItem({ command: CommandIDs.exportZip, selector: FOLDER_ITEM_SELECTOR, rank: 21 });
  context.palette?.addItem({ command: CommandIDs.exportZip, category: trans.__('AxoPy') });
  // Its button in the sidebar's toolbar is declared in schema/sidebar.json.
}
