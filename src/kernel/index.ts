/**
 * The kernel API: Python AxoPy's `axopy.storage` for Node and tslab notebooks.
 */
export * from '../core/index.js';
export * from './display.js';
