/**
 * A loaded pickle as a tree of labelled items for display. Pure: values come from the core's
 * loadPickle, which builds inert data and never runs Python code.
 */
import { PyComplex, PyFrozenSet, PyGlobal, PyObject, PyTuple, type PickleValue } from '../../core/pickle/index.js';
import { pythonFloatRepr } from '../../core/csv/index.js';

/** One item of the tree: a key (index, dict key), a one-line summary, and children. */
export interface IPickleItem {
  readonly key: string;
  readonly summary: string;
  readonly children: readonly IPickleItem[];
}

/** Children shown per container; the rest is summarised in one item. */
const MAX_CHILDREN = 200;

function isNDArray(value: unknown): value is { dtype: string; shape: readonly number[]; data: ArrayLike<unknown> } {
  return (
    typeof value === 'object' && value !== null && 'dtype' in value && 'shape' in value && 'data' in value &&
    ArrayBuffer.isView((value as { data: unknown }).data)
  );
}

function scalarText(value: PickleValue): string | undefined {
  if (value === null) return 'None';
  switch (typeof value) {
    case 'boolean':
      return value ? 'True' : 'False';
    case 'number':
      return Number.isInteger(value) && !Object.is(value, -0) ? String(value) : pythonFloatRepr(value);
    case 'bigint':
      return value.toString();
    case 'string':
      return JSON.stringify(value);
  }
  if (value instanceof Uint8Array && !isNDArray(value)) {
    return `bytes (${value.length})`;
  }
  if (value instanceof PyComplex) {
    return `(${pythonFloatRepr(value.real)}${value.imag < 0 ? '-' : '+'}${pythonFloatRepr(Math.abs(value.imag))}j)`;
  }
  if (value instanceof PyGlobal) {
    return `<${value.qualifiedName}>`;
  }
  return undefined;
}

function limited(entries: Array<[string, PickleValue]>, seen: Set<object>): IPickleItem[] {
  const items = entries.slice(0, MAX_CHILDREN).map(([key, child]) => pickleItem(key, child, seen));
  if (entries.length > MAX_CHILDREN) {
    items.push({ key: '…', summary: `${entries.length - MAX_CHILDREN} more`, children: [] });
  }
  return items;
}

/** The tree item of `value` under `key`; a container met again inside itself (a cycle) is not expanded twice. */
export function pickleItem(key: string, value: PickleValue, seen: Set<object> = new Set()): IPickleItem {
  const scalar = scalarText(value);
  if (scalar !== undefined) {
    return { key, summary: scalar, children: [] };
  }
  const container = value as object;
  if (seen.has(container)) {
    return { key, summary: '(cycle: contains itself)', children: [] };
  }
  seen.add(container);
  try {
    if (isNDArray(value)) {
      const data = Array.from(value.data as ArrayLike<number | bigint>).slice(0, 10).map(String);
      const more = value.data.length > 10 ? ', …' : '';
      return { key, summary: `ndarray ${value.dtype} (${value.shape.join(', ')}${value.shape.length === 1 ? ',' : ''}) [${data.join(', ')}${more}]`, children: [] };
    }
    if (value instanceof PyTuple || Array.isArray(value)) {
      const kind = value instanceof PyTuple ? 'tuple' : 'list';
      return { key, summary: `${kind} (${value.length})`, children: limited(value.map((item, i) => [String(i), item]), seen) };
    }
    if (value instanceof Map) {
      const entries = [...value.entries()].map(([k, v]): [string, PickleValue] => [scalarText(k) ?? String(k), v]);
      return { key, summary: `dict (${value.size})`, children: limited(entries, seen) };
    }
    if (value instanceof Set) {
      const kind = value instanceof PyFrozenSet ? 'frozenset' : 'set';
      return { key, summary: `${kind} (${value.size})`, children: limited([...value].map((item, i) => [String(i), item]), seen) };
    }
    if (value instanceof PyObject) {
      const children: Array<[string, PickleValue]> = [];
      if (value.args.length > 0) children.push(['args', [...value.args]]);
      if (value.state !== undefined) children.push(['state', value.state]);
      value.listItems.forEach((item, i) => children.push([`[${i}]`, item]));
      return { key, summary: `${value.__class__} object (not run)`, children: limited(children, seen) };
    }
    const entries = Object.entries(value as Record<string, PickleValue>);
    return { key, summary: `dict (${entries.length})`, children: limited(entries, seen) };
  } finally {
    seen.delete(container);
  }
}
