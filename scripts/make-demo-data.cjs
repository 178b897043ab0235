#!/usr/bin/env node
// Generates a realistic AxoPy demo dataset with the kernel API: 3 subjects x 2 tasks x 60
// trials, 8-channel EMG-like signals at 2 kHz, a few attributes (one that appears late) and a
// calibration pickle. Usage: node scripts/make-demo-data.cjs <root> [--trials N] [--force]
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const { Storage, Design } = require(path.join(__dirname, '..', 'lib', 'node', 'kernel', 'index.js'));

const SAMPLE_RATE = 2000;
const CHANNELS = 8;
const GESTURES = ['rest', 'fist', 'open', 'pinch', 'point'];

/** A small seeded generator so the demo is the same every time. */
function makeRandom(seed) {
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

/** Band-limited noise shaped by a muscle-activation envelope, per channel. */
function emgTrial(random, gestureIndex, force, seconds) {
  const samples = Math.round(SAMPLE_RATE * seconds);
  const data = new Float64Array(CHANNELS * samples);
  for (let ch = 0; ch < CHANNELS; ch++) {
    const gain = gestureIndex === 0 ? 0.02 : 0.1 + 0.9 * force * (0.5 + 0.5 * Math.cos(ch * 0.8 + gestureIndex));
    let previous = 0;
    for (let i = 0; i < samples; i++) {
      const t = i / samples;
      const envelope = t < 0.2 || t > 0.85 ? 0.05 : 1;
      const white = random.normal();
      const value = white - 0.6 * previous; // crude high-pass, like surface EMG
      previous = white;
      data[ch * samples + i] = 1e-4 * gain * envelope * value;
    }
  }
  return { dtype: 'float64', shape: [CHANNELS, samples], data };
}

async function main() {
  const args = process.argv.slice(2);
  const root = args.find(a => !a.startsWith('--'));
  if (!root) {
    console.error('usage: make-demo-data.cjs <root> [--trials N] [--force]');
    process.exit(2);
  }
  const trialsIndex = args.indexOf('--trials');
  const trialsPerTask = trialsIndex >= 0 ? Number(args[trialsIndex + 1]) : 60;
  if (fs.existsSync(root) && fs.readdirSync(root).length > 0 && !args.includes('--force')) {
    console.log(`demo data: ${root} exists, kept as it is (--force to regenerate)`);
    return;
  }
  const storage = new Storage(root, { allowOverwrite: true });
  const subjects = ['p01', 'p02', 'p03'];
  const tasks = [
    { id: 'calibration', seconds: 1 },
    { id: 'gestures', seconds: 1 }
  ];
  for (const [s, subject] of subjects.entries()) {
    storage.subjectId = subject;
    for (const [k, task] of tasks.entries()) {
      const random = makeRandom(1000 * s + k + 1);
      const writer = storage.createTask(task.id, { columnDTypes: { target_force: 'float64' } });
      const design = new Design();
      for (let b = 0; b < 2; b++) {
        const block = design.addBlock();
        for (let i = 0; i < trialsPerTask / 2; i++) {
          const gestureIndex = i % GESTURES.length;
          block.addTrial({ gesture: GESTURES[gestureIndex], target_force: [0.25, 0.5, 0.75][i % 3] });
        }
        block.shuffle({ seed: 10 * s + b });
      }
      let row = 0;
      for (const block of design) {
        for (const trial of block) {
          const gestureIndex = GESTURES.indexOf(trial.attrs.gesture);
          const emg = trial.addArray('emg');
          emg.stack(emgTrial(random, gestureIndex, trial.attrs.target_force, task.seconds));
          trial.attrs.success = random.uniform() > 0.15;
          // A column that only appears halfway through, as when a rating is added mid-session.
          if (row >= trialsPerTask / 2) trial.attrs.rating = 1 + Math.floor(random.uniform() * 5);
          await writer.write(trial);
          row += 1;
        }
      }
      writer.pickle({ sample_rate: SAMPLE_RATE, channels: CHANNELS, subject, mvc: Array.from({ length: CHANNELS }, () => 1e-4 * (0.5 + random.uniform())) }, 'calibration');
      await writer.close();
      console.log(`demo data: ${path.join(root, subject, task.id)}: ${row} trials`);
    }
  }
}

main().catch(error => {
  console.error(`demo data: ${error.name}: ${error.message}`);
  process.exit(1);
});
