/**
 * The trials table: a virtualised @lumino/datagrid over a {@link TrialsView} (only visible cells
 * are drawn, so 10 000 rows scroll like 10), with a text filter, sorting by a click on a column
 * header, each column's dtype in its header, and colours from the JupyterLab theme.
 */
import { BasicMouseHandler, BasicSelectionModel, DataGrid, DataModel, TextRenderer } from '@lumino/datagrid';
import { Signal, type ISignal } from '@lumino/signaling';
import { Panel, Widget } from '@lumino/widgets';
import type { TranslationBundle } from '@jupyterlab/translation';
import { FILTER_SYNTAX_HINT } from '../../core/filter-expression.js';
import { CellCopyKeyHandler } from './cell-copy.js';
import { batchCellCopies } from './grid-paint.js';
import { cssVar } from './theme.js';
import { TrialsView } from './trials-view.js';

/** The view as the grid's data model: view rows, with the trial's row index as row header. */
class TrialsDataModel extends DataModel {
  constructor(public view: TrialsView) {
    super();
  }

  rowCount(region: DataModel.RowRegion): number {
    return region === 'body' ? this.view.rows.length : 1;
  }

  columnCount(region: DataModel.ColumnRegion): number {
    return region === 'body' ? this.view.columns.length : 1;
  }

  data(region: DataModel.CellRegion, row: number, column: number): string {
    const name = this.view.columns[column];
    switch (region) {
      case 'body':
        return this.view.text(this.view.rows[row], name);
      case 'row-header':
        return String(this.view.rows[row]);
      case 'column-header': {
        const sort = this.view.sort;
        const arrow = sort?.column === name ? (sort.descending ? ' ▼' : ' ▲') : '';
        return `${name} (${this.view.parsed.dtypes[name]})${arrow}`;
      }
      case 'corner-header':
        return 'row';
    }
  }

  /** Tells the grid everything changed (new contents, sort or filter). */
  reset(view: TrialsView): void {
    this.view = view;
    this.emitChanged({ type: 'model-reset' });
  }
}

/** Sorts when a column header is clicked: ascending, then descending, then file order. */
class SortingMouseHandler extends BasicMouseHandler {
  constructor(private readonly _onHeaderClick: (column: number) => void) {
    super();
  }

  onMouseDown(grid: DataGrid, event: MouseEvent): void {
    const hit = grid.hitTest(event.clientX, event.clientY);
    if (hit.region === 'column-header' && hit.column >= 0 && event.button === 0) {
      // A click near a column edge resizes (the base class): only the middle sorts.
      const edge = Math.min(hit.x, hit.width - hit.x);
      if (edge > 5) {
        this._onHeaderClick(hit.column);
        return;
      }
    }
    super.onMouseDown(grid, event);
  }
}

function themeStyle(): { style: DataGrid.Style; text: TextRenderer } {
  const even = cssVar('--jp-layout-color1', 'white');
  const odd = cssVar('--jp-layout-color0', 'white');
  const style: DataGrid.Style = {
    voidColor: odd,
    backgroundColor: odd,
    rowBackgroundColor: (i: number) => (i % 2 === 0 ? even : odd),
    gridLineColor: cssVar('--jp-border-color2', 'rgba(20, 20, 20, 0.15)'),
    headerBackgroundColor: cssVar('--jp-layout-color2', '#eee'),
    headerGridLineColor: cssVar('--jp-border-color1', 'rgba(20, 20, 20, 0.25)'),
    selectionFillColor: 'rgba(33, 150, 243, 0.2)',
    selectionBorderColor: cssVar('--jp-brand-color1', '#1976d2'),
    cursorBorderColor: cssVar('--jp-brand-color1', '#1976d2'),
    headerSelectionFillColor: 'rgba(33, 150, 243, 0.2)'
  };
  const text = new TextRenderer({
    // A cell narrower than its text ends in "…" (the full text: hover, or copy).
    elideDirection: 'right',
    font: `${cssVar('--jp-code-font-size', '13px')} ${cssVar('--jp-code-font-family', 'monospace')}`,
    textColor: cssVar('--jp-ui-font-color1', 'black')
  });
  return { style, text };
}

/** The trials table with its filter box; tells which trial is selected. */
export class TrialsGrid extends Panel {
  constructor(trans: TranslationBundle) {
    super();
    this.addClass('jp-AxoPyPreview-trials');
    const bar = document.createElement('div');
    bar.className = 'jp-AxoPyPreview-trialsBar';
    this._filter = document.createElement('input');
    this._filter.type = 'search';
    this._filter.className = 'jp-AxoPyPreview-filter jp-mod-styled';
    this._filter.placeholder = trans.__('Filter: text, or column > 0.5');
    this._filter.title = trans.__('Filter trials by %1', FILTER_SYNTAX_HINT);
    this._filter.setAttribute('aria-label', trans.__('Filter trials'));
    this._filter.addEventListener('input', () => this._refilter());
    this._summary = document.createElement('span');
    this._summary.className = 'jp-AxoPyPreview-trialsSummary';
    bar.append(this._filter, this._summary);
    this._trans = trans;
    this.addWidget(new Widget({ node: bar }));

    this._model = new TrialsDataModel(new TrialsView({ columns: [], dtypes: {}, values: {}, rowCount: 0 }));
    this._grid = new DataGrid({
      defaultSizes: { rowHeight: 22, columnWidth: 110, rowHeaderWidth: 56, columnHeaderHeight: 24 }
    });
    this._grid.addClass('jp-AxoPyPreview-grid');
    batchCellCopies(this._grid);
    this._grid.dataModel = this._model;
    this._grid.keyHandler = new CellCopyKeyHandler();
    this._grid.mouseHandler = new SortingMouseHandler(column => this._toggleSort(column));
    this._selection = new BasicSelectionModel({ dataModel: this._model, selectionMode: 'row' });
    this._grid.selectionModel = this._selection;
    this._selection.changed.connect(this._onSelectionChanged, this);
    this.addWidget(this._grid);
    // Hover shows the full text of a cell or header (cut with "…" when the column is narrow).
    this._grid.node.addEventListener('mousemove', event => this._showTitle(event));
    this.applyTheme();
  }

  /** The text under the pointer (full, however narrow its column), as the grid's title. */
  cellTitleAt(clientX: number, clientY: number): string {
    const hit = this._grid.hitTest(clientX, clientY);
    const model = this._grid.dataModel;
    if (model === null || hit.row < 0 || hit.column < 0 || hit.region === 'void') return '';
    if (hit.region === 'body' || hit.region === 'column-header' || hit.region === 'row-header') {
      return String(model.data(hit.region, hit.row, hit.column));
    }
    return '';
  }

  private _showTitle(event: MouseEvent): void {
    const title = this.cellTitleAt(event.clientX, event.clientY);
    if (this._grid.node.title !== title) this._grid.node.title = title;
  }

  /** The column headers' texts (name, dtype, the sort's direction). */
  headerTexts(): string[] {
    const model = this._grid.dataModel;
    if (model === null) return [];
    return Array.from({ length: model.columnCount('body') }, (_, column) =>
      String(model.data('column-header', 0, column))
    );
  }

  /** Emitted when the rows shown change (contents, sort, filter). */
  get viewChanged(): ISignal<this, void> {
    return this._viewChanged;
  }

  /** Emitted with the selected trial (row index in trials.csv), or undefined for none. */
  get trialSelected(): ISignal<this, number | undefined> {
    return this._trialSelected;
  }

  get view(): TrialsView {
    return this._model.view;
  }

  /**
   * The texts of the first `rows` body rows as the grid itself gets them (through the data
   * model it draws from): what the preview's test hook publishes, so tests see the table the
   * user sees, not only the view behind it.
   */
  bodyTexts(rows: number): string[][] {
    const model = this._grid.dataModel;
    if (model === null) return [];
    const count = Math.min(rows, model.rowCount('body'));
    const columns = model.columnCount('body');
    return Array.from({ length: count }, (_, row) =>
      Array.from({ length: columns }, (_, column) => String(model.data('body', row, column)))
    );
  }

  /** The line under the filter: trial counts, and why a filter expression is not applied. */
  get summaryText(): string {
    return this._summary.textContent ?? '';
  }

  /** The selected trial (row index in trials.csv). */
  get selectedTrial(): number | undefined {
    return this._selectedTrial;
  }

  /** The underlying grid (for focus). */
  get grid(): DataGrid {
    return this._grid;
  }

  /** Shows new contents, keeping sort, filter and the selected trial. */
  setContents(view: TrialsView): void {
    // A reset keeps the selection's view row (the selection model clamps it): the trial now at
    // that row is not the selected one. The selection is put back by trial just after.
    this._restoring = true;
    try {
      this._model.reset(view);
    } finally {
      this._restoring = false;
    }
    this._updateSummary();
    this._restoreSelection();
    this._viewChanged.emit();
  }

  /** Selects a trial (and scrolls to it); nothing when it is filtered out. */
  selectTrial(row: number | undefined): void {
    const viewRow = row === undefined ? -1 : this.view.viewRowOf(row);
    if (viewRow < 0) {
      this._selection.clear();
      this._setSelectedTrial(undefined);
      return;
    }
    const last = this.view.columns.length - 1;
    this._selection.select({
      r1: viewRow,
      c1: 0,
      r2: viewRow,
      c2: Math.max(0, last),
      cursorRow: viewRow,
      cursorColumn: 0,
      clear: 'all'
    });
    this._grid.scrollToRow(viewRow);
  }

  /** Re-reads the theme's colours. */
  applyTheme(): void {
    const { style, text } = themeStyle();
    this._grid.style = style;
    this._grid.cellRenderers.update({ body: text, 'column-header': text, 'row-header': text, 'corner-header': text });
  }

  private _toggleSort(column: number): void {
    const name = this.view.columns[column];
    const current = this.view.sort;
    const next =
      current?.column !== name
        ? { column: name, descending: false }
        : current.descending
          ? undefined
          : { column: name, descending: true };
    this.view.setSort(next);
    this.setContents(this.view);
  }

  private _refilter(): void {
    this.view.setFilter(this._filter.value);
    this.setContents(this.view);
  }

  private _restoreSelection(): void {
    const keep = this._selectedTrial;
    this._restoring = true;
    try {
      this.selectTrial(keep);
    } finally {
      this._restoring = false;
    }
    if (keep !== undefined && this.view.viewRowOf(keep) < 0) {
      this._setSelectedTrial(undefined);
    }
  }

  private _onSelectionChanged(): void {
    if (this._restoring) {
      return;
    }
    const cursor = this._selection.cursorRow;
    const row = cursor >= 0 && cursor < this.view.rows.length ? this.view.rows[cursor] : undefined;
    this._setSelectedTrial(row);
  }

  private _setSelectedTrial(row: number | undefined): void {
    if (row !== this._selectedTrial) {
      this._selectedTrial = row;
      this._trialSelected.emit(row);
    }
  }

  private _updateSummary(): void {
    const total = this.view.parsed.rowCount;
    const shown = this.view.rows.length;
    const query = this.view.filterQuery;
    const counted =
      shown === total
        ? this._trans._n('%1 trial', '%1 trials', total)
        : this._trans.__('%1 of %2 trials', shown, total);
    this._summary.textContent =
      query.kind === 'invalid' ? this._trans.__('%1 (filter not applied: %2)', counted, query.message) : counted;
    this._summary.classList.toggle('jp-mod-invalid', query.kind === 'invalid');
    this._filter.classList.toggle('jp-mod-invalid', query.kind === 'invalid');
  }

  private readonly _trans: TranslationBundle;
  private readonly _filter: HTMLInputElement;
  private readonly _summary: HTMLSpanElement;
  private readonly _model: TrialsDataModel;
  private readonly _grid: DataGrid;
  private readonly _selection: BasicSelectionModel;
  private readonly _viewChanged = new Signal<this, void>(this);
  private readonly _trialSelected = new Signal<this, number | undefined>(this);
  private _selectedTrial: number | undefined;
  private _restoring = false;
}
