// The application module: collects the plugins of the bundled JupyterLab extension packages and
// of the federated (prebuilt) extensions listed in the page config, then starts JupyterLab.
import { JupyterPluginRegistry, PageConfig } from '@jupyterlab/coreutils';
import { IConnectionStatus, IServiceManager } from '@jupyterlab/services';
import { JupyterLab } from '@jupyterlab/application';

import '../build/style.js';
import { bundledExtensions, bundledMimeExtensions } from '../build/bundled-extensions.js';

/**
 * Instantiates one exposed module (`./extension`, `./mimeExtension`, `./style`) of a federated
 * extension whose container the bootstrap has already initialised.
 */
async function loadFederatedModule(packageName, exposedModule) {
  const factory = await window._JUPYTERLAB[packageName].get(exposedModule);
  const module = factory();
  module.__scope__ = packageName;
  return module;
}

/** The plugins an extension module exports: ES default export or CommonJS module value. */
function pluginsOf(extensionModule) {
  const exported = Object.prototype.hasOwnProperty.call(extensionModule, '__esModule')
    ? extensionModule.default
    : extensionModule;
  return Array.isArray(exported) ? exported : [exported];
}

/**
 * Sorts plugins into enabled and disabled following the page config, and records every plugin's
 * metadata for the plugin list (`IInfo.availablePlugins`).
 */
class PluginCollector {
  constructor() {
    this.enabled = [];
    this.disabledIds = [];
    this.deferredIds = [];
    this.available = [];
  }

  add(extensionModule, packageName) {
    const enabled = [];
    for (const plugin of pluginsOf(extensionModule)) {
      const isDisabled = PageConfig.Extension.isDisabled(plugin.id);
      this.available.push({
        id: plugin.id,
        description: plugin.description,
        requires: plugin.requires ?? [],
        optional: plugin.optional ?? [],
        provides: plugin.provides ?? null,
        autoStart: plugin.autoStart,
        enabled: !isDisabled,
        extension: packageName
      });
      if (isDisabled) {
        this.disabledIds.push(plugin.id);
        continue;
      }
      if (PageConfig.Extension.isDeferred(plugin.id)) {
        this.deferredIds.push(plugin.id);
      }
      enabled.push(plugin);
    }
    return enabled;
  }
}

/**
 * Adds the plugins of bundled packages, except the packages a federated extension replaces
 * (a prebuilt copy of a core package wins, as in stock JupyterLab).
 */
function collectBundled(entries, replacedByFederated, collector, target) {
  for (const { name, load } of entries) {
    if (replacedByFederated.has(name)) {
      continue;
    }
    try {
      target.push(...collector.add(load(), name));
    } catch (error) {
      console.error(`Failed to load the bundled extension ${name}`, error);
    }
  }
}

/** Adds the plugins of federated modules, reporting the ones that failed to load. */
async function collectFederated(pending, collector, target) {
  for (const outcome of await Promise.allSettled(pending)) {
    if (outcome.status === 'fulfilled') {
      target.push(...collector.add(outcome.value, outcome.value.__scope__));
    } else {
      console.error(outcome.reason);
    }
  }
}

/** Builds and starts the application; called once the page has loaded. */
export async function main() {
  const federated = JSON.parse(PageConfig.getOption('federated_extensions') || '[]');
  const replacedByFederated = new Set();
  const pendingExtensions = [];
  const pendingMimeExtensions = [];
  const pendingStyles = [];
  for (const data of federated) {
    if (data.extension) {
      replacedByFederated.add(data.name);
      pendingExtensions.push(loadFederatedModule(data.name, data.extension));
    }
    if (data.mimeExtension) {
      replacedByFederated.add(data.name);
      pendingMimeExtensions.push(loadFederatedModule(data.name, data.mimeExtension));
    }
    if (data.style && !PageConfig.Extension.isDisabled(data.name)) {
      pendingStyles.push(loadFederatedModule(data.name, data.style));
    }
  }

  const collector = new PluginCollector();
  const mimeExtensions = [];
  collectBundled(bundledMimeExtensions, replacedByFederated, collector, mimeExtensions);
  await collectFederated(pendingMimeExtensions, collector, mimeExtensions);
  const plugins = [];
  collectBundled(bundledExtensions, replacedByFederated, collector, plugins);
  await collectFederated(pendingExtensions, collector, plugins);
  for (const outcome of await Promise.allSettled(pendingStyles)) {
    if (outcome.status === 'rejected') {
      console.error(outcome.reason);
    }
  }

  const pluginRegistry = new JupyterPluginRegistry();
  pluginRegistry.registerPlugins(plugins);
  // The service manager and connection status are plugins too; the application needs them
  // before its own construction.
  const connectionStatus = await pluginRegistry.resolveOptionalService(IConnectionStatus);
  const serviceManager = await pluginRegistry.resolveRequiredService(IServiceManager);

  const lab = new JupyterLab({
    pluginRegistry,
    serviceManager,
    mimeExtensions,
    connectionStatus,
    disabled: { matches: collector.disabledIds, patterns: PageConfig.Extension.disabled },
    deferred: { matches: collector.deferredIds, patterns: PageConfig.Extension.deferred },
    availablePlugins: collector.available
  });
  const started = lab.start({ ignorePlugins: collector.deferredIds, bubblingKeydown: true });
  if (PageConfig.getOption('exposeAppInBrowser').toLowerCase() === 'true') {
    // galata and debugging sessions reach the application (and await `started`) through this
    // global, so it is set before start-up completes.
    window.jupyterapp = lab;
  }
  await started;
}
