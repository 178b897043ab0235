/**
 * The notebook "Open in notebook" creates for a task: code on the kernel API that loads the
 * task, shows its trials and plots the first trial of each array. Pure: nbformat JSON out.
 */

/** The kernelspec scripts/install-kernel.sh registers. */
export const AXOPY_KERNEL_NAME = 'axopy-tslab';
export const AXOPY_KERNEL_DISPLAY_NAME = 'TypeScript (AxoPy)';

export interface ITaskNotebookOptions {
  /** The storage root as seen from the notebook's folder ("data", or "." for the folder itself). */
  storageRoot: string;
  subjectId: string;
  taskId: string;
  /** Array names of the task (`<name>.hdf5` files). */
  arrayNames: readonly string[];
}

function codeCell(lines: string[]): Record<string, unknown> {
  return { cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: lines.join('\n') };
}

function markdownCell(lines: string[]): Record<string, unknown> {
  return { cell_type: 'markdown', metadata: {}, source: lines.join('\n') };
}

/** A notebook (nbformat 4) that loads one task with the kernel API. */
export function taskNotebook(options: ITaskNotebookOptions): Record<string, unknown> {
  const literal = (value: string): string => JSON.stringify(value);
  const cells = [
    markdownCell([
      `# ${options.subjectId} / ${options.taskId}`,
      '',
      'Loads this AxoPy task with the `jupyterlab-axopy/kernel` API: its trials as a table typed',
      'like `pandas.read_csv`, and its arrays (dataset "i" of `<array>.hdf5` is trial row i).'
    ]),
    codeCell([
      'import { Storage, showTable, plotArray } from "jupyterlab-axopy/kernel";',
      '',
      `const storage = new Storage(${literal(options.storageRoot)});`,
      `storage.subjectId = ${literal(options.subjectId)};`,
      `const reader = storage.requireTask(${literal(options.taskId)});`,
      'showTable(reader.trials);'
    ])
  ];
  for (const name of options.arrayNames) {
    cells.push(
      codeCell([
        `const ${variableName(name)} = await reader.trialArray(${literal(name)}, 0);`,
        `await plotArray(${variableName(name)}, { title: ${literal(`${name}, trial 0`)} });`
      ])
    );
  }
  if (options.arrayNames.length > 0) {
    const first = options.arrayNames[0];
    cells.push(
      codeCell([
        `// Every trial stacked as AxoPy's TaskReader.array does (np.vstack).`,
        `const all = await reader.array(${literal(first)});`,
        'console.log(all.dtype, all.shape);'
      ])
    );
  }
  return {
    // nbformat 4.5 wants an id on every cell.
    cells: cells.map((cell, index) => ({ id: `axopy-cell-${index}`, ...cell })),
    metadata: {
      kernelspec: { name: AXOPY_KERNEL_NAME, display_name: AXOPY_KERNEL_DISPLAY_NAME, language: 'typescript' },
      language_info: { name: 'typescript' }
    },
    nbformat: 4,
    nbformat_minor: 5
  };
}

/** A TypeScript identifier for an array name ("emg" -> "emg", "2-force" -> "array_2_force"). */
export function variableName(arrayName: string): string {
  const cleaned = arrayName.replace(/[^A-Za-z0-9_$]/g, '_');
  return /^[A-Za-z_$]/.test(cleaned) ? `${cleaned}Trial0` : `array_${cleaned}Trial0`;
}

/** Where the notebook goes and how it names the root: the root's parent folder. */
export function notebookPlacement(storageRootPath: string): { folder: string; storageRoot: string } {
  const trimmed = storageRootPath.replace(/\/+$/, '');
  if (trimmed === '' || trimmed === '.') return { folder: '', storageRoot: '.' };
  const slash = trimmed.lastIndexOf('/');
  return slash < 0
    ? { folder: '', storageRoot: trimmed }
    : { folder: trimmed.slice(0, slash), storageRoot: trimmed.slice(slash + 1) };
}
