// galata drives JupyterLab through `window.galata` and the helpers plugin below. npm's galata
// ships them as plain modules (lib/extension), which pip JupyterLab bundles into its own
// prebuilt extension; this package does the same for our app. Its fonts plugin is left out:
// it only steadies screenshots and needs font packages that are not installed.
import { Dialog, Notification } from '@jupyterlab/apputils';
import { GalataInpage } from '@jupyterlab/galata/lib/extension/global';
import { PLUGIN_ID_GALATA_HELPERS } from '@jupyterlab/galata/lib/extension/tokens';

window.galata = new GalataInpage();
// Older galata helpers still look for this name.
window.galataip = window.galata;

const galataHelpersPlugin = {
  id: PLUGIN_ID_GALATA_HELPERS,
  description: 'galata in-page helpers: the notification manager and dialog tracker.',
  autoStart: true,
  activate: () =>
    Object.freeze({ notifications: Notification.manager, dialogs: Dialog.tracker })
};

export default [galataHelpersPlugin];
