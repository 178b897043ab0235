import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repairTrialsCsv, trialsCsvIsTorn } from '../../src/kernel/trial-writer.js';
import { makeTempDir, runPythonJson } from '../helpers/python.js';

const COMPLETE = 'label,force,block,trial\n"two\nlines",0.5,0,0\nplain,1.5,0,1\n';

test('a row torn inside a quoted line break is cut whole; pandas then reads every complete row', () => {
  const { dir, cleanup } = makeTempDir('axopy-repair-');
  try {
    const csv = join(dir, 'trials.csv');
    // A crash mid-append, right after the line break inside a quoted cell: the file ends in "\n".
    for (const torn of ['"three\n', '"three\nlines",2.', '"x""y\n', 'tail']) {
      writeFileSync(csv, COMPLETE + torn);
      assert.equal(trialsCsvIsTorn(csv), true, JSON.stringify(torn));
      assert.equal(repairTrialsCsv(csv), Buffer.byteLength(torn), JSON.stringify(torn));
      assert.equal(readFileSync(csv, 'utf8'), COMPLETE);
      const rows = runPythonJson<unknown[]>(
        'import sys, pandas; print(pandas.read_csv(sys.argv[1]).to_json(orient="values"))',
        [csv]
      );
      assert.deepEqual(rows, [
        ['two\nlines', 0.5, 0, 0],
        ['plain', 1.5, 0, 1]
      ]);
    }
    writeFileSync(csv, COMPLETE);
    assert.equal(trialsCsvIsTorn(csv), false);
    assert.equal(repairTrialsCsv(csv), 0);
  } finally {
    cleanup();
  }
});
