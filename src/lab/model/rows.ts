/**
 * Trial row counting for the sidebar: the core's rule (core/csv/rowCount.ts), shared with the
 * kernel's ZIP export.
 */
export { countCompleteRows } from '../../core/csv/rowCount.js';
