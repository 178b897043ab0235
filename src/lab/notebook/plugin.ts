/**
 * The "Open in Notebook" plugin.
 */
import { type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { IStorageBrowser } from '../tokens.js';
import { TRANSLATION_DOMAIN } from '../messages.js';
import { addOpenInNotebookCommand } from './open-in-notebook.js';

/** "Open in Notebook" on a task: a TypeScript notebook that loads it with the kernel API. */
export const notebookPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-axopy:notebook',
  description: 'Creates notebooks that load an AxoPy task with the jupyterlab-axopy kernel API.',
  autoStart: true,
  requires: [IStorageBrowser],
  optional: [ITranslator],
  activate: (app: JupyterFrontEnd, browser: IStorageBrowser, translator: ITranslator | null) => {
    addOpenInNotebookCommand(app, browser, (translator ?? nullTranslator).load(TRANSLATION_DOMAIN));
  }
};
