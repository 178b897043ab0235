/** Analysis on float64 arrays: NumPy reductions, AxoPy features, SciPy-compatible filters. */
export type { ArrayInput, AxisOptions, Float64NDArray } from './axis.js';
export { toFloat64 } from './axis.js';
export type { ReduceOptions, VarianceOptions } from './reductions.js';
export { sum, mean, variance, std, min, max, abs, square, sqrt } from './reductions.js';
export type { FeatureOptions, ThresholdOptions, MavWeights, MeanAbsoluteValueOptions } from './features.js';
export {
  meanAbsoluteValue,
  waveformLength,
  zeroCrossings,
  slopeSignChanges,
  rootMeanSquare,
  integratedEmg,
  logvar,
  invertedTWindow,
  trapezoidalWindow
} from './features.js';
export type { FilterType, ButterOptions, Sos } from './filter-design.js';
export { butter, cheby1Lowpass } from './filter-design.js';
export type { TimeAxisOptions, FiltfiltOptions, DecimateOptions } from './filtering.js';
export { sosfilt, sosfiltZi, filtfilt, decimate, rectify, movingAverage, movingRms } from './filtering.js';
export type { TrialStats, KeyedTrialStats } from './trial-stats.js';
export { trialStats, takeTrials, groupedTrialStats } from './trial-stats.js';
export { GroupAccumulator, RunningMoments } from './group-accumulator.js';
export type { WelchOptions, WelchResult } from './welch.js';
export { welch, periodicHann } from './welch.js';
export { epochsImageOrder, epochsImage } from './epochs-image.js';
