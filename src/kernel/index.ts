/**
 * The kernel API: Python AxoPy's `axopy.storage` for Node and tslab notebooks.
 *
 * `import { Storage, Design, readHdf5 } from 'jupyterlab-axopy/kernel'`
 *
 * The documented names only (README, "Public names of jupyterlab-axopy/kernel"; a unit test
 * keeps the two equal). Every type of the core stays importable (`import type`).
 */
export type * from '../core/index.js';
export { Design, Block, Trial, DataArray } from '../core/design.js';
export { zeros } from '../core/ndarray.js';
export { datasetNameForRow, sortIds } from '../core/layout.js';
export { loadPickle, dumpPickle } from '../core/pickle/index.js';
export {
  AxoPyError,
  TaskExistsError,
  TaskNotFoundError,
  NoSubjectError,
  FileNotFoundError,
  FileExistsError,
  DatasetError,
  FormatError,
  InvalidIdError,
  ValueFormatError,
  UnsafePickleError,
  DatasetRefusedError,
  DiskFullError,
  PermissionError,
  TaskLockedError,
  TrialIndexError,
  SubjectNotFoundError,
  ArrayNotFoundError,
  ReadOnlyStorageError
} from '../core/errors.js';
export { SidecarFormatError } from '../core/array-sidecar.js';
export { Storage, openStorage } from './storage.js';
export type { StorageOptions } from './storage.js';
export { TaskWriter } from './task-writer.js';
export type { TrialLike } from './task-writer.js';
export { TaskReader } from './task-reader.js';
export type { ColumnTable } from './task-reader.js';
export { TrialWriter } from './trial-writer.js';
export type { TrialWriterOptions } from './trial-writer.js';
export { makedirs } from './files.js';
export { readHdf5, writeHdf5 } from './hdf5.js';
export { storageToZip } from './zip.js';
export type { StorageToZipOptions, ZipProgress } from './zip.js';
export { checkStorage, describeTaskFolder } from './check.js';
export { showTable, plotArray, plotTrial, plotBands, plotFeatures } from './display.js';
export { arraySvg, trialSvg } from './display-plot.js';
export type * from './display.js';
export { withColumnDTypes } from './display-table.js';
export { bandsSvg, bandPoints, featuresSvg } from './display-bands.js';
export { Epochs, features, groupStats } from './epochs.js';
export type { TrialRow, TrialSelection, FeatureFunction, FeatureSpec, GroupStats } from './epochs.js';
export {
  sum,
  mean,
  variance,
  std,
  min,
  max,
  abs,
  square,
  sqrt,
  toFloat64,
  meanAbsoluteValue,
  waveformLength,
  zeroCrossings,
  slopeSignChanges,
  rootMeanSquare,
  integratedEmg,
  logvar,
  butter,
  sosfilt,
  filtfilt,
  decimate,
  rectify,
  movingAverage,
  movingRms,
  trialStats,
  GroupAccumulator,
  welch,
  epochsImageOrder
} from '../core/analysis/index.js';
export type {
  WelchOptions,
  WelchResult,
  ArrayInput,
  AxisOptions,
  Float64NDArray,
  ReduceOptions,
  VarianceOptions,
  FeatureOptions,
  ThresholdOptions,
  MavWeights,
  MeanAbsoluteValueOptions,
  FilterType,
  ButterOptions,
  Sos,
  TimeAxisOptions,
  FiltfiltOptions,
  DecimateOptions,
  TrialStats
} from '../core/analysis/index.js';
