/**
 * Prints, for the task preview's analysis view in a real JupyterLab in headless Chromium, on
 * 2000 trials x 8 channels x 2000 samples float64 (256 MB of trials, written by h5py, with a
 * sidecar), read by HTTP Range requests in the HDF5 worker:
 *  - Average grouped by a 4-value column: ms from the click on "Average" to the first frame
 *    with groups drawn, and to the frame with every trial in;
 *  - page + worker JS memory growth over that run (peak, sampled every 100 ms);
 *  - bytes the worker moved for the file against the trials' bytes;
 *  - redraw after a grouping change (from the cache, nothing read): ms to the frame;
 *  - redraw after table-filter changes: whole groups dropped and kept again (nothing read), and
 *    the first 40 trials dropped and kept again (those 40 read: taken out, then added);
 *  - Overlay of all 2000 trials (read again for their per-pixel spans): ms to the first frame
 *    with traces and to the frame with all 2000, memory growth at peak and after the page's GC;
 *    then redraws from the spans: regroup, and a table filter keeping half the trials.
 *  - Image: ms to the epochs image (its rows are read again: they are kept only for it).
 * With the argument `overlay-first`, only the overlay, as the first read of the file: its times
 * and memory growth (the worker's read buffers are made during it, as they are for the average).
 * Asserts nothing. Run: bash scripts/install-wheel.sh && npm run build:tests && node build/benchmarks/analysis-view.js [overlay-first]
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Page } from 'playwright';
import { HeapMeter } from '../ui-tests/heap-meter';
import { makeServerFolders, startLabServer } from '../ui-tests/lab-server';
import { CURRENT_PYTHON } from '../tests/helpers/python';

const [TRIALS, CHANNELS, SAMPLES] = [2000, 8, 2000];
const TASK = 'data/p01/big';

const WRITE = `
import sys, os, json, numpy as np, pandas as pd, h5py
task = os.path.join(sys.argv[1], 'p01', 'big')
os.makedirs(task)
rng = np.random.default_rng(1)
gestures = ['rest', 'fist', 'open', 'pinch']
with h5py.File(os.path.join(task, 'emg.hdf5'), 'w') as f:
    for i in range(${TRIALS}):
        f.create_dataset(str(i), data=rng.standard_normal((${CHANNELS}, ${SAMPLES})) + gestures.index(gestures[i % 4]))
pd.DataFrame({'gesture': [gestures[i % 4] for i in range(${TRIALS})], 'level': [['low', 'high'][(i // 4) % 2] for i in range(${TRIALS})],
              'block': 0, 'trial': range(${TRIALS})}).to_csv(os.path.join(task, 'trials.csv'), index=False)
json.dump({'sample_rate': 2000, 'channel_names': ['ch%d' % c for c in range(${CHANNELS})]}, open(os.path.join(task, 'emg.json'), 'w'))
`;

/**
 * In the page: clicks `selector` (or picks `option` in it, or types `tableFilter` in the
 * preview's filter box) and returns ms to the end of the first frame after a change of the
 * section where `ready(section)` holds, for each of `checks`.
 */
async function timeFrames(
  page: Page,
  action: { selector: string; option?: string; tableFilter?: string },
  checks: string[]
): Promise<number[]> {
  return page.evaluate(
    async ({ task, selector, option, tableFilter, conditions }) => {
      const section = document.querySelector(
        `.jp-AxoPyPreview[data-task-path="${task}"] [data-array="emg"]`
      ) as HTMLElement;
      const tests = conditions.map(c => new Function('section', `return ${c}`) as (s: HTMLElement) => boolean);
      const times: (number | undefined)[] = conditions.map(() => undefined);
      const start = performance.now();
      if (tableFilter !== undefined) {
        // The trials table's filter box (beside the section, in the same preview).
        const input = section.closest('.jp-AxoPyPreview')!.querySelector('.jp-AxoPyPreview-filter') as HTMLInputElement;
        input.value = tableFilter;
        input.dispatchEvent(new Event('input'));
      } else {
        const target = section.querySelector(selector) as HTMLElement;
        if (option !== undefined) {
          (target as HTMLSelectElement).value = option;
          target.dispatchEvent(new Event('change'));
        } else target.click();
      }
      // Looked at after the frame that follows each change of the section (its caption, legend
      // and plots change together): no animation frame asked for otherwise, so the page is not
      // kept painting by the measurement itself.
      await new Promise<void>(resolve => {
        let frameAsked = false;
        const look = () => {
          if (frameAsked) return;
          frameAsked = true;
          // After the frame's paint: a task posted from the animation callback.
          requestAnimationFrame(() =>
            setTimeout(() => {
              frameAsked = false;
              tests.forEach((test, i) => {
                if (times[i] === undefined && test(section)) times[i] = performance.now() - start;
              });
              if (times.every(t => t !== undefined)) {
                observer.disconnect();
                resolve();
              }
            })
          );
        };
        const observer = new MutationObserver(look);
        observer.observe(section, { subtree: true, childList: true, characterData: true, attributes: true });
        look();
      });
      return times as number[];
    },
    {
      task: TASK,
      selector: action.selector,
      option: action.option,
      tableFilter: action.tableFilter,
      conditions: checks
    }
  );
}

/** Peak growth of page + worker memory while `run` runs, sampled every 100 ms (and of each apart). */
async function peakGrowth<T>(
  meter: HeapMeter,
  run: () => Promise<T>
): Promise<{ result: T; base: number; peak: number; end: number; pagePeak: number; workersPeak: number }> {
  const baseParts = await meter.usedParts();
  const base = baseParts.page + baseParts.workers;
  let [peak, pagePeak, workersPeak] = [base, 0, 0];
  const sample = async () => {
    const parts = await meter.usedParts();
    peak = Math.max(peak, parts.page + parts.workers);
    pagePeak = Math.max(pagePeak, parts.page - baseParts.page);
    workersPeak = Math.max(workersPeak, parts.workers - baseParts.workers);
    return parts.page + parts.workers;
  };
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      await sample();
      await new Promise(resolve => setTimeout(resolve, 100));
    }
  })();
  const result = await run();
  sampling = false;
  await sampler;
  const end = await sample();
  return { result, base, peak, end, pagePeak, workersPeak };
}

const MB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

/**
 * The reference: ms for a worker of the same page to fetch `fileBytes` of `url` in Range
 * requests of `step` bytes, `inFlight` at once (as the view's chunks), doing nothing else with
 * them. The view cannot read faster than this on the same machine, server and browser.
 */
async function rawFetchMs(page: Page, url: string, fileBytes: number, step: number, inFlight: number): Promise<number> {
  return page.evaluate(
    async ({ url, fileBytes, step, inFlight }) => {
      const source = `onmessage = async event => {
        const { url, fileBytes, step, inFlight } = event.data;
        const started = performance.now();
        let next = 0;
        const one = async () => {
          while (next < fileBytes) {
            const start = next;
            next += step;
            const end = Math.min(fileBytes, start + step);
            const response = await fetch(url, { headers: { Range: 'bytes=' + start + '-' + (end - 1) }, cache: 'no-store' });
            await response.arrayBuffer();
          }
        };
        await Promise.all(Array.from({ length: inFlight }, one));
        postMessage(performance.now() - started);
      };`;
      const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
      const ms = await new Promise<number>(resolve => {
        worker.onmessage = event => resolve(event.data as number);
        worker.postMessage({ url, fileBytes, step, inFlight });
      });
      worker.terminate();
      return ms;
    },
    { url, fileBytes, step, inFlight }
  );
}

async function main(): Promise<void> {
  const folders = makeServerFolders('axopy-bench-analysis-');
  const started = Date.now();
  execFileSync(CURRENT_PYTHON, ['-c', WRITE, path.join(folders.rootDir, 'data')]);
  const fileBytes = fs.statSync(path.join(folders.rootDir, TASK, 'emg.hdf5')).size;
  const trialBytes = TRIALS * CHANNELS * SAMPLES * 8;
  console.log(
    `wrote ${TRIALS} x ${CHANNELS} x ${SAMPLES} float64 (${MB(trialBytes)} of trials, a ${MB(fileBytes)} file) with h5py in ${Date.now() - started} ms`
  );
  const server = await startLabServer({ rootDir: folders.rootDir, token: '', stateDir: folders.stateDir });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu']
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${server.url}/lab`);
    await page.waitForFunction(
      () => (globalThis as any).jupyterapp?.commands?.hasCommand('jupyterlab-axopy:preview-task'),
      undefined,
      { timeout: 60_000 }
    );
    await page.evaluate(
      async task =>
        void (await (globalThis as any).jupyterapp.commands.execute('jupyterlab-axopy:preview-task', { path: task })),
      TASK
    );
    await page.waitForFunction(
      task => (globalThis as any).__axopyPreviews?.[task]?.arrays?.emg?.status === 'plotted',
      TASK,
      { timeout: 60_000 }
    );
    const bytesBefore = await page.evaluate(
      task => (globalThis as any).__axopyPreviews[task].arrays.emg.bytesFetched as number,
      TASK
    );
    const meter = await HeapMeter.start(browser, page);
    // Range requests for the array file (the worker's included), counted as they come.
    const requests = { count: 0 };
    page.on('response', response => {
      if (response.url().includes('/files/data/p01/big/emg.hdf5')) requests.count++;
    });
    const complete = `/${TRIALS} of ${TRIALS} kept trials/.test(section.querySelector('.jp-AxoPyAnalysis-caption').textContent)`;

    if (process.argv[2] === 'overlay-first') {
      // The overlay as the first read of the file: nothing cached, the worker's buffers not made yet.
      const overlayFirst = await peakGrowth(meter, () =>
        timeFrames(page, { selector: 'button[data-mode="overlay"]' }, [
          "/[1-9]\\d* traces drawn/.test(section.querySelector('.jp-AxoPyAnalysis-caption').textContent)",
          `/${TRIALS} traces drawn/.test(section.querySelector('.jp-AxoPyAnalysis-caption').textContent)`
        ])
      );
      console.log(
        `overlay of ${TRIALS} trials as the first read: first traces ${overlayFirst.result[0].toFixed(0)} ms, all ${overlayFirst.result[1].toFixed(0)} ms`
      );
      console.log(
        `  page + worker memory: +${MB(overlayFirst.peak - overlayFirst.base)} at peak (page +${MB(overlayFirst.pagePeak)}, worker +${MB(overlayFirst.workersPeak)} at their own peaks)`
      );
      return;
    }

    // Average, all trials as one group (the grouping select is filled once the model exists).
    const average = await peakGrowth(meter, () =>
      timeFrames(page, { selector: 'button[data-mode="average"]' }, [
        "section.querySelectorAll('.jp-AxoPyAnalysis-legend li').length > 0",
        complete
      ])
    );
    const [first, all] = average.result;
    const session = await page.context().newCDPSession(page);
    await session.send('HeapProfiler.collectGarbage');
    const afterGc = await meter.used();
    const state = await page.evaluate(task => {
      const s = (globalThis as any).__axopyPreviews[task].analysis.emg;
      return { bytes: s.bytesFetched as number, done: s.progress.done as number };
    }, TASK);
    const moved = state.bytes - bytesBefore;
    console.log(
      `average of ${state.done} trials: first groups drawn ${first.toFixed(0)} ms, complete ${all.toFixed(0)} ms (${(trialBytes / 2 ** 20 / (all / 1000)).toFixed(0)} MB/s of trials)`
    );
    console.log(
      `  page + worker memory: +${MB(average.peak - average.base)} at peak (page +${MB(average.pagePeak)}, worker +${MB(average.workersPeak)} at their own peaks), +${MB(average.end - average.base)} right after, +${MB(afterGc - average.base)} after the page's GC (${meter.workersSeen} workers measured)`
    );
    console.log(
      `  bytes moved: ${MB(moved)} = ${(moved / trialBytes).toFixed(3)}x the trials' bytes, in ${requests.count} range requests`
    );

    const reference = await rawFetchMs(
      page,
      `${server.url}/files/${TASK}/emg.hdf5`,
      fileBytes,
      50 * CHANNELS * SAMPLES * 8,
      3
    );
    console.log(
      `  reference: the same file fetched by a worker of the page in Range requests of 50 trials, 3 at once, nothing else done: ${reference.toFixed(0)} ms; the view's complete read is ${(all / reference).toFixed(2)}x that`
    );

    const [regroup] = await timeFrames(page, { selector: '[data-control="grouping"] select', option: 'gesture' }, [
      "/gesture = pinch \\(n = 500\\)/.test(section.querySelector('.jp-AxoPyAnalysis-legend').textContent)"
    ]);
    const [regroupAgain] = await timeFrames(page, { selector: '[data-control="grouping"] select', option: 'level' }, [
      "/level = high \\(n = 1000\\)/.test(section.querySelector('.jp-AxoPyAnalysis-legend').textContent)"
    ]);
    const after = await page.evaluate(
      task => (globalThis as any).__axopyPreviews[task].analysis.emg.bytesFetched as number,
      TASK
    );
    console.log(
      `regroup from cache: by gesture ${regroup.toFixed(0)} ms, by level ${regroupAgain.toFixed(0)} ms to the frame; bytes read meanwhile ${after - state.bytes}`
    );

    const legendHas = (text: string) =>
      `/${text.replace(/[()]/g, '\\$&')}/.test(section.querySelector('.jp-AxoPyAnalysis-legend').textContent)`;
    const tableFilter = async (filter: string, legend: string): Promise<number> =>
      (await timeFrames(page, { selector: '', tableFilter: filter }, [legendHas(legend)]))[0];
    const bytesBeforeFilters = after;
    const fistOnly = await tableFilter("gesture == 'fist'", 'level = high (n = 250)');
    const allAgain = await tableFilter('', 'level = high (n = 1000)');
    const afterWhole = await page.evaluate(
      task => (globalThis as any).__axopyPreviews[task].analysis.emg.bytesFetched as number,
      TASK
    );
    const cut = await tableFilter('trial >= 40', 'level = high (n = 980)');
    const uncut = await tableFilter('', 'level = high (n = 1000)');
    const afterCut = await page.evaluate(
      task => (globalThis as any).__axopyPreviews[task].analysis.emg.bytesFetched as number,
      TASK
    );
    console.log(
      `table filter: gesture == 'fist' ${fistOnly.toFixed(0)} ms, cleared ${allAgain.toFixed(0)} ms (bytes read ${afterWhole - bytesBeforeFilters}); trial >= 40 ${cut.toFixed(0)} ms, cleared ${uncut.toFixed(0)} ms (${MB(afterCut - afterWhole)} read: the 40 trials out, then in)`
    );

    const caption = "section.querySelector('.jp-AxoPyAnalysis-caption').textContent";
    const overlay = await peakGrowth(meter, () =>
      timeFrames(page, { selector: 'button[data-mode="overlay"]' }, [
        `/[1-9]\\d* traces drawn/.test(${caption})`,
        `/${TRIALS} traces drawn/.test(${caption})`
      ])
    );
    await session.send('HeapProfiler.collectGarbage');
    const overlayAfterGc = await meter.used();
    const [overlayRegroup] = await timeFrames(
      page,
      { selector: '[data-control="grouping"] select', option: 'gesture' },
      ["/gesture = pinch \\(n = 500\\)/.test(section.querySelector('.jp-AxoPyAnalysis-legend').textContent)"]
    );
    const [overlayFilter] = await timeFrames(page, { selector: '', tableFilter: 'trial < 1000' }, [
      `/ 1000 traces drawn/.test(${caption})`
    ]);
    await page.evaluate(task => {
      const input = document.querySelector(
        `.jp-AxoPyPreview[data-task-path="${task}"] .jp-AxoPyPreview-filter`
      ) as HTMLInputElement;
      input.value = '';
      input.dispatchEvent(new Event('input'));
    }, TASK);
    // Every trial kept again: the atoms the filter cut are read again before the image is timed.
    await page.waitForFunction(
      ({ task, trials }) => {
        const s = (globalThis as any).__axopyPreviews[task].analysis.emg;
        return !s.busy && s.overlayRows.length === trials;
      },
      { task: TASK, trials: TRIALS },
      { timeout: 120_000 }
    );
    const image = await peakGrowth(meter, () =>
      timeFrames(page, { selector: 'button[data-mode="image"]' }, [
        `section.querySelector('.jp-AxoPyAnalysis-image') !== null && /: ${TRIALS} trials/.test(section.querySelector('.jp-AxoPyAnalysis-imageCaption').textContent)`
      ])
    );
    console.log(
      `image (2000 trials x 256 columns, read again): ${image.result[0].toFixed(0)} ms; memory +${MB(image.peak - image.base)} at peak, +${MB(image.end - image.base)} after`
    );
    console.log(
      `overlay of ${TRIALS} trials x ${CHANNELS} channels (spans of 512 columns, read again): first traces ${overlay.result[0].toFixed(0)} ms, all ${TRIALS} ${overlay.result[1].toFixed(0)} ms; memory +${MB(overlay.peak - overlay.base)} at peak, +${MB(overlayAfterGc - overlay.base)} after the page's GC`
    );
    console.log(
      `  overlay redrawn from its spans: regroup by gesture ${overlayRegroup.toFixed(0)} ms, table filter to 1000 trials ${overlayFilter.toFixed(0)} ms to the frame`
    );
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(folders.base, { recursive: true, force: true });
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
