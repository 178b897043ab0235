/**
 * The kernel API: Python AxoPy's `axopy.storage` for Node and tslab notebooks.
 *
 * `import { Storage, Design, readHdf5 } from 'jupyterlab-axopy/kernel'`
 */
export * from '../core/index.js';
export { Storage, openStorage } from './storage.js';
export type { StorageOptions } from './storage.js';
export { TaskWriter } from './taskWriter.js';
export type { TrialLike } from './taskWriter.js';
export { TaskReader } from './taskReader.js';
export type { ColumnTable } from './taskReader.js';
export { TrialWriter } from './trialWriter.js';
export type { TrialWriterOptions } from './trialWriter.js';
export { makedirs } from './files.js';
export { readHdf5, writeHdf5, Hdf5File, hdf5ReadCounts } from './hdf5.js';
export { storageToZip } from './zip.js';
export type { StorageToZipOptions, ZipProgress } from './zip.js';
export { checkStorage, describeTaskFolder } from './check.js';
export * from './display.js';
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
