/**
 * Ctrl/Cmd+C in the trials table copies the full text of the selected cell (the one clicked or
 * moved to), however narrow its column: a cut cell ends in "…" on screen, its value is whole on
 * the clipboard. Shift+Ctrl/Cmd+C copies the selected row, tab-separated (the grid's own copy).
 */
import { Clipboard } from '@jupyterlab/apputils';
import { BasicKeyHandler, type DataGrid } from '@lumino/datagrid';

/** The text of the selection's cursor cell, or undefined without one. */
export function cursorCellText(grid: DataGrid): string | undefined {
  const model = grid.dataModel;
  const selection = grid.selectionModel;
  if (model === null || selection === null) return undefined;
  const { cursorRow: row, cursorColumn: column } = selection;
  if (row < 0 || column < 0 || row >= model.rowCount('body') || column >= model.columnCount('body')) return undefined;
  return String(model.data('body', row, column));
}

/** The grid's keys (arrows, page keys), with copy of the cell. */
export class CellCopyKeyHandler extends BasicKeyHandler {
  protected onKeyC(grid: DataGrid, event: KeyboardEvent): void {
    if (!(event.ctrlKey || event.metaKey)) return;
    const cell = event.shiftKey ? undefined : cursorCellText(grid);
    if (!event.shiftKey && cell === undefined) return;
    event.preventDefault();
    event.stopPropagation();
    if (cell === undefined) grid.copyToClipboard();
    else Clipboard.copyToSystem(cell);
  }
}
