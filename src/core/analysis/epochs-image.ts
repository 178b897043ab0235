/**
 * The epochs image (MNE's `plot_epochs_image`): one channel's trials as rows of a
 * trials x time image, rows ordered by a value per trial (a feature column), so a trend
 * across trials shows as a gradient.
 */

/**
 * The trial positions ordered by `sortBy` ascending (a stable sort: equal values keep trial
 * order, as `np.argsort(kind='stable')`; NaN last, as NumPy). Without `sortBy`, trial order.
 */
export function epochsImageOrder(trialCount: number, sortBy?: ArrayLike<number>): number[] {
  const order = Array.from({ length: trialCount }, (_, i) => i);
  if (sortBy === undefined) return order;
  if (sortBy.length !== trialCount)
    throw new RangeError(`epochs image: ${sortBy.length} sort values for ${trialCount} trials`);
  const rank = (v: number): number => (Number.isNaN(v) ? Infinity : v);
  return order.sort((a, b) => {
    const va = sortBy[a],
      vb = sortBy[b];
    if (Number.isNaN(va) !== Number.isNaN(vb)) return Number.isNaN(va) ? 1 : -1;
    return rank(va) - rank(vb) || a - b;
  });
}

/**
 * The image of channel `channel`: row r holds the samples of trial `order[r]`, from `data`
 * laid out (trials, channels, samples). Returns rows * samples float64 values.
 */
export function epochsImage(
  data: Float64Array,
  shape: readonly [number, number, number],
  channel: number,
  order: readonly number[]
): Float64Array {
  const [trials, channels, samples] = shape;
  if (!Number.isInteger(channel) || channel < 0 || channel >= channels)
    throw new RangeError(`channel ${channel} out of range (${channels} channels)`);
  const image = new Float64Array(order.length * samples);
  order.forEach((trial, row) => {
    if (!Number.isInteger(trial) || trial < 0 || trial >= trials)
      throw new RangeError(`trial ${trial} out of range (${trials} trials)`);
    const start = (trial * channels + channel) * samples;
    image.set(data.subarray(start, start + samples), row * samples);
  });
  return image;
}
