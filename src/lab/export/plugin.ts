/**
 * The ZIP export plugin.
 */
import { type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStatusBar } from '@jupyterlab/statusbar';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import type { PartialJSONObject, ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { addExportCommand, type IExportSettings } from './commands.js';
import { DestinationMemory } from './destination-choice.js';
import { ExportStatus } from './status.js';
import { IStorageBrowser } from '../tokens.js';
import { TRANSLATION_DOMAIN } from '../messages.js';

const EXPORT_PLUGIN_ID = 'jupyterlab-axopy:export';

/** "Export as ZIP" on storage roots, subjects and tasks (schema/export.json). */
export const exportPlugin: JupyterFrontEndPlugin<void> = {
  id: EXPORT_PLUGIN_ID,
  description: 'Exports an AxoPy storage root, subject or task as a ZIP, downloaded or saved on the server.',
  autoStart: true,
  requires: [IStorageBrowser],
  optional: [ISettingRegistry, ITranslator, IDefaultFileBrowser, ICommandPalette, IStatusBar],
  activate: async (
    app: JupyterFrontEnd,
    browser: IStorageBrowser,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null,
    fileBrowser: IDefaultFileBrowser | null,
    palette: ICommandPalette | null,
    statusBar: IStatusBar | null
  ): Promise<void> => {
    const trans = (translator ?? nullTranslator).load(TRANSLATION_DOMAIN);
    const settings = settingRegistry ? await settingRegistry.load(EXPORT_PLUGIN_ID) : null;
    const defaults: IExportSettings = {
      destination: 'download',
      destinationByRoot: {},
      askDestination: true,
      useSaveFilePicker: true,
      uploadChunkBytes: 8 * 1024 * 1024,
      maxInFlightBytes: 16 * 1024 * 1024
    };
    let status: ExportStatus | undefined;
    if (statusBar) {
      const item = new ExportStatus(trans);
      statusBar.registerStatusItem(EXPORT_PLUGIN_ID, {
        item,
        align: 'left',
        rank: 10,
        isActive: () => item.running,
        activeStateChanged: item.runningChanged
      });
      status = item;
    }
    addExportCommand({
      app,
      model: browser.model,
      browser,
      trans,
      status,
      fileBrowser,
      palette,
      settings: () => (settings ? (settings.composite as unknown as IExportSettings) : defaults),
      destinations: new DestinationMemory(
        settings && {
          read: () => settings.composite.destinationByRoot as ReadonlyPartialJSONObject | undefined,
          write: choices => settings.set('destinationByRoot', { ...choices } as PartialJSONObject)
        }
      )
    });
  }
};
