// The builder exposes the package's "main" (the Node kernel, for tslab) as './index'; the
// browser bundle must expose the JupyterLab plugins instead, never fs/h5wasm-node code.
const path = require('path');
const webpack = require('webpack');
module.exports = {
  plugins: [
    new webpack.NormalModuleReplacementPlugin(
      /lib[\\/]node[\\/]kernel[\\/]index\.js$/,
      path.resolve(__dirname, 'lib/browser/lab/index.js')
    )
  ]
};
