/**
 * The trial previews plugin: "Preview task" (trials table, array plots, pickles) and "Check
 * dataset" from the storage sidebar's context menu, the palette, or by command with `{ path }`.
 */
import { ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, showErrorMessage, WidgetTracker } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator, type TranslationBundle } from '@jupyterlab/translation';
import { spreadsheetIcon } from '@jupyterlab/ui-components';
import { PageConfig } from '@jupyterlab/coreutils';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { distinctTitles } from '../../core/tab-titles.js';
import type { IArrayMetadataSetting } from '../../core/axis-metadata.js';
import { CommandIDs } from '../sidebar/commands.js';
import { IHdf5Service, IStorageBrowser } from '../tokens.js';
import { TRANSLATION_DOMAIN } from '../messages.js';
import { checkStorageRoot, checkTaskFolder } from './check.js';
import { ContentsStorageProvider } from '../provider/contents.js';
import { checkReportWidget } from './report-views.js';
import { TaskPreview, type ITaskPreviewState } from './task-preview.js';
import { TEST_HOOKS_OPTION, testHookPreviews } from './test-hook.js';
import { TaskPreviewModel } from './task-preview-model.js';
import { pickleItemInWorker } from './pickle-in-worker.js';

const PREVIEWS_PLUGIN_ID = 'jupyterlab-axopy:previews';
const ITEM_SELECTOR = '.jp-AxoPyStorage-item';

/** The settings of the previews plugin (schema/previews.json). */
interface IPreviewSettings {
  maxChannels: number;
  refreshInterval: number;
  /** Sample rates and channel names per storage root (and array); a task's sidecar wins. */
  arrayMetadata: IArrayMetadataSetting[];
}

const DEFAULT_SETTINGS: IPreviewSettings = {
  maxChannels: 16,
  refreshInterval: 2000,
  arrayMetadata: []
};

/** The sidebar's plugin id: its settings hold the trials.csv line limit all readers use. */
const SIDEBAR_PLUGIN_ID = 'jupyterlab-axopy:sidebar';

/** A storage-tree node as its element tells it (kind and path), under the context menu. */
interface ITarget {
  readonly kind: string;
  readonly path: string;
}

function parentPath(path: string): string {
  return path.slice(0, Math.max(0, path.lastIndexOf('/')));
}

/** The task folder a node belongs to: itself, or the folder of one of its files. */
function taskPathOf(target: ITarget | undefined): string | undefined {
  switch (target?.kind) {
    case 'task':
      return target.path;
    case 'trials':
    case 'array':
    case 'pickle':
      return parentPath(target.path);
    default:
      return undefined;
  }
}

/**
 * Warms the HDF5 worker (its start-up and h5wasm's compilation) the first time the storage
 * sidebar is on screen: a user who sees it may ask for a plot soon, and should not wait for
 * that then. A page that never shows the sidebar never starts the worker this way.
 */
function warmWhenShown(arrays: IHdf5Service, browser: IStorageBrowser): void {
  const sidebar = browser.panel.node;
  if (typeof IntersectionObserver === 'undefined') return;
  const observer = new IntersectionObserver(records => {
    if (records.some(record => record.isIntersecting)) {
      observer.disconnect();
      void arrays.warmUp();
    }
  });
  observer.observe(sidebar);
}

function activate(
  app: JupyterFrontEnd,
  arrays: IHdf5Service,
  browser: IStorageBrowser | null,
  settingRegistry: ISettingRegistry | null,
  translator: ITranslator | null,
  palette: ICommandPalette | null,
  restorer: ILayoutRestorer | null
): void {
  const trans: TranslationBundle = (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
  let settings = { ...DEFAULT_SETTINGS };
  const contents = app.serviceManager.contents;
  // Listings through the contents API, file contents through /files/ (the sidebar's provider).
  const source = new ContentsStorageProvider({ contents });
  let maxLineBytes: number | undefined;
  const previews = new Map<string, MainAreaWidget<TaskPreview>>();
  if (settingRegistry !== null) {
    void settingRegistry.load(PREVIEWS_PLUGIN_ID).then(loaded => {
      const apply = (): void => {
        settings = { ...DEFAULT_SETTINGS, ...(loaded.composite as unknown as Partial<IPreviewSettings>) };
        // Open previews relabel their axes at once.
        for (const widget of previews.values()) widget.content.model.setMetadataSettings(settings.arrayMetadata);
      };
      apply();
      loaded.changed.connect(apply);
    });
    void settingRegistry.load(SIDEBAR_PLUGIN_ID).then(loaded => {
      const apply = (): void => {
        maxLineBytes = (loaded.composite as { maxLineBytes?: number }).maxLineBytes;
      };
      apply();
      loaded.changed.connect(apply);
    });
  }
  // Open previews are saved with the layout and opened again after a reload.
  const tracker = new WidgetTracker<MainAreaWidget<TaskPreview>>({ namespace: 'jupyterlab-axopy-preview' });
  void restorer?.restore(tracker, {
    command: CommandIDs.previewTask,
    args: widget => ({ path: widget.content.model.taskPath, kind: 'task' }),
    name: widget => widget.content.model.taskPath
  });
  const published = testHookPreviews<ITaskPreviewState>(PageConfig.getOption(TEST_HOOKS_OPTION));
  /** Gives every open preview a tab title unique among them (the root's name where needed). */
  const retitle = (): void => {
    const paths = [...previews.keys()];
    distinctTitles(paths).forEach((title, i) => (previews.get(paths[i])!.title.label = title));
  };
  /** A trials.csv opens its task's preview with the table focused (keyboard goes to it). */
  const focusTable = (widget: MainAreaWidget<TaskPreview>, kind: string): void => {
    if (kind === 'trials') widget.content.focusTable();
  };
  const storage = browser?.model ?? null;
  if (browser !== null) {
    void app.restored.then(() => warmWhenShown(arrays, browser));
  }

  const target = (args: ReadonlyPartialJSONObject): ITarget | undefined => {
    if (typeof args.path === 'string') {
      return { kind: typeof args.kind === 'string' ? args.kind : 'task', path: args.path };
    }
    // From the palette, the selected node counts only while the keyboard is in the sidebar.
    const node = browser?.targetNode();
    const fromMenuOrSidebar =
      browser?.nodeForTarget(document.activeElement) !== undefined || app.contextMenuHitTest(() => true) !== undefined;
    return node !== undefined && fromMenuOrSidebar ? { kind: node.kind, path: node.path } : undefined;
  };

  app.commands.addCommand(CommandIDs.previewTask, {
    label: trans.__('Preview Task'),
    caption: trans.__('Show the trials table, each trial’s arrays and the pickles of this task'),
    icon: spreadsheetIcon,
    isVisible: args => taskPathOf(target(args)) !== undefined,
    execute: args => {
      const taskPath = taskPathOf(target(args));
      if (taskPath === undefined) return;
      void arrays.warmUp();
      const open = previews.get(taskPath);
      const kind = target(args)?.kind ?? 'task';
      if (open !== undefined && !open.isDisposed) {
        focusTable(open, kind);
        // Out of the shell (see below): put it back, else activating its id does nothing.
        if (open.parent === null) app.shell.add(open, 'main');
        app.shell.activateById(open.id);
        return open;
      }
      const model = new TaskPreviewModel({
        taskPath,
        source,
        arrays,
        refreshInterval: settings.refreshInterval,
        maxLineBytes,
        loadPickleItem: pickleItemInWorker,
        metadataSettings: settings.arrayMetadata
      });
      const content = new TaskPreview({ model, trans, maxChannels: settings.maxChannels, published });
      model.start();
      const widget = new MainAreaWidget({ content });
      widget.id = `jupyterlab-axopy-preview-${previews.size}-${Date.now().toString(36)}`;
      widget.title.label = taskPath.split('/').slice(-2).join('/');
      widget.title.caption = taskPath;
      widget.title.icon = spreadsheetIcon;
      widget.title.closable = true;
      previews.set(taskPath, widget);
      retitle();
      widget.disposed.connect(() => {
        previews.delete(taskPath);
        retitle();
      });
      focusTable(widget, kind);
      void tracker.add(widget);
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
      // Opened while JupyterLab restores its layout, the preview is taken out of the main area
      // by the restored layout (which did not have it), without being closed: add it again.
      void app.restored.then(() => {
        if (!widget.isDisposed && widget.parent === null) {
          app.shell.add(widget, 'main');
          app.shell.activateById(widget.id);
        }
      });
      // The sidebar's refresh (a writer appending) is a reason to look again at once.
      const onStorageChanged = (): void => void content.refresh();
      storage?.changed.connect(onStorageChanged);
      widget.disposed.connect(() => storage?.changed.disconnect(onStorageChanged));
      return widget;
    }
  });

  app.commands.addCommand(CommandIDs.checkDataset, {
    label: trans.__('Check Dataset'),
    caption: trans.__('Check trials.csv against the array files and pickles (metadata only), as checkStorage does'),
    isVisible: args => {
      const kind = target(args)?.kind;
      return kind === 'root' || taskPathOf(target(args)) !== undefined;
    },
    execute: async args => {
      const node = target(args);
      if (node === undefined) return;
      const taskPath = taskPathOf(node);
      try {
        const report =
          node.kind === 'root' || taskPath === undefined
            ? await checkStorageRoot(source, arrays, node.path, { maxLineBytes })
            : await checkTaskFolder(source, arrays, taskPath, { maxLineBytes });
        const widget = checkReportWidget(report, trans);
        app.shell.add(widget, 'main');
        app.shell.activateById(widget.id);
        return widget;
      } catch (error) {
        await showErrorMessage(trans.__('Cannot check %1', node.path || '/'), error as Error);
        return undefined;
      }
    }
  });

  app.contextMenu.addItem({ command: CommandIDs.previewTask, selector: ITEM_SELECTOR, rank: 0 });
  app.contextMenu.addItem({ command: CommandIDs.checkDataset, selector: ITEM_SELECTOR, rank: 5 });
  palette?.addItem({ command: CommandIDs.checkDataset, category: trans.__('AxoPy') });
}

/** Trial previews and "Check dataset" for the AxoPy storage sidebar. */
export const previewsPlugin: JupyterFrontEndPlugin<void> = {
  id: PREVIEWS_PLUGIN_ID,
  description: 'Trial previews (table, array plots, pickles) and the dataset check for AxoPy storage.',
  autoStart: true,
  requires: [IHdf5Service],
  optional: [IStorageBrowser, ISettingRegistry, ITranslator, ICommandPalette, ILayoutRestorer],
  activate
};
