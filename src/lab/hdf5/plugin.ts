/**
 * The HDF5 service plugin: one {@link Hdf5Service} (one worker, one h5wasm instance) for the
 * page, configured by schema/hdf5.json, provided as {@link IHdf5Service}.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { DEFAULT_MAX_DATASET_BYTES } from '../../core/hdf5-containment.js';
import { IHdf5Service } from '../tokens.js';
import { Hdf5Service } from './service.js';

const HDF5_PLUGIN_ID = 'jupyterlab-axopy:hdf5';

/** The settings of schema/hdf5.json. */
interface IHdf5Settings {
  rangeBlockBytes: number;
  rangeCacheBlocks: number;
  maxDatasetBytes: number;
}

const DEFAULTS: IHdf5Settings = {
  rangeBlockBytes: 64 * 1024,
  rangeCacheBlocks: 256,
  maxDatasetBytes: DEFAULT_MAX_DATASET_BYTES
};

function serviceConfig(settings: IHdf5Settings) {
  return {
    blockSize: settings.rangeBlockBytes,
    maxBlocks: settings.rangeCacheBlocks,
    limits: { maxDatasetBytes: settings.maxDatasetBytes }
  };
}

export const hdf5Plugin: JupyterFrontEndPlugin<IHdf5Service> = {
  id: HDF5_PLUGIN_ID,
  description:
    'The HDF5 reader shared by the AxoPy sidebar, previews and dataset check (h5wasm in a Web Worker, HTTP Range reads).',
  autoStart: true,
  provides: IHdf5Service,
  optional: [ISettingRegistry],
  activate: (app: JupyterFrontEnd, settingRegistry: ISettingRegistry | null): IHdf5Service => {
    const service = new Hdf5Service({ serverSettings: app.serviceManager.serverSettings, ...serviceConfig(DEFAULTS) });
    void settingRegistry?.load(HDF5_PLUGIN_ID).then(loaded => {
      const apply = (): void =>
        service.configure(serviceConfig({ ...DEFAULTS, ...(loaded.composite as unknown as Partial<IHdf5Settings>) }));
      apply();
      loaded.changed.connect(apply);
    });
    return service;
  }
};
