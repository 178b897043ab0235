/**
 * The rules that label an array's axes (core/axis-metadata.ts): which of the sidecar and the
 * settings gives the sample rate and channel names (a precedence rule: the expected values are
 * written out by hand), and how axes and channels are named from them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  channelName,
  describeAxes,
  resolveArrayMetadata,
  storageRootOfTask,
  type IArrayMetadataSetting
} from '../../src/core/axis-metadata.js';

const SIDECAR = 'data/p01/t/emg.json';

test("a task's storage root is its path without subject and task", () => {
  assert.equal(storageRootOfTask('data/p01/t'), 'data');
  assert.equal(storageRootOfTask('/lab/data/p01/t/'), 'lab/data');
  assert.equal(storageRootOfTask('p01/t'), '');
});

test('the sidecar wins over the settings, field by field; an array entry over a root entry', () => {
  const settings: IArrayMetadataSetting[] = [
    { root: 'data', sampleRate: 1000, channelNames: ['r0', 'r1'] },
    { root: 'data', array: 'emg', sampleRate: 2000 },
    { root: 'other', array: 'emg', sampleRate: 5, channelNames: ['x', 'y'] }
  ];
  // No sidecar: the array's entry for the rate, the root's for the names.
  assert.deepEqual(resolveArrayMetadata('data/p01/t', 'emg', undefined, SIDECAR, settings), {
    sampleRate: 2000,
    sampleRateFrom: 'settings',
    channelNames: ['r0', 'r1'],
    channelNamesFrom: 'settings'
  });
  // Another array of the root: the root's entry only.
  assert.deepEqual(resolveArrayMetadata('data/p01/t', 'force', {}, 'data/p01/t/force.json', settings), {
    sampleRate: 1000,
    sampleRateFrom: 'settings',
    channelNames: ['r0', 'r1'],
    channelNamesFrom: 'settings'
  });
  // A sidecar with names only: its names, the settings' rate.
  assert.deepEqual(resolveArrayMetadata('data/p01/t', 'emg', { channelNames: ['FDS', 'EDC'] }, SIDECAR, settings), {
    sampleRate: 2000,
    sampleRateFrom: 'settings',
    channelNames: ['FDS', 'EDC'],
    channelNamesFrom: SIDECAR
  });
  // A full sidecar: nothing from the settings.
  assert.deepEqual(
    resolveArrayMetadata('data/p01/t', 'emg', { sampleRate: 250, channelNames: ['a', 'b'] }, SIDECAR, settings),
    { sampleRate: 250, sampleRateFrom: SIDECAR, channelNames: ['a', 'b'], channelNamesFrom: SIDECAR }
  );
  // A task of a root without entries (here one named like a subfolder of "data"): nothing.
  assert.deepEqual(resolveArrayMetadata('data/x/p01/t', 'emg', {}, 'data/x/p01/t/emg.json', settings), {});
  // The server root is "" (and "/" or "." say the same).
  assert.deepEqual(resolveArrayMetadata('p01/t', 'emg', undefined, 'p01/t/emg.json', [{ root: '/', sampleRate: 3 }]), {
    sampleRate: 3,
    sampleRateFrom: 'settings'
  });
});

test('one naming rule: "channel c" without a name for it', () => {
  assert.equal(channelName(undefined, 0), 'channel 0');
  assert.equal(channelName(['FDS'], 0), 'FDS');
  assert.equal(channelName(['FDS'], 3), 'channel 3');
});

test('axes: seconds with a rate, saying where it came from; names when one per channel, else said and numbered', () => {
  assert.deepEqual(describeAxes({}, 2), {
    xLabel: 'sample',
    xTitle: 'sample',
    channelNames: ['channel 0', 'channel 1'],
    problem: ''
  });
  assert.deepEqual(
    describeAxes(
      { sampleRate: 2000, sampleRateFrom: SIDECAR, channelNames: ['FDS', 'EDC'], channelNamesFrom: SIDECAR },
      2
    ),
    { xLabel: 'time (s)', xTitle: `time (s), 2000 Hz from ${SIDECAR}`, channelNames: ['FDS', 'EDC'], problem: '' }
  );
  assert.deepEqual(
    describeAxes(
      { sampleRate: 2000, sampleRateFrom: 'settings', channelNames: ['FDS', 'EDC'], channelNamesFrom: SIDECAR },
      2
    ).xTitle,
    `time (s), 2000 Hz from settings; channel names from ${SIDECAR}`
  );
  assert.deepEqual(describeAxes({ channelNames: ['FDS'], channelNamesFrom: 'settings' }, 3), {
    xLabel: 'sample',
    xTitle: 'sample',
    channelNames: ['channel 0', 'channel 1', 'channel 2'],
    problem: 'channel names from settings not used: 1 names for 3 channels'
  });
  // Metadata without sources (the kernel's epochs): the rate alone.
  assert.equal(describeAxes({ sampleRate: 500 }, 1).xTitle, 'time (s), 500 Hz');
});
