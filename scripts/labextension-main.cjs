// Preloaded by `npm run build:lab`. The package's "main" is the Node kernel API (tslab reads
// "main", not "exports"), but the JupyterLab builder bundles whatever `require.resolve(<package>)`
// gives as the extension's ./index and shared root module: during the build, resolve the package
// folder to the browser entry instead, so no Node code (h5wasm/node, fs) enters the bundle.
const Module = require('node:module');
const path = require('node:path');

const packageRoot = path.resolve(__dirname, '..');
const browserEntry = path.join(packageRoot, 'lib', 'browser', 'lab', 'index.js');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (path.isAbsolute(request) && path.resolve(request) === packageRoot) {
    return browserEntry;
  }
  return resolveFilename.call(this, request, ...rest);
};
