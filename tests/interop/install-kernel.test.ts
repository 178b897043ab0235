import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CURRENT_PYTHON, REPO_ROOT, makeTempDir, runPython } from '../helpers/python.js';

const CLI = join(REPO_ROOT, 'lib', 'node', 'kernel', 'launcher', 'cli.js');

/** Runs a notebook of TypeScript cells with nbclient in `folder`, on the axopy-tslab kernel. */
const RUN_NOTEBOOK = `import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.v4.new_notebook()
nb.cells = [nbformat.v4.new_code_cell(sys.argv[2])]
NotebookClient(nb, kernel_name='axopy-tslab', timeout=120, resources={'metadata': {'path': sys.argv[1]}}).execute()
print(''.join(o.get('text', '') for o in nb.cells[0].outputs))`;

test('install-kernel --prefix registers "TypeScript (AxoPy)" where Jupyter finds it; a notebook in any folder imports the kernel API', () => {
  const prefix = makeTempDir('axopy-kernel-prefix-');
  const notebookFolder = makeTempDir('axopy-kernel-notebook-');
  try {
    const out = execFileSync(
      process.execPath,
      [CLI, 'install-kernel', '--prefix', prefix.dir, '--python', CURRENT_PYTHON],
      { encoding: 'utf8' }
    );
    assert.match(out, /Installed the "TypeScript \(AxoPy\)" kernel \(axopy-tslab\)/);
    const env = { ...process.env, JUPYTER_PATH: join(prefix.dir, 'share', 'jupyter') };
    const listing = JSON.parse(
      execFileSync(CURRENT_PYTHON, ['-m', 'jupyter', 'kernelspec', 'list', '--json'], { encoding: 'utf8', env })
    ) as { kernelspecs: Record<string, { resource_dir: string; spec: { display_name: string; argv: string[] } }> };
    const spec = listing.kernelspecs['axopy-tslab'];
    assert.ok(spec, 'jupyter kernelspec list shows axopy-tslab');
    assert.equal(spec.resource_dir, join(prefix.dir, 'share', 'jupyter', 'kernels', 'axopy-tslab'));
    assert.equal(spec.spec.display_name, 'TypeScript (AxoPy)');
    assert.equal(spec.spec.argv[1], join(REPO_ROOT, 'lib', 'node', 'kernel', 'launcher', 'tslab-kernel.js'));

    const cell = `import { Storage, Design } from 'jupyterlab-axopy/kernel';
const storage = new Storage('data');
storage.subjectId = 'p1';
const writer = storage.createTask('t');
const block = new Design().addBlock();
await writer.write(block.addTrial({ force: 0.25 }));
console.log(storage.subjectIds.join(','));`;
    const printed = execFileSync(CURRENT_PYTHON, ['-c', RUN_NOTEBOOK, notebookFolder.dir, cell], {
      encoding: 'utf8',
      env
    });
    assert.equal(printed.trim(), 'p1');
    // Written relative to the notebook's folder, read by pandas.
    const csv = join(notebookFolder.dir, 'data', 'p1', 't', 'trials.csv');
    assert.equal(
      runPython('import sys, pandas; print(pandas.read_csv(sys.argv[1]).to_json(orient="records"))', [csv]).trim(),
      '[{"force":0.25,"block":0,"trial":0}]'
    );
    assert.equal(readFileSync(csv, 'utf8'), 'force,block,trial\n0.25,0,0\n');
  } finally {
    prefix.cleanup();
    notebookFolder.cleanup();
  }
});

test('install-kernel refuses bad arguments with its usage, installing nothing', () => {
  const twoPlaces = spawnSync(process.execPath, [CLI, 'install-kernel', '--user', '--prefix', '/tmp/x'], {
    encoding: 'utf8'
  });
  assert.equal(twoPlaces.status, 1);
  assert.match(twoPlaces.stderr, /choose one of --user, --sys-prefix, --prefix/);
  assert.match(twoPlaces.stderr, /usage: jupyterlab-axopy install-kernel/);
  const unknown = spawnSync(process.execPath, [CLI, 'frobnicate'], { encoding: 'utf8' });
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command frobnicate/);
  const noJupyter = spawnSync(
    process.execPath,
    [CLI, 'install-kernel', '--prefix', '/tmp/never', '--python', '/nonexistent/python'],
    { encoding: 'utf8' }
  );
  assert.equal(noJupyter.status, 1);
  assert.match(noJupyter.stderr, /\/nonexistent\/python -m jupyter kernelspec install failed/);
});
