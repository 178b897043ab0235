// Reads the page config that the server writes into the HTML page. This runs before any
// JupyterLab package is loaded (it sets the webpack public path and finds the federated
// extensions), so it cannot use PageConfig from @jupyterlab/coreutils.

let cachedPageConfig = null;

/**
 * Returns one entry of the page config, or `fallback` when it is absent.
 *
 * @param {string} name - the page config key
 * @param {unknown} fallback - the value to return when the key is missing
 */
export function readPageOption(name, fallback = '') {
  if (cachedPageConfig === null) {
    const element = document.getElementById('jupyter-config-data');
    cachedPageConfig = element ? JSON.parse(element.textContent || '{}') : {};
  }
  return name in cachedPageConfig ? cachedPageConfig[name] : fallback;
}
