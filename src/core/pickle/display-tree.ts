/**
 * A loaded pickle as a tree to display, built lazily: a node's children are made when asked
 * for (when the view expands it). A pickle's memo lets a 200-byte file share one list 22
 * levels deep (`l[k+1] = [l[k], l[k]]`): as a plain tree that is 4 million nodes, which froze
 * the JupyterLab tab. Here each shared object is shown once, where it first appears in the
 * tree (marked `&1`), and every other place it appears says so (`same object as &1`); a budget
 * bounds the nodes one tree makes. Big ints and long strings are summarised at a bounded
 * cost (printing a huge int in full takes time quadratic in its size).
 */
import { pythonFloatRepr } from '../csv/float-repr.js';
import { PyComplex, PyFrozenSet, PyGlobal, PyObject, PyTuple, type PickleValue } from './values.js';

/** One node of the display tree. */
export interface PickleDisplayNode {
  /** Index, dict key or attribute name under its parent; the pickle's name at the root. */
  readonly key: string;
  /** One line: a scalar's text, a container's kind and size, markers of shared objects. */
  readonly summary: string;
  /** Whether `children` gives anything (a container shown here, not elsewhere). */
  readonly expandable: boolean;
}

/** Options of {@link PickleDisplayTree}. */
export interface PickleDisplayOptions {
  /** Children shown per container; the rest is one "… N more" node (default 200). */
  readonly maxChildren?: number;
  /** Nodes one tree makes at most, all expansions together (default 20000). */
  readonly nodeBudget?: number;
  /** Decimal digits of an int printed in full; a longer one is summarised (default 4300, Python's limit). */
  readonly maxIntDigits?: number;
  /** Characters of a string shown (default 1000). */
  readonly maxStringChars?: number;
}

interface NodeState extends PickleDisplayNode {
  readonly value: PickleValue | undefined;
  readonly parent: NodeState | undefined;
}

type Entry = [string, PickleValue];

/** The tree of a pickled value; children are made on demand. */
export class PickleDisplayTree {
  /** The root node (the whole value). */
  readonly root: PickleDisplayNode;
  private readonly maxChildren: number;
  private readonly nodeBudget: number;
  private readonly maxIntDigits: number;
  private readonly maxStringChars: number;
  private nodesMade = 0;
  /** Shared containers: their marker number and where they are shown (first place, in tree order). */
  private readonly shared = new Map<object, { id: number; parent: object | undefined; key: string }>();

  constructor(rootKey: string, value: PickleValue, options: PickleDisplayOptions = {}) {
    this.maxChildren = options.maxChildren ?? 200;
    this.nodeBudget = options.nodeBudget ?? 20000;
    this.maxIntDigits = options.maxIntDigits ?? 4300;
    this.maxStringChars = options.maxStringChars ?? 1000;
    this.findShared(value, rootKey);
    this.root = this.makeNode(rootKey, value, undefined, undefined);
  }

  /** The children of `node` (made now, once per call: keep them), within the node budget. */
  children(node: PickleDisplayNode): PickleDisplayNode[] {
    const state = node as NodeState;
    if (!state.expandable || state.value === undefined) return [];
    const entries = this.entriesOf(state.value);
    const shown = entries.slice(0, this.maxChildren);
    const nodes: PickleDisplayNode[] = [];
    for (const [key, child] of shown) {
      if (this.nodesMade >= this.nodeBudget) {
        nodes.push(
          this.note(`node budget of ${this.nodeBudget} reached; ${shown.length - nodes.length} items not shown`)
        );
        return nodes;
      }
      nodes.push(this.makeNode(key, child, state.value as object, state));
    }
    if (entries.length > shown.length) nodes.push(this.note(`${entries.length - shown.length} more`));
    return nodes;
  }

  /** Nodes made so far (the budget's count). */
  get nodeCount(): number {
    return this.nodesMade;
  }

  private note(summary: string): PickleDisplayNode {
    return { key: '…', summary, expandable: false, value: undefined, parent: undefined } as NodeState;
  }

  private makeNode(
    key: string,
    value: PickleValue,
    parentValue: object | undefined,
    parent: NodeState | undefined
  ): NodeState {
    this.nodesMade++;
    const scalar = scalarSummary(value, this.maxIntDigits, this.maxStringChars);
    if (scalar !== undefined) return { key, summary: scalar, expandable: false, value, parent };
    const container = value as object;
    const kind = containerSummary(value);
    const shared = this.shared.get(container);
    if (shared === undefined) {
      return { key, summary: kind, expandable: this.entriesOf(value).length > 0, value, parent };
    }
    const here = shared.parent === parentValue && shared.key === key;
    if (here) {
      return { key, summary: `${kind} &${shared.id}`, expandable: this.entriesOf(value).length > 0, value, parent };
    }
    let ancestor = parent;
    while (ancestor !== undefined && ancestor.value !== value) ancestor = ancestor.parent;
    const where = ancestor !== undefined ? 'contains itself' : 'shown once, where marked';
    return { key, summary: `${kind} (same object as &${shared.id}: ${where})`, expandable: false, value, parent };
  }

  /**
   * Numbers the containers met more than once, in tree order (depth first, children in
   * order, as far as they are shown): each is visited once, so this costs the number of
   * distinct objects, not of paths.
   */
  private findShared(root: PickleValue, rootKey: string): void {
    const firstSeen = new Map<object, { parent: object | undefined; key: string }>();
    const sharedInOrder: object[] = [];
    const isContainer = (value: PickleValue): value is PickleValue & object => scalarSummary(value, 0, 0) === undefined;
    if (!isContainer(root)) return;
    firstSeen.set(root, { parent: undefined, key: rootKey });
    const order: object[] = [root];
    const stack: Array<{ value: object; entries: Entry[]; next: number }> = [
      { value: root, entries: this.entriesOf(root).slice(0, this.maxChildren), next: 0 }
    ];
    const counts = new Map<object, number>([[root, 1]]);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      if (frame.next >= frame.entries.length) {
        stack.pop();
        continue;
      }
      const [key, child] = frame.entries[frame.next++];
      if (!isContainer(child)) continue;
      counts.set(child, (counts.get(child) ?? 0) + 1);
      if (firstSeen.has(child)) continue;
      firstSeen.set(child, { parent: frame.value, key });
      order.push(child);
      stack.push({ value: child, entries: this.entriesOf(child).slice(0, this.maxChildren), next: 0 });
    }
    for (const value of order) if ((counts.get(value) ?? 0) > 1) sharedInOrder.push(value);
    sharedInOrder.forEach((value, i) => this.shared.set(value, { id: i + 1, ...firstSeen.get(value)! }));
  }

  private entriesOf(value: PickleValue): Entry[] {
    if (isNDArray(value) || scalarSummary(value, 0, 0) !== undefined) return [];
    if (value instanceof PyTuple || Array.isArray(value)) return value.map((item, i): Entry => [String(i), item]);
    if (value instanceof Map) {
      return [...value.entries()].map(([k, v]): Entry => [
        scalarSummary(k, this.maxIntDigits, this.maxStringChars) ?? String(k),
        v
      ]);
    }
    if (value instanceof Set) return [...value].map((item, i): Entry => [String(i), item]);
    if (value instanceof PyObject) {
      const entries: Entry[] = [];
      if (value.args.length > 0) entries.push(['args', [...value.args]]);
      if (value.state !== undefined) entries.push(['state', value.state]);
      value.listItems.forEach((item, i) => entries.push([`[${i}]`, item]));
      return entries;
    }
    return Object.entries(value as Record<string, PickleValue>);
  }
}

function isNDArray(value: unknown): value is { dtype: string; shape: readonly number[]; data: ArrayLike<unknown> } {
  return (
    typeof value === 'object' &&
    value !== null &&
    'dtype' in value &&
    'shape' in value &&
    'data' in value &&
    ArrayBuffer.isView((value as { data: unknown }).data)
  );
}

function containerSummary(value: PickleValue): string {
  if (isNDArray(value)) {
    const data = Array.from(value.data as ArrayLike<number | bigint>)
      .slice(0, 10)
      .map(String);
    const more = value.data.length > 10 ? ', …' : '';
    return `ndarray ${value.dtype} (${value.shape.join(', ')}${value.shape.length === 1 ? ',' : ''}) [${data.join(', ')}${more}]`;
  }
  if (value instanceof PyTuple) return `tuple (${value.length})`;
  if (Array.isArray(value)) return `list (${value.length})`;
  if (value instanceof Map) return `dict (${value.size})`;
  if (value instanceof Set) return `${value instanceof PyFrozenSet ? 'frozenset' : 'set'} (${value.size})`;
  if (value instanceof PyObject) return `${value.__class__} object (not run)`;
  return `dict (${Object.keys(value as object).length})`;
}

/** The text of a scalar (undefined for containers); an ndarray's data is summarised as a container. */
export function scalarSummary(value: PickleValue, maxIntDigits = 4300, maxStringChars = 1000): string | undefined {
  if (value === null) return 'None';
  switch (typeof value) {
    case 'boolean':
      return value ? 'True' : 'False';
    case 'number':
      return Number.isInteger(value) && !Object.is(value, -0) ? String(value) : pythonFloatRepr(value);
    case 'bigint':
      return bigIntSummary(value, maxIntDigits);
    case 'string':
      return value.length <= maxStringChars
        ? JSON.stringify(value)
        : `${JSON.stringify(value.slice(0, maxStringChars))}… (${value.length} characters)`;
  }
  if (value instanceof Uint8Array && !isNDArray(value)) return `bytes (${value.length})`;
  if (value instanceof PyComplex) {
    return `(${pythonFloatRepr(value.real)}${value.imag < 0 ? '-' : '+'}${pythonFloatRepr(Math.abs(value.imag))}j)`;
  }
  if (value instanceof PyGlobal) return `<${value.qualifiedName}>`;
  return undefined;
}

const LOG10_2 = Math.log10(2);

/**
 * An int's decimal text when it has at most `maxDigits` digits; else its approximate digit
 * count and leading digits, computed from its top 64 bits (decimal conversion is quadratic in
 * the int's size; its hexadecimal form is linear).
 */
export function bigIntSummary(value: bigint, maxDigits = 4300): string {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const bits = magnitude.toString(16).length * 4; // an upper bound within 3 bits
  if (bits * LOG10_2 < maxDigits) return value.toString();
  const shift = BigInt(Math.max(0, bits - 64));
  const top = Number(magnitude >> shift);
  const log10 = Math.log10(top) + Number(shift) * LOG10_2;
  const digits = Math.floor(log10) + 1;
  const leading = Math.pow(10, log10 - Math.floor(log10))
    .toFixed(7)
    .replace('.', '')
    .slice(0, 8);
  return `${negative ? '-' : ''}int of about ${digits} digits: ${leading}…`;
}
