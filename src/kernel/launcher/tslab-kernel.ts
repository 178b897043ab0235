/**
 * The command the "TypeScript (AxoPy)" kernelspec runs (see scripts/install-kernel.sh):
 * `node tslab-kernel.js --config-path <connection file>`, started by Jupyter in the notebook's
 * folder.
 *
 * tslab resolves a cell's imports from the folder it starts in, so a notebook outside the
 * project could not import `jupyterlab-axopy/kernel`. The launcher starts tslab's kernel from
 * the project's `.jupyter-prefix` folder (see package-shim.ts), then returns to the notebook's
 * folder: imports work from any notebook, while relative file paths (`new Storage("data")`,
 * `fs.readFileSync("x.csv")`) stay relative to the notebook. A relative module import
 * (`import "./helpers.ts"`) resolves against `.jupyter-prefix`, not the notebook: use an
 * absolute path for those. A cell whose only top-level await is a `for await` loop is
 * rewritten so that tslab runs it (see for-await.ts).
 */
import * as path from 'node:path';
import { installConciseErrors } from '../display-errors.js';
import { findProjectRoot, kernelModuleRoot, writePackageShim } from './package-shim.js';
import { patchTslabConverter } from './for-await.js';

interface TslabMain {
  startKernel(options: { configPath: string; enableFindLocal: boolean; jsKernel?: boolean }): void;
}

function connectionFileArgument(argv: readonly string[]): string {
  const flag = argv.indexOf('--config-path');
  const value = flag >= 0 ? argv[flag + 1] : undefined;
  if (value === undefined) {
    throw new Error('usage: tslab-kernel.js --config-path <connection file>');
  }
  return value;
}

function main(): void {
  const configPath = path.resolve(connectionFileArgument(process.argv.slice(2)));
  const notebookFolder = process.cwd();
  const projectRoot = findProjectRoot(__dirname);
  const moduleRoot = kernelModuleRoot(projectRoot);
  writePackageShim(projectRoot, moduleRoot);
  const tslabMainPath = require.resolve('tslab/dist/main.js', { paths: [projectRoot] });
  // tslab's own TypeScript parses cells the way tslab will.
  const tslabTypeScript = require(
    require.resolve('@tslab/typescript-for-tslab', { paths: [path.dirname(tslabMainPath)] })
  );
  patchTslabConverter(require(path.join(path.dirname(tslabMainPath), 'converter.js')), tslabTypeScript);
  // Before tslab starts: it captures console.error for printing cell errors.
  installConciseErrors(console);
  process.chdir(moduleRoot);
  try {
    // startKernel reads the current folder synchronously (module resolution root, TypeScript
    // host), so going back right after it returns keeps both as set above.
    (require(tslabMainPath) as TslabMain).startKernel({ configPath, enableFindLocal: false });
  } finally {
    process.chdir(notebookFolder);
  }
}

main();
