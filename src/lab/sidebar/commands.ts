/**
 * Every command of the storage sidebar, with its label, caption, icon and enablement side by
 * side, and where each appears (context menus, palette).
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { Clipboard, InputDialog, showErrorMessage, type ICommandPalette } from '@jupyterlab/apputils';
import type { FileBrowser } from '@jupyterlab/filebrowser';
import type { TranslationBundle } from '@jupyterlab/translation';
import { closeIcon, copyIcon, refreshIcon, spreadsheetIcon } from '@jupyterlab/ui-components';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { trialsCsvPath } from '../../core/layout.js';
import { readOnlyPath } from '../read-only/read-only-drive.js';
import type { IStorageBrowser, IStorageModel, IStorageNode } from '../tokens.js';
import { axopyStorageIcon } from '../icons.js';

/** Ids of the commands of jupyterlab-axopy. */
export namespace CommandIDs {
  export const openStorage = 'jupyterlab-axopy:open-storage';
  export const closeStorage = 'jupyterlab-axopy:close-storage';
  export const refresh = 'jupyterlab-axopy:refresh';
  export const copyPath = 'jupyterlab-axopy:copy-path';
  export const openTrials = 'jupyterlab-axopy:open-trials';
  export const openInNotebook = 'jupyterlab-axopy:open-in-notebook';
  export const exportZip = 'jupyterlab-axopy:export-zip';
  export const previewTask = 'jupyterlab-axopy:preview-task';
  export const checkDataset = 'jupyterlab-axopy:check-dataset';
}

/** What the commands act on. */
export interface ICommandContext {
  readonly app: JupyterFrontEnd;
  readonly model: IStorageModel;
  readonly browser: IStorageBrowser;
  readonly trans: TranslationBundle;
  /** Shows the sidebar panel. */
  readonly showPanel: () => void;
  readonly fileBrowser: FileBrowser | null;
  readonly palette: ICommandPalette | null;
}

const TREE_ITEM_SELECTOR = '.jp-AxoPyStorage-item';
const FOLDER_ITEM_SELECTOR = '.jp-DirListing-item[data-isdir="true"]';

/** The node under the context menu, else the selected node of the tree. */
function targetNode(context: ICommandContext): IStorageNode | undefined {
  return context.browser.targetNode();
}

/** The trials.csv a node leads to: itself, or the one of a task. */
function trialsPathOf(node: IStorageNode | undefined): string | undefined {
  if (node?.kind === 'trials') {
    return node.path;
  }
  return node?.kind === 'task' ? trialsCsvPath(node.path) : undefined;
}

/**
 * The folder to open as storage: an argument; else the folder under the file browser's context
 * menu, or the folder selected in a file browser on screen. A selection the user cannot see (the
 * file browser hidden behind another sidebar panel) is not acted on: undefined, and the command
 * asks for the folder.
 */
function folderToOpen(context: ICommandContext, args: ReadonlyPartialJSONObject): string | undefined {
  if (typeof args.path === 'string') {
    return args.path;
  }
  const browser = context.fileBrowser;
  if (browser === null || !browser.isVisible) {
    return undefined;
  }
  // A right click selects the item under it: the context menu's folder is the selection.
  for (const item of browser.selectedItems()) {
    if (item.type === 'directory') {
      return item.path;
    }
  }
  return browser.model.path;
}

/** Asks which folder to open as storage (the file browser's folder offered); undefined: cancelled. */
async function askFolder(context: ICommandContext): Promise<string | undefined> {
  const { trans } = context;
  const result = await InputDialog.getText({
    title: trans.__('Open as AxoPy storage'),
    label: trans.__('Folder to open (path from the Jupyter root):'),
    text: context.fileBrowser?.model.path ?? ''
  });
  return result.button.accept && result.value !== null ? result.value.trim().replace(/^\/+|\/+$/g, '') : undefined;
}

/** Registers the commands and puts them in the menus and palette. */
export function addCommands(context: ICommandContext): void {
  const { app, model, trans } = context;
  const { commands } = app;

  commands.addCommand(CommandIDs.openStorage, {
    label: trans.__('Open as AxoPy storage'),
    caption: trans.__('Show this folder as an AxoPy storage root in the AxoPy storage sidebar'),
    icon: axopyStorageIcon,
    execute: async args => {
      const path = folderToOpen(context, args) ?? (await askFolder(context));
      if (path === undefined) {
        return;
      }
      model.openRoot(path);
      context.showPanel();
    }
  });

  commands.addCommand(CommandIDs.closeStorage, {
    label: trans.__('Close AxoPy storage root'),
    caption: trans.__('Remove this folder from the sidebar (settings roots stay)'),
    icon: closeIcon,
    isVisible: () => {
      const node = targetNode(context);
      return node?.kind === 'root' && model.isOpenedRoot(node.root);
    },
    execute: () => {
      const node = targetNode(context);
      if (node !== undefined) {
        model.closeRoot(node.root);
      }
    }
  });

  commands.addCommand(CommandIDs.refresh, {
    // The sidebar's toolbar (schema/sidebar.json) shows the icon alone.
    label: args => (args.toolbar ? '' : trans.__('Refresh AxoPy storage')),
    caption: trans.__('Reload the storage roots shown in the sidebar'),
    icon: refreshIcon,
    execute: () => model.refresh()
  });

  commands.addCommand(CommandIDs.copyPath, {
    label: trans.__('Copy Path'),
    caption: trans.__('Copy the path of this item to the clipboard'),
    icon: copyIcon,
    isEnabled: () => targetNode(context) !== undefined,
    execute: () => {
      const node = targetNode(context);
      if (node !== undefined) {
        Clipboard.copyToSystem(node.path);
      }
    }
  });

  commands.addCommand(CommandIDs.openTrials, {
    label: trans.__('Open trials.csv in CSV Viewer'),
    caption: trans.__('Open the trial table of this task in the CSV viewer, read-only'),
    icon: spreadsheetIcon,
    isVisible: args => typeof args.path === 'string' || trialsPathOf(targetNode(context)) !== undefined,
    execute: async args => {
      const path = typeof args.path === 'string' ? args.path : trialsPathOf(targetNode(context));
      if (path === undefined) {
        return;
      }
      try {
        // Through the read-only drive: the viewer neither checkpoints nor saves into the data.
        await commands.execute('docmanager:open', { path: readOnlyPath(path), factory: 'CSVTable' });
      } catch (error) {
        await showErrorMessage(trans.__('Cannot open %1', path), error as Error);
      }
    }
  });

  app.contextMenu.addItem({ command: CommandIDs.openTrials, selector: TREE_ITEM_SELECTOR, rank: 1 });
  app.contextMenu.addItem({ command: CommandIDs.copyPath, selector: TREE_ITEM_SELECTOR, rank: 2 });
  app.contextMenu.addItem({ command: CommandIDs.refresh, selector: TREE_ITEM_SELECTOR, rank: 3 });
  app.contextMenu.addItem({ command: CommandIDs.closeStorage, selector: TREE_ITEM_SELECTOR, rank: 4 });
  app.contextMenu.addItem({ command: CommandIDs.openStorage, selector: FOLDER_ITEM_SELECTOR, rank: 20 });

  const category = trans.__('AxoPy');
  context.palette?.addItem({ command: CommandIDs.openStorage, category });
  context.palette?.addItem({ command: CommandIDs.refresh, category });
}
