/**
 * The JupyterLab plugins of jupyterlab-axopy, one feature folder each.
 */
import { exportPlugin } from './export/plugin.js';
import { hdf5Plugin } from './hdf5/plugin.js';
import { notebookPlugin } from './notebook/plugin.js';
import { previewsPlugin } from './previews/plugin.js';
import { modelPlugin, sidebarPlugin } from './sidebar/plugin.js';

export default [hdf5Plugin, sidebarPlugin, modelPlugin, notebookPlugin, exportPlugin, previewsPlugin];
