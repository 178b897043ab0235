/**
 * The left-sidebar panel: a toolbar with refresh, and the storage tree. Polling runs only
 * while the panel is visible.
 */
import type { Message } from '@lumino/messaging';
import { SidePanel, ToolbarButton, refreshIcon } from '@jupyterlab/ui-components';
import type { ITranslator } from '@jupyterlab/translation';
import type { IStorageModel } from '../tokens.js';
import { StorageTreeView, type IStorageTreeViewOptions } from './storage-tree.js';

/** The AxoPy storage sidebar panel. */
export class StoragePanel extends SidePanel {
  constructor(options: IStorageTreeViewOptions & { readonly translator?: ITranslator }) {
    super({ translator: options.translator });
    this._model = options.model;
    this.addClass('jp-AxoPyStorage');
    this.tree = new StorageTreeView(options);
    this.tree.title.label = options.trans.__('AxoPy storage');
    this.toolbar.addItem(
      'refresh',
      new ToolbarButton({
        icon: refreshIcon,
        tooltip: options.trans.__('Refresh AxoPy storage'),
        onClick: () => void this._model.refresh()
      })
    );
    this.addWidget(this.tree);
    this._model.active = false;
  }

  /** The tree view inside the panel. */
  readonly tree: StorageTreeView;

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._model.active = true;
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this._model.active = false;
  }

  protected onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    this.tree.activate();
  }

  private readonly _model: IStorageModel;
}
