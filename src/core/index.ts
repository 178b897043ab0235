/** The AxoPy format, pure: shared by the Node kernel API and the JupyterLab extension. */
export * from './errors.js';
export * from './layout.js';
export * from './ndarray.js';
export * from './dtype.js';
