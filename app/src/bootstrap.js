// Entry point. Federated (prebuilt) extensions must join webpack's share scope before any
// shared package is instantiated, so that one copy of each singleton (@jupyterlab/*, @lumino/*,
// react, yjs...) is chosen for the whole page. Only then is the application module imported.
import { readPageOption } from './page-config.js';

/**
 * Adds a script tag and resolves once it has run.
 *
 * @param {string} url - the script URL
 */
function injectScript(url) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.async = true;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`Failed to load federated extension script ${url}`));
    script.src = url;
    document.head.appendChild(script);
  });
}

/**
 * Loads one federated extension's remoteEntry and hands it our share scope.
 *
 * @param {{ name: string, load: string }} extension - an entry of `federated_extensions`
 */
async function initFederatedContainer(extension) {
  const baseUrl = readPageOption('fullLabextensionsUrl');
  await injectScript(`${baseUrl}/${extension.name}/${extension.load}`);
  // eslint-disable-next-line no-undef
  await __webpack_init_sharing__('default');
  // Prebuilt extensions register their container under window._JUPYTERLAB[<package name>].
  const container = window._JUPYTERLAB[extension.name];
  // eslint-disable-next-line no-undef
  await container.init(__webpack_share_scopes__.default);
}

async function bootstrap() {
  const federatedExtensions = readPageOption('federated_extensions', []);
  const outcomes = await Promise.allSettled(federatedExtensions.map(initFederatedContainer));
  for (const outcome of outcomes) {
    if (outcome.status === 'rejected') {
      console.error(outcome.reason);
    }
  }
  const { main } = await import('./index.js');
  if (document.readyState === 'complete') {
    await main();
  } else {
    window.addEventListener('load', () => void main());
  }
}

void bootstrap();
