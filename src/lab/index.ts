/**
 * The JupyterLab plugins of jupyterlab-axopy.
 */
import {
  ILayoutRestorer,
  type JupyterFrontEnd,
  type JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { DEFAULT_ROOT } from '../core/layout.js';
import { CommandIDs, addCommands } from './commands.js';
import { StorageModel } from './model/storage-model.js';
import { ContentsStorageProvider } from './provider/contents.js';
import { Hdf5DatasetCounter } from './provider/hdf5-counter.js';
import { previewsPlugin } from './previews/plugin.js';
import { IStorageModel } from './tokens.js';
import { axopyStorageIcon } from './widgets/icons.js';
import { TRANSLATION_DOMAIN } from './widgets/messages.js';
import { StoragePanel } from './widgets/storage-panel.js';

const SIDEBAR_PLUGIN_ID = 'jupyterlab-axopy:sidebar';

/** The settings of the sidebar plugin (schema/sidebar.json). */
interface ISidebarSettings {
  roots: string[];
  refreshInterval: number;
  datasetCountMaxBytes: number;
}

function readSettings(settings: ISettingRegistry.ISettings): ISidebarSettings {
  return settings.composite as unknown as ISidebarSettings;
}

/** The AxoPy storage sidebar; provides the storage model to other extensions. */
const sidebarPlugin: JupyterFrontEndPlugin<IStorageModel> = {
  id: SIDEBAR_PLUGIN_ID,
  description: 'A left-sidebar tree of AxoPy storage: subjects, tasks, trials and arrays.',
  autoStart: true,
  provides: IStorageModel,
  optional: [ISettingRegistry, ITranslator, ILayoutRestorer, IDefaultFileBrowser, ICommandPalette],
  activate: async (
    app: JupyterFrontEnd,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null,
    restorer: ILayoutRestorer | null,
    fileBrowser: IDefaultFileBrowser | null,
    palette: ICommandPalette | null
  ): Promise<IStorageModel> => {
    const trans = (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
    const settings = settingRegistry ? await settingRegistry.load(SIDEBAR_PLUGIN_ID) : null;
    // Without a settings registry, the model's own defaults apply.
    const initial: Partial<ISidebarSettings> = settings
      ? readSettings(settings)
      : { roots: [DEFAULT_ROOT] };
    const model = new StorageModel({
      provider: new ContentsStorageProvider({
        contents: app.serviceManager.contents,
        datasetCounter: new Hdf5DatasetCounter(app.serviceManager.serverSettings)
      }),
      roots: initial.roots,
      refreshInterval: initial.refreshInterval,
      datasetCountMaxBytes: initial.datasetCountMaxBytes
    });
    settings?.changed.connect(() => {
      const current = readSettings(settings);
      model.refreshInterval = current.refreshInterval;
      model.datasetCountMaxBytes = current.datasetCountMaxBytes;
      model.setConfiguredRoots(current.roots);
    });
    model.refreshFailed.connect((_, failure) => {
      Notification.error(
        trans.__('AxoPy storage: could not read %1: %2', failure.path || '/', failure.error.message),
        { autoClose: 5000 }
      );
    });
    // Files saved or renamed through JupyterLab show at once, without waiting for the poll.
    app.serviceManager.contents.fileChanged.connect(() => void model.refresh());

    const panel = new StoragePanel({
      model,
      trans,
      translator: translator ?? undefined,
      commands: app.commands,
      openTrialsCommand: CommandIDs.openTrials
    });
    panel.id = 'jupyterlab-axopy-storage';
    panel.title.icon = axopyStorageIcon;
    panel.title.caption = trans.__('AxoPy storage');
    app.shell.add(panel, 'left', { rank: 600 });
    restorer?.add(panel, 'jupyterlab-axopy-storage');

    addCommands({
      app,
      model,
      tree: panel.tree,
      trans,
      showPanel: () => app.shell.activateById(panel.id),
      fileBrowser,
      palette
    });
    return model;
  }
};

export default [sidebarPlugin, previewsPlugin];
