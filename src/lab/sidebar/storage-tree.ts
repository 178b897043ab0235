/**
 * The storage tree view: renders the model's tree as an ARIA tree and forwards user intent
 * (expand, collapse, open) to the model and the command registry. Names from disk are set as
 * text, never parsed as HTML.
 */
import type { CommandRegistry } from '@lumino/commands';
import type { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import type { TranslationBundle } from '@jupyterlab/translation';
import {
  caretDownIcon,
  caretRightIcon,
  fileIcon,
  folderIcon,
  spreadsheetIcon,
  type LabIcon
} from '@jupyterlab/ui-components';
import { CommandIDs } from './commands.js';
import type { IStorageModel } from '../tokens.js';
import { visibleNodes, type IStorageNode } from './tree.js';
import { describeCount, describeNode, describeProblem } from '../messages.js';

/** Options of {@link StorageTreeView}. */
export interface IStorageTreeViewOptions {
  readonly model: IStorageModel;
  readonly trans: TranslationBundle;
  readonly commands: CommandRegistry;
  /** Command run with `{ path }` to open a trials.csv when there is no preview command. */
  readonly openTrialsCommand: string;
  /**
   * Command run with `{ path, kind }` when a task, its trials.csv, an array file or a pickle is
   * opened (Enter, double click): the task's preview. Default: Preview Task.
   */
  readonly previewCommand?: string;
}

/** Kinds of node that open the task's preview on Enter or double click. */
const PREVIEWED_KINDS: ReadonlySet<string> = new Set(['task', 'trials', 'array', 'pickle']);
/** Most milliseconds between the two clicks of a double click. */
const DOUBLE_CLICK_MS = 500;

const ITEM_CLASS = 'jp-AxoPyStorage-item';
const ROW_CLASS = 'jp-AxoPyStorage-row';

const ICON_OF_KIND: Record<IStorageNode['kind'], LabIcon | undefined> = {
  root: folderIcon,
  subject: folderIcon,
  task: folderIcon,
  trials: spreadsheetIcon,
  array: fileIcon,
  pickle: fileIcon,
  note: undefined
};

/** The tree of storage roots; the model tells what to show, this only shows it. */
export class StorageTreeView extends Widget {
  constructor(options: IStorageTreeViewOptions) {
    super();
    this._model = options.model;
    this._trans = options.trans;
    this._commands = options.commands;
    this._openTrialsCommand = options.openTrialsCommand;
    this._previewCommand = options.previewCommand ?? CommandIDs.previewTask;
    this.addClass('jp-AxoPyStorage-tree');
    this._list = document.createElement('ul');
    this._list.setAttribute('role', 'tree');
    this._list.setAttribute('aria-label', this._trans.__('AxoPy storage'));
    this.node.appendChild(this._list);
    this._model.changed.connect(this._render, this);
    this._render();
  }

  /** The node an element of this view (or one inside it) stands for. */
  nodeForElement(element: Element | null): IStorageNode | undefined {
    const item = element?.closest(`.${ITEM_CLASS}`);
    return item ? this._nodeOfItem.get(item) : undefined;
  }

  /** The node that has (or last had) keyboard focus. */
  get focusedNode(): IStorageNode | undefined {
    return this._focusedId === undefined ? undefined : this._nodeById(this._focusedId);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._model.changed.disconnect(this._render, this);
    super.dispose();
  }

  handleEvent(event: Event): void {
    switch (event.type) {
      case 'keydown':
        this._onKeyDown(event as KeyboardEvent);
        break;
      case 'click':
        this._onClick(event as MouseEvent);
        break;
      case 'dblclick':
        this._onDoubleClick(event as MouseEvent);
        break;
      case 'focusin':
        this._onFocusIn(event as FocusEvent);
        break;
    }
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    for (const type of ['keydown', 'click', 'dblclick', 'focusin']) {
      this._list.addEventListener(type, this);
    }
  }

  protected onBeforeDetach(msg: Message): void {
    for (const type of ['keydown', 'click', 'dblclick', 'focusin']) {
      this._list.removeEventListener(type, this);
    }
    super.onBeforeDetach(msg);
  }

  protected onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    this._focusItem(this._focusedId ?? this._model.tree[0]?.id);
  }

  private _nodeById(id: string): IStorageNode | undefined {
    return visibleNodes(this._model.tree).find(node => node.id === id);
  }

  private _render(): void {
    const hadFocus = this._list.contains(document.activeElement);
    this._itemById.clear();
    const visible = visibleNodes(this._model.tree);
    if (!visible.some(node => node.id === this._focusedId)) {
      this._focusedId = visible[0]?.id;
    }
    this._list.replaceChildren(...this._model.tree.map(node => this._renderItem(node, 1)));
    if (hadFocus) {
      this._focusItem(this._focusedId);
    }
  }

  private _renderItem(node: IStorageNode, level: number): HTMLElement {
    const item = document.createElement('li');
    item.className = ITEM_CLASS;
    item.dataset.kind = node.kind;
    item.dataset.path = node.path;
    item.setAttribute('role', 'treeitem');
    item.setAttribute('aria-level', String(level));
    const focused = node.id === this._focusedId;
    item.setAttribute('aria-selected', String(focused));
    item.tabIndex = focused ? 0 : -1;
    if (node.expandable) {
      item.setAttribute('aria-expanded', String(node.expanded));
    }
    if (node.problem !== undefined) {
      item.classList.add('jp-mod-problem');
    }
    if (node.datasetCountProblem !== undefined) {
      // A distinct state per reason (styled and queried by it): refused, unreadable, too large.
      item.dataset.countProblem = node.datasetCountProblem;
    }
    item.title = describeNode(this._trans, node);
    item.appendChild(this._renderRow(node));
    if (node.expanded && node.children.length > 0) {
      const group = document.createElement('ul');
      group.setAttribute('role', 'group');
      group.append(...node.children.map(child => this._renderItem(child, level + 1)));
      item.appendChild(group);
    }
    this._nodeOfItem.set(item, node);
    this._itemById.set(node.id, item);
    return item;
  }

  private _renderRow(node: IStorageNode): HTMLElement {
    const row = document.createElement('div');
    row.className = ROW_CLASS;
    const caret = document.createElement('span');
    caret.className = 'jp-AxoPyStorage-caret';
    if (node.expandable) {
      (node.expanded ? caretDownIcon : caretRightIcon).element({ container: caret });
    }
    row.appendChild(caret);
    const kindIcon = ICON_OF_KIND[node.kind];
    if (kindIcon !== undefined) {
      const icon = document.createElement('span');
      icon.className = 'jp-AxoPyStorage-icon';
      kindIcon.element({ container: icon });
      row.appendChild(icon);
    }
    const label = document.createElement('span');
    label.className = 'jp-AxoPyStorage-label';
    label.textContent =
      node.kind === 'note' && node.problem ? describeProblem(this._trans, node.problem) : node.label || '/';
    row.appendChild(label);
    const count = describeCount(this._trans, node);
    if (count !== '') {
      const detail = document.createElement('span');
      detail.className = 'jp-AxoPyStorage-count';
      detail.textContent = count;
      row.appendChild(detail);
    }
    if (node.kind === 'root' && node.problem !== undefined) {
      const problem = document.createElement('div');
      problem.className = 'jp-AxoPyStorage-problem';
      problem.textContent = describeProblem(this._trans, node.problem);
      row.appendChild(problem);
    }
    return row;
  }

  private _focusItem(id: string | undefined): void {
    if (id === undefined) {
      return;
    }
    const previous = this._focusedId === undefined ? undefined : this._itemById.get(this._focusedId);
    const next = this._itemById.get(id);
    if (next === undefined) {
      return;
    }
    if (previous !== undefined && previous !== next) {
      previous.tabIndex = -1;
      previous.setAttribute('aria-selected', 'false');
    }
    this._focusedId = id;
    next.tabIndex = 0;
    next.setAttribute('aria-selected', 'true');
    next.focus();
  }

  private _onFocusIn(event: FocusEvent): void {
    const node = this.nodeForElement(event.target as Element);
    if (node !== undefined && node.id !== this._focusedId) {
      this._focusItem(node.id);
    }
  }

  private _onClick(event: MouseEvent): void {
    const node = this.nodeForElement(event.target as Element);
    if (node === undefined) {
      return;
    }
    // A second click on the same node soon after the first is a double click. The browser's
    // own dblclick does not come when the first click re-rendered the row (expanding a task
    // replaces its element, and the click count starts again on the new one).
    const last = this._lastClick;
    this._lastClick = { id: node.id, time: event.timeStamp };
    if (last?.id === node.id && event.timeStamp - last.time < DOUBLE_CLICK_MS && this._open(node)) {
      this._lastClick = undefined;
      this._openedAt = event.timeStamp;
      return;
    }
    this._focusItem(node.id);
    if (node.expandable) {
      this._toggle(node);
    }
  }

  private _onDoubleClick(event: MouseEvent): void {
    // Already opened by the click pair (see _onClick).
    if (this._openedAt !== undefined && event.timeStamp - this._openedAt < DOUBLE_CLICK_MS) return;
    const node = this.nodeForElement(event.target as Element);
    if (node !== undefined) this._open(node);
  }

  /**
   * Opens what a node shows: a task and its files open the task's preview (a trials.csv its
   * table); the CSV viewer stays in the context menu. Returns whether the node opens at all.
   */
  private _open(node: IStorageNode): boolean {
    if (!PREVIEWED_KINDS.has(node.kind)) return false;
    if (this._commands.hasCommand(this._previewCommand)) {
      void this._commands.execute(this._previewCommand, { path: node.path, kind: node.kind });
    } else if (node.kind === 'trials') {
      void this._commands.execute(this._openTrialsCommand, { path: node.path });
    } else {
      return false;
    }
    return true;
  }

  private _toggle(node: IStorageNode): void {
    if (node.expanded) {
      this._model.collapse(node);
    } else {
      void this._model.expand(node);
    }
  }

  private _parentOf(node: IStorageNode): IStorageNode | undefined {
    const find = (nodes: readonly IStorageNode[], parent?: IStorageNode): IStorageNode | undefined => {
      for (const candidate of nodes) {
        if (candidate.id === node.id) {
          return parent;
        }
        const found = candidate.expanded ? find(candidate.children, candidate) : undefined;
        if (found !== undefined) {
          return found;
        }
      }
      return undefined;
    };
    return find(this._model.tree);
  }

  private _onKeyDown(event: KeyboardEvent): void {
    const node = this.focusedNode;
    if (node === undefined) {
      return;
    }
    const visible = visibleNodes(this._model.tree);
    const index = visible.findIndex(candidate => candidate.id === node.id);
    let handled = true;
    switch (event.key) {
      case 'ArrowDown':
        this._focusItem(visible[Math.min(index + 1, visible.length - 1)]?.id);
        break;
      case 'ArrowUp':
        this._focusItem(visible[Math.max(index - 1, 0)]?.id);
        break;
      case 'Home':
        this._focusItem(visible[0]?.id);
        break;
      case 'End':
        this._focusItem(visible[visible.length - 1]?.id);
        break;
      case 'ArrowRight':
        if (node.expandable && !node.expanded) {
          void this._model.expand(node);
        } else if (node.expanded) {
          this._focusItem(node.children[0]?.id);
        }
        break;
      case 'ArrowLeft':
        if (node.expanded) {
          this._model.collapse(node);
        } else {
          this._focusItem(this._parentOf(node)?.id);
        }
        break;
      case 'Enter':
        if (this._open(node)) {
          // opened
        } else if (node.expandable) {
          this._toggle(node);
        }
        break;
      default:
        handled = false;
    }
    if (handled) {
      event.preventDefault();
      event.stopPropagation();
    }
  }

  private readonly _previewCommand: string;
  private _lastClick: { id: string; time: number } | undefined;
  private _openedAt: number | undefined;
  private readonly _model: IStorageModel;
  private readonly _trans: TranslationBundle;
  private readonly _commands: CommandRegistry;
  private readonly _openTrialsCommand: string;
  private readonly _list: HTMLUListElement;
  private readonly _nodeOfItem = new WeakMap<Element, IStorageNode>();
  private readonly _itemById = new Map<string, HTMLElement>();
  private _focusedId: string | undefined;
}
