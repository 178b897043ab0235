/**
 * Colours of groups and of the epochs image, from the JupyterLab theme (canvas drawing cannot
 * use CSS variables, so they are read and resolved to RGB).
 */
import { cssVar } from '../previews/theme.js';

/** Theme variables whose colours tell groups apart, in order. */
const GROUP_COLOR_VARIABLES: readonly [string, string][] = [
  ['--jp-brand-color1', '#1976d2'],
  ['--jp-error-color1', '#d32f2f'],
  ['--jp-success-color1', '#388e3c'],
  ['--jp-warn-color1', '#f57c00'],
  ['--jp-accent-color1', '#7b1fa2'],
  ['--jp-info-color1', '#0097a7'],
  ['--jp-ui-font-color1', '#212121']
];

export type Rgb = readonly [number, number, number];

/** Any CSS colour as RGB, as the browser resolves it. */
export function toRgb(color: string): Rgb {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  context.fillStyle = color;
  context.fillRect(0, 0, 1, 1);
  const [r, g, b] = context.getImageData(0, 0, 1, 1).data;
  return [r, g, b];
}

export const rgbText = ([r, g, b]: Rgb, alpha = 1): string => `rgba(${r}, ${g}, ${b}, ${alpha})`;

/** The colour of each of `count` groups. */
export function groupColors(count: number): Rgb[] {
  const palette = GROUP_COLOR_VARIABLES.map(([name, fallback]) => toRgb(cssVar(name, fallback)));
  return Array.from({ length: count }, (_, i) => palette[i % palette.length]);
}

/** Negative, zero and positive ends of the epochs image's colour scale. */
export function imageScale(): [Rgb, Rgb, Rgb] {
  return [
    toRgb(cssVar('--jp-brand-color1', '#1976d2')),
    toRgb(cssVar('--jp-layout-color0', '#ffffff')),
    toRgb(cssVar('--jp-error-color1', '#d32f2f'))
  ];
}
