/**
 * The left-sidebar panel: a toolbar (items declared in schema/sidebar.json) and the storage
 * tree; the {@link IStorageBrowser} other plugins reach it through. Polling runs only while the
 * panel is visible.
 */
import type { Message } from '@lumino/messaging';
import { SidePanel } from '@jupyterlab/ui-components';
import type { ITranslator } from '@jupyterlab/translation';
import { STORAGE_PANEL_ID, type IStorageBrowser, type IStorageModel, type IStorageNode } from '../tokens.js';
import { StorageTreeView, type IStorageTreeViewOptions } from './storage-tree.js';

/** Options of {@link StoragePanel}. */
export interface IStoragePanelOptions extends IStorageTreeViewOptions {
  readonly translator?: ITranslator;
  /** The element under the open context menu that passes `test` (JupyterLab's contextMenuHitTest). */
  readonly contextMenuHitTest: (test: (element: HTMLElement) => boolean) => HTMLElement | undefined;
}

/** The AxoPy storage sidebar panel. */
export class StoragePanel extends SidePanel implements IStorageBrowser {
  constructor(options: IStoragePanelOptions) {
    super({ translator: options.translator });
    this.id = STORAGE_PANEL_ID;
    this.model = options.model;
    this._contextMenuHitTest = options.contextMenuHitTest;
    this.addClass('jp-AxoPyStorage');
    this.tree = new StorageTreeView(options);
    this.tree.title.label = options.trans.__('AxoPy storage');
    this.addWidget(this.tree);
    this.model.active = false;
  }

  /** The tree view inside the panel. */
  readonly tree: StorageTreeView;

  readonly model: IStorageModel;

  get panel(): this {
    return this;
  }

  get selectedNode(): IStorageNode | undefined {
    return this.tree.focusedNode;
  }

  nodeForTarget(target: EventTarget | null): IStorageNode | undefined {
    return target instanceof Element && this.tree.node.contains(target) ? this.tree.nodeForElement(target) : undefined;
  }

  targetNode(): IStorageNode | undefined {
    const hit = this._contextMenuHitTest(
      element => this.tree.node.contains(element) && this.tree.nodeForElement(element) !== undefined
    );
    return hit !== undefined ? this.nodeForTarget(hit) : this.selectedNode;
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.active = true;
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.active = false;
  }

  protected onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    this.tree.activate();
  }

  private readonly _contextMenuHitTest: IStoragePanelOptions['contextMenuHitTest'];
}
