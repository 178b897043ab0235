/**
 * The storage sidebar's plugins: the sidebar (the storage browser) and its model's token.
 */
import { ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import {
  createToolbarFactory,
  ICommandPalette,
  IToolbarWidgetRegistry,
  Notification,
  setToolbar
} from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { PageConfig } from '@jupyterlab/coreutils';
import { CommandIDs, addCommands } from './commands.js';
import { StorageModel } from './storage-model.js';
import { ContentsStorageProvider } from '../provider/contents.js';
import { ReadOnlyDrive } from '../read-only/read-only-drive.js';
import { IHdf5Service, IStorageBrowser, IStorageModel, STORAGE_PANEL_ID } from '../tokens.js';
import { axopyStorageIcon } from '../icons.js';
import { TRANSLATION_DOMAIN } from '../messages.js';
import { StoragePanel } from './storage-panel.js';

const SIDEBAR_PLUGIN_ID = 'jupyterlab-axopy:sidebar';

/** The settings of the sidebar plugin (schema/sidebar.json). */
interface ISidebarSettings {
  roots: string[];
  discoverRoots: boolean;
  refreshInterval: number;
  rowCountMaxBytes: number;
  maxLineBytes: number;
  openOnStart: boolean;
}

function readSettings(settings: ISettingRegistry.ISettings): ISidebarSettings {
  return settings.composite as unknown as ISidebarSettings;
}

/** The toolbar factory name of the sidebar (its items: schema/sidebar.json "jupyter.lab.toolbars"). */
const SIDEBAR_TOOLBAR = 'AxoPyStorage';

/** The AxoPy storage sidebar; provides the storage browser (panel, model, targeted node). */
export const sidebarPlugin: JupyterFrontEndPlugin<IStorageBrowser> = {
  id: SIDEBAR_PLUGIN_ID,
  description: 'A left-sidebar tree of AxoPy storage: subjects, tasks, trials and arrays.',
  autoStart: true,
  provides: IStorageBrowser,
  requires: [IHdf5Service],
  optional: [
    ISettingRegistry,
    IToolbarWidgetRegistry,
    ITranslator,
    ILayoutRestorer,
    IDefaultFileBrowser,
    ICommandPalette
  ],
  activate: async (
    app: JupyterFrontEnd,
    hdf5: IHdf5Service,
    settingRegistry: ISettingRegistry | null,
    toolbarRegistry: IToolbarWidgetRegistry | null,
    translator: ITranslator | null,
    restorer: ILayoutRestorer | null,
    fileBrowser: IDefaultFileBrowser | null,
    palette: ICommandPalette | null
  ): Promise<IStorageBrowser> => {
    const trans = (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
    // The toolbar's schema transform is registered before the settings are loaded (loading a
    // schema with "jupyter.lab.transform" waits for it).
    const toolbarFactory =
      settingRegistry && toolbarRegistry
        ? createToolbarFactory(
            toolbarRegistry,
            settingRegistry,
            SIDEBAR_TOOLBAR,
            SIDEBAR_PLUGIN_ID,
            translator ?? nullTranslator
          )
        : undefined;
    const settings = settingRegistry && toolbarFactory ? await settingRegistry.load(SIDEBAR_PLUGIN_ID) : null;
    // Without a settings registry, the model's own defaults apply.
    const initial: Partial<ISidebarSettings> = settings ? readSettings(settings) : { roots: [] };
    const model = new StorageModel({
      provider: new ContentsStorageProvider({
        contents: app.serviceManager.contents,
        datasetCounter: hdf5
      }),
      roots: initial.roots,
      discoverRoots: initial.discoverRoots,
      serverRootName: PageConfig.getOption('serverRoot').split(/[\\/]/).filter(Boolean).pop(),
      refreshInterval: initial.refreshInterval,
      rowCountMaxBytes: initial.rowCountMaxBytes,
      maxLineBytes: initial.maxLineBytes
    });
    settings?.changed.connect(() => {
      const current = readSettings(settings);
      model.refreshInterval = current.refreshInterval;
      model.rowCountMaxBytes = current.rowCountMaxBytes;
      model.maxLineBytes = current.maxLineBytes;
      model.setConfiguredRoots(current.roots);
      model.discoverRoots = current.discoverRoots;
    });
    model.refreshFailed.connect((_, failure) => {
      Notification.error(trans.__('AxoPy storage: could not read %1: %2', failure.path || '/', failure.error.message), {
        autoClose: 5000
      });
    });
    // JupyterLab's viewers open AxoPy files through it, so that they write nothing into the data.
    app.serviceManager.contents.addDrive(new ReadOnlyDrive(app.serviceManager.contents));
    // Files saved or renamed through JupyterLab show at once, without waiting for the poll:
    // only the roots that hold them are read again.
    app.serviceManager.contents.fileChanged.connect((_, change) => {
      const paths = [change.oldValue?.path, change.newValue?.path].filter(
        (path): path is string => typeof path === 'string'
      );
      void model.refreshRootsContaining(paths);
    });

    const panel = new StoragePanel({
      model,
      trans,
      translator: translator ?? undefined,
      commands: app.commands,
      openTrialsCommand: CommandIDs.openTrials,
      contextMenuHitTest: test => app.contextMenuHitTest(test)
    });
    if (toolbarFactory !== undefined) setToolbar(panel, toolbarFactory);
    panel.title.icon = axopyStorageIcon;
    panel.title.caption = trans.__('AxoPy storage');
    app.shell.add(panel, 'left', { rank: 600 });
    restorer?.add(panel, STORAGE_PANEL_ID);

    if (initial.openOnStart ?? true) {
      void app.restored.then(() => app.shell.activateById(panel.id));
    }

    addCommands({
      app,
      model,
      browser: panel,
      trans,
      showPanel: () => app.shell.activateById(panel.id),
      fileBrowser,
      palette
    });
    return panel;
  }
};

/** The storage model of the sidebar, for extensions that only read the tree. */
export const modelPlugin: JupyterFrontEndPlugin<IStorageModel> = {
  id: 'jupyterlab-axopy:model',
  description: "The AxoPy storage model (the sidebar's tree of roots, subjects and tasks).",
  autoStart: true,
  provides: IStorageModel,
  requires: [IStorageBrowser],
  activate: (_app: JupyterFrontEnd, browser: IStorageBrowser): IStorageModel => browser.model
};
