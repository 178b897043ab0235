/** The AxoPy format, pure: shared by the Node kernel API and the JupyterLab extension. */
export * from './errors.js';
export * from './layout.js';
export * from './ndarray.js';
export * from './array-ops.js';
export * from './design.js';
export * from './random.js';
export * from './pickle/index.js';
export * from './zip-plan.js';
export * from './zip/index.js';
export * from './csv/index.js';
export * from './dtype.js';
export * from './check.js';
export * from './hdf5-metadata.js';
export { type Hdf5ReadLimits, DEFAULT_MAX_DATASET_BYTES } from './hdf5-containment.js';
export * from './hdf5-journal.js';
export * from './task-lock.js';
export * from './array-sidecar.js';
export * from './axis-metadata.js';
