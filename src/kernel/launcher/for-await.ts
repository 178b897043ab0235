/**
 * tslab runs a cell inside an async function only when it sees a top-level `await` (from
 * TypeScript's "await outside an async function" diagnostic); a `for await (...)` loop raises
 * no such diagnostic, so a cell whose only top-level await is that loop runs in a plain
 * function and fails with a SyntaxError. The launcher rewrites each such loop, before tslab
 * sees the cell, into `const forAwaitLoopN = (async () => { <the loop> })(); await
 * forAwaitLoopN;` on the same lines, with the same body (`break`/`continue` and the loop's own
 * variables behave as written). The promise is named because tslab also misses an `await`
 * whose operand holds a function (`await (async () => ...)()` would not be awaited), and the
 * name has no leading `__`, which TypeScript escapes in the names tslab exports.
 */
import type * as TypeScript from 'typescript';

/** The cell source with each top-level `for await` loop run in an async arrow and awaited. */
export function wrapTopLevelForAwait(source: string, ts: typeof TypeScript): string {
  if (!/\bfor\s+await\b/.test(source)) return source;
  const file = ts.createSourceFile('cell.ts', source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const loops = file.statements.filter(
    (statement): statement is TypeScript.ForOfStatement =>
      ts.isForOfStatement(statement) && statement.awaitModifier !== undefined
  );
  let result = source;
  // From the last loop back, so that earlier positions stay valid.
  for (let index = loops.length - 1; index >= 0; index--) {
    const loop = loops[index];
    const start = loop.getStart(file);
    const end = loop.getEnd();
    const name = `forAwaitLoop${index}`;
    result = `${result.slice(0, start)}const ${name} = (async () => { ${result.slice(start, end)}\n})(); await ${name};${result.slice(end)}`;
  }
  return result;
}

interface ConverterModule {
  createConverter(options: unknown): { convert(prevDecl: string, src: string): unknown };
}

/**
 * Makes every converter tslab creates from now on rewrite top-level `for await` loops first.
 * `converterModule` is `tslab/dist/converter` (tslab's main reads `createConverter` from it at
 * call time), `ts` the TypeScript tslab compiles with.
 */
export function patchTslabConverter(converterModule: ConverterModule, ts: typeof TypeScript): void {
  const create = converterModule.createConverter;
  converterModule.createConverter = (options: unknown) => {
    const converter = create(options);
    const convert = converter.convert.bind(converter);
    converter.convert = (prevDecl: string, src: string) => convert(prevDecl, wrapTopLevelForAwait(src, ts));
    return converter;
  };
}
