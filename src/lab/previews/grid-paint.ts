/**
 * Cheaper paints for a @lumino/datagrid DataGrid. Lumino 2.5 paints each cell into an
 * off-screen buffer canvas and copies that cell to the screen canvas at once (`_blitContent`),
 * so a paint of N visible cells makes N buffer-to-screen copies. Where canvases are not
 * GPU-backed (software rendering, headless browsers), every copy after a write to the buffer
 * makes Chrome copy the whole buffer, so one screen of the trials table costs as many whole-
 * buffer copies as it has cells, which holds the main thread while the first plot waits.
 * Copying each region's cells once, after they are all painted, gives the same pixels (the
 * cells tile the region, each is cleared before it is painted, and each copy is clipped to
 * the region) for one copy per region.
 */
import type { DataGrid } from '@lumino/datagrid';

/** The private DataGrid members this relies on (checked at run time: absent, nothing changes). */
interface IGridPaintInternals {
  _buffer: HTMLCanvasElement;
  _blitContent(source: CanvasImageSource, x: number, y: number, w: number, h: number, dx: number, dy: number): void;
  _drawCells(region: unknown): void;
}

/** A rectangle in viewport coordinates: [x1, y1] to [x2, y2], inclusive. */
interface IBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/**
 * Makes `grid` copy the cells of each painted region to the screen in one copy. Returns
 * whether it could (false when the DataGrid's internals are not the expected ones).
 */
export function batchCellCopies(grid: DataGrid): boolean {
  const internals = grid as unknown as Partial<IGridPaintInternals>;
  if (typeof internals._blitContent !== 'function' || typeof internals._drawCells !== 'function') {
    return false;
  }
  const blit = internals._blitContent.bind(grid);
  const drawCells = internals._drawCells.bind(grid);
  let pending: IBox | undefined;
  let inCells = false;
  internals._blitContent = (source, x, y, w, h, dx, dy) => {
    // Only the cell copies of _drawCells wait: same place in buffer and screen.
    if (!inCells || source !== internals._buffer || x !== dx || y !== dy) {
      blit(source, x, y, w, h, dx, dy);
      return;
    }
    if (w <= 0 || h <= 0) return;
    const box = { x1: x, y1: y, x2: x + w - 1, y2: y + h - 1 };
    pending =
      pending === undefined
        ? box
        : {
            x1: Math.min(pending.x1, box.x1),
            y1: Math.min(pending.y1, box.y1),
            x2: Math.max(pending.x2, box.x2),
            y2: Math.max(pending.y2, box.y2)
          };
  };
  internals._drawCells = region => {
    inCells = true;
    try {
      drawCells(region);
    } finally {
      inCells = false;
      const box = pending;
      pending = undefined;
      if (box !== undefined) {
        blit(internals._buffer!, box.x1, box.y1, box.x2 - box.x1 + 1, box.y2 - box.y1 + 1, box.x1, box.y1);
      }
    }
  };
  return true;
}
