/**
 * Storage roots are found by their layout, whatever their names: a folder written by the real
 * Python AxoPy and named "my-study" shows in the sidebar with no `roots` setting; folders that
 * are not storage do not.
 */
import { expect } from '@jupyterlab/galata';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { childLabels, item, openSidebar, panel, storageServerTest } from '../fixtures';
import { runPython } from '../../tests/helpers/python';

function writeAxopyTask(root: string, subject: string, task: string, trials: number): void {
  runPython(
    `import sys, numpy as np
from axopy.design import Design
from axopy.storage import Storage
storage = Storage(sys.argv[1]); storage.subject_id = sys.argv[2]
writer = storage.create_task(sys.argv[3])
block = Design().add_block()
for i in range(int(sys.argv[4])):
    trial = block.add_trial(attrs={'gesture': 'fist' if i % 2 else 'rest'})
    trial.add_array('emg', data=np.zeros((2, 8)))
    writer.write(trial)`,
    [root, subject, task, String(trials)]
  );
}

const test = storageServerTest('axopy-e2e-discovery-', rootDir => {
  writeAxopyTask(path.join(rootDir, 'my-study'), 'p01', 'gestures', 4);
  writeAxopyTask(path.join(rootDir, 'my-study'), 'p02', 'gestures', 2);
  // Not storage: notes three levels deep without a trials.csv, and an empty folder.
  fs.mkdirSync(path.join(rootDir, 'notes', 'week1', 'monday'), { recursive: true });
  fs.writeFileSync(path.join(rootDir, 'notes', 'week1', 'monday', 'todo.txt'), 'x');
  fs.mkdirSync(path.join(rootDir, 'empty'));
});

test('shows a storage folder named my-study without configuration, and only storage folders', async ({
  page,
  problems
}) => {
  await openSidebar(page);
  const rootLabels = () =>
    panel(page)
      .locator('[role="tree"] > [role="treeitem"] > .jp-AxoPyStorage-row > .jp-AxoPyStorage-label')
      .allTextContents();
  await expect.poll(rootLabels).toEqual(['my-study']);
  await expect(item(page, 'my-study')).toHaveAttribute('aria-expanded', 'true');
  await expect.poll(() => childLabels(page, 'my-study')).toEqual(['p01', 'p02']);
  expect(problems).toEqual([]);
});
