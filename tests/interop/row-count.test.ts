/**
 * One row count everywhere: every trials.csv of the malformed corpus and a generated set
 * (blank lines, CR, CRLF, quoted newlines, a row being written) goes through the count path
 * of each shell (sidebar, preview, Check Dataset, kernel) and must give pandas' row count.
 * A shell with its own counter (the sidebar counted newlines) fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describeTaskFolder, TaskReader } from '../../src/kernel/index.js';
import { TaskFileCounts } from '../../src/lab/sidebar/file-counts.js';
import { checkTaskFolder } from '../../src/lab/previews/check.js';
import { TaskPreviewModel } from '../../src/lab/previews/task-preview-model.js';
import type { IArrayProvider } from '../../src/lab/hdf5/provider.js';
import { diskFilesSource } from '../helpers/disk-source.js';
import { CURRENT_PYTHON, PYTHON, makeTempDir, runPython, runPythonJson } from '../helpers/python.js';
import { loadPickle } from '../../src/core/pickle/index.js';
import { pickleItem } from '../../src/lab/previews/pickle-tree.js';

/** The pickle loaded as the pickle worker loads it, here in the test's thread. */
const loadPickleInPage = async (bytes: Uint8Array, path: string, name: string) =>
  pickleItem(name, loadPickle(bytes, path));

const GENERATOR = join(__dirname, '..', '..', '..', 'tests', 'python', 'make_malformed_corpus.py');

/** Texts a writer, an editor or another tool may leave in a trials.csv. */
const GENERATED: Record<string, string> = {
  'blank-line-at-end': 'a,b\n1,2\n\n',
  'blank-lines-between': 'a,b\n\n1,2\n\n\n3,4\n',
  'whitespace-only-line': 'a,b\n1,2\n  \t\n3,4\n',
  'cr-only': 'a,b\r1,2\r',
  'cr-only-three-rows': 'block,trial\r0,0\r0,1\r0,2\r',
  crlf: 'block,trial\r\n0,0\r\n0,1\r\n',
  'crlf-blank-lines': 'block,trial\r\n\r\n0,0\r\n\r\n',
  'quoted-newlines': 'note,block,trial\n"two\nlines",0,0\n"say ""hi""\n",0,1\n"a,b",0,2\n',
  'quoted-crlf': 'note,trial\r\n"x\r\ny",0\r\n"z",1\r\n',
  'half-written-row': 'block,trial\n0,0\n0,1\n0,',
  'half-written-quoted-row': 'note,trial\n"done",0\n"still\nbeing',
  'header-only': 'block,trial\n',
  'header-without-newline': 'block,trial',
  'bom-crlf': '\ufeffblock,trial\r\n0,0\r\n',
  'short-rows': 'a,b,c\n1\n2,3\n'
};

/** Every trials.csv below `root` (not links: the kernel refuses a link out of its task on purpose). */
function trialsFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (
        entry.name === 'trials.csv' &&
        !lstatSync(path).isSymbolicLink() &&
        statSync(path).size < 8 * 1024 * 1024
      )
        found.push(path);
    }
  };
  walk(root);
  return found.sort();
}

/**
 * pandas' row count of what is complete in each file (a last line without its newline is a
 * row being written: pandas is asked about the text before it), or "error".
 */
const PANDAS_COUNTS = `
import io, json, sys, pandas
out = {}
for path in sys.argv[1:]:
    data = open(path, 'rb').read()
    cut = max(data.rfind(b'\\n'), data.rfind(b'\\r')) + 1
    complete = data if data.endswith((b'\\n', b'\\r')) or cut == 0 else data[:cut]
    try:
        out[path] = len(pandas.read_csv(io.BytesIO(complete)))
    except Exception:
        out[path] = 'error'
print(json.dumps(out))
`;

const noArrays: IArrayProvider = {
  describe: async () => [],
  readDataset: async () => undefined,
  bytesFetched: () => undefined
};

type Count = number | 'error';

async function attempt(count: () => Promise<number | undefined> | number | undefined): Promise<Count> {
  try {
    const value = await count();
    return value === undefined ? 'error' : value;
  } catch {
    return 'error';
  }
}

/** The count of each shell for the task folder holding `csv`. */
async function shellCounts(csv: string): Promise<Record<string, Count>> {
  const task = dirname(csv);
  const sidebar = await attempt(async () => {
    const counts = new TaskFileCounts(diskFilesSource, () => undefined);
    await counts.countRows(await diskFilesSource.listFolder(task));
    return counts.rowCounts().get(csv);
  });
  const preview = await attempt(async () => {
    const model = new TaskPreviewModel({
      taskPath: task,
      source: diskFilesSource,
      arrays: noArrays,
      loadPickleItem: loadPickleInPage
    });
    try {
      await model.refresh();
      return model.trials.parsed?.rowCount;
    } finally {
      model.dispose();
    }
  });
  const check = await attempt(async () => {
    const report = await checkTaskFolder(diskFilesSource, noArrays, task);
    return report.issues.some(issue => issue.path.endsWith('trials.csv')) ? undefined : report.trials;
  });
  const kernelCheck = await attempt(async () => {
    const trials = (await describeTaskFolder(task)).trials;
    return 'rowCount' in trials ? trials.rowCount : undefined;
  });
  const kernelReader = await attempt(() => new TaskReader(task).trialCount);
  return { sidebar, preview, check, kernelCheck, kernelReader };
}

test('sidebar, preview, Check Dataset and kernel count the rows pandas counts, on every corpus file', async () => {
  const { dir, cleanup } = makeTempDir('axopy-row-count-');
  try {
    runPython(readFileSync(GENERATOR, 'utf8'), [join(dir, 'corpus')], PYTHON);
    for (const [name, text] of Object.entries(GENERATED)) {
      mkdirSync(join(dir, 'generated', 's1', name), { recursive: true });
      writeFileSync(join(dir, 'generated', 's1', name, 'trials.csv'), text);
    }
    const files = trialsFiles(dir);
    assert.ok(files.length >= Object.keys(GENERATED).length + 20, `${files.length} files`);
    const pandas = runPythonJson<Record<string, Count>>(PANDAS_COUNTS, files, undefined, CURRENT_PYTHON);
    const mismatches: string[] = [];
    let counted = 0;
    for (const csv of files) {
      const expected = pandas[csv];
      if (expected === 'error') continue; // pandas refuses it: Check and the kernel say why elsewhere
      counted++;
      const shells = await shellCounts(csv);
      for (const [shell, count] of Object.entries(shells)) {
        if (count !== expected) mismatches.push(`${relative(dir, csv)}: ${shell} ${count}, pandas ${expected}`);
      }
    }
    assert.ok(counted >= Object.keys(GENERATED).length, `${counted} files compared`);
    assert.deepEqual(mismatches, []);
  } finally {
    cleanup();
  }
});
