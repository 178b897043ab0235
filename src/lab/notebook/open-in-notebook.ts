/**
 * The "Open in Notebook" command of a task in the storage tree: writes a notebook beside the
 * storage root that loads the task with the kernel API, and opens it on the AxoPy kernel.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { showErrorMessage } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { notebookIcon } from '@jupyterlab/ui-components';
import { arrayNameOfFile, joinPath } from '../../core/layout.js';
import { CommandIDs } from '../sidebar/commands.js';
import type { IStorageBrowser, IStorageNode } from '../tokens.js';
import { AXOPY_KERNEL_NAME, AXOPY_KERNEL_DISPLAY_NAME, notebookPlacement, taskNotebook } from './task-notebook.js';

const TASK_ITEM_SELECTOR = '.jp-AxoPyStorage-item[data-kind="task"]';

function findNode(nodes: readonly IStorageNode[], path: string, kind: string): IStorageNode | undefined {
  for (const node of nodes) {
    if (node.path === path && node.kind === kind) return node;
    const inner = findNode(node.children, path, kind);
    if (inner) return inner;
  }
  return undefined;
}

/** The task node named by `args.path`, else the sidebar's targeted node when it is a task. */
function targetTask(browser: IStorageBrowser, args: { path?: unknown }): IStorageNode | undefined {
  if (typeof args.path === 'string') return findNode(browser.model.tree, args.path, 'task');
  const node = browser.targetNode();
  return node?.kind === 'task' ? node : undefined;
}

/** A notebook path in `folder` not taken yet: `<stem>.ipynb`, else `<stem>-1.ipynb`, ... */
async function freeNotebookPath(app: JupyterFrontEnd, folder: string, stem: string): Promise<string> {
  // List the folder rather than probe names: a probe of a free name is a 404 in the console.
  const listing = await app.serviceManager.contents.get(folder, { content: true });
  const taken = new Set((listing.content as { name: string }[]).map(entry => entry.name));
  for (let n = 0; ; n++) {
    const name = `${stem}${n === 0 ? '' : `-${n}`}.ipynb`;
    if (!taken.has(name)) return joinPath(folder, name);
  }
}

/** Registers the command and its place in the tree's context menu. */
export function addOpenInNotebookCommand(
  app: JupyterFrontEnd,
  browser: IStorageBrowser,
  trans: TranslationBundle
): void {
  app.commands.addCommand(CommandIDs.openInNotebook, {
    label: trans.__('Open in Notebook'),
    caption: trans.__('Create a TypeScript notebook that loads this task with the kernel API'),
    icon: notebookIcon,
    isVisible: args => targetTask(browser, args) !== undefined,
    execute: async args => {
      const task = targetTask(browser, args);
      if (task === undefined) return;
      const specs = app.serviceManager.kernelspecs.specs;
      if (!specs?.kernelspecs[AXOPY_KERNEL_NAME]) {
        await showErrorMessage(
          trans.__('The %1 kernel is not installed', AXOPY_KERNEL_DISPLAY_NAME),
          trans.__(
            'Install it with `npx jupyterlab-axopy install-kernel --sys-prefix --python <the python of this Jupyter>` (see the README), then reload this page.'
          )
        );
        return;
      }
      const [subjectId, taskId] = task.path.slice(task.root.replace(/\/+$/, '').length).split('/').filter(Boolean);
      const placement = notebookPlacement(task.root);
      try {
        // The task may not be expanded: list it rather than rely on the tree's children.
        const listing = await app.serviceManager.contents.get(task.path, { content: true });
        const arrayNames = (listing.content as { name: string; type: string }[])
          .filter(entry => entry.type !== 'directory')
          .map(entry => arrayNameOfFile(entry.name))
          .filter((name): name is string => name !== undefined)
          .sort();
        const path = await freeNotebookPath(app, placement.folder, `${subjectId}-${taskId}`);
        await app.serviceManager.contents.save(path, {
          type: 'notebook',
          format: 'json',
          content: taskNotebook({ storageRoot: placement.storageRoot, subjectId, taskId, arrayNames })
        });
        await app.commands.execute('docmanager:open', {
          path,
          factory: 'Notebook',
          kernel: { name: AXOPY_KERNEL_NAME }
        });
      } catch (error) {
        await showErrorMessage(trans.__('Cannot create a notebook for %1', task.path), error as Error);
      }
    }
  });
  app.contextMenu.addItem({ command: CommandIDs.openInNotebook, selector: TASK_ITEM_SELECTOR, rank: 1.5 });
}
