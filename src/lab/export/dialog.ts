/**
 * The small dialog that asks where an export goes: a download to this computer, or an
 * archive saved beside the data on the Jupyter server.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import type { IPreselection } from './destination-choice.js';
import type { IExportTarget } from './target.js';

/** Where an archive goes. */
export type ExportDestination = 'download' | 'server';

/** The dialog body: two radio buttons, the preselected one checked, and why it is. */
class DestinationBody extends Widget implements Dialog.IBodyWidget<ExportDestination> {
  constructor(trans: TranslationBundle, target: IExportTarget, preselection: IPreselection) {
    super();
    this.addClass('jp-AxoPyExport-dialog');
    const intro = document.createElement('p');
    intro.textContent = trans.__('The archive keeps the folders %1/…', target.rootName);
    this.node.appendChild(intro);
    this._radios = {
      download: this._addChoice(
        'download',
        trans.__('Download %1 to this computer', target.archiveName),
        preselection.destination
      ),
      server: this._addChoice(
        'server',
        trans.__('Save %1 on the server, beside the folder', target.archivePath),
        preselection.destination
      )
    };
    // Said, not silently reused: which rule preselected the choice.
    const note = document.createElement('p');
    note.className = 'jp-AxoPyExport-lastChoice';
    note.dataset.reason = preselection.reason;
    note.textContent =
      preselection.reason === 'root'
        ? trans.__('Preselected: your last choice for the storage root %1.', preselection.rootPath || '/')
        : trans.__(
            'Preselected: the default destination of the settings (AxoPy ZIP export); your choice is remembered for the storage root %1.',
            preselection.rootPath || '/'
          );
    this.node.appendChild(note);
  }

  getValue(): ExportDestination {
    return this._radios.server.checked ? 'server' : 'download';
  }

  private _addChoice(value: ExportDestination, text: string, initial: ExportDestination): HTMLInputElement {
    const label = document.createElement('label');
    label.className = 'jp-AxoPyExport-choice';
    const radio = document.createElement('input');
    radio.type = 'radio';
    radio.name = 'jp-AxoPyExport-destination';
    radio.value = value;
    radio.checked = value === initial;
    label.append(radio, document.createTextNode(text));
    this.node.appendChild(label);
    return radio;
  }

  private readonly _radios: Record<ExportDestination, HTMLInputElement>;
}

/** Asks for the destination; undefined when the user cancels. */
export async function askDestination(
  trans: TranslationBundle,
  target: IExportTarget,
  preselection: IPreselection
): Promise<ExportDestination | undefined> {
  const result = await showDialog({
    title: trans.__('Export %1 as ZIP', target.folderPath),
    body: new DestinationBody(trans, target, preselection),
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: trans.__('Export') })]
  });
  return result.button.accept && result.value !== null ? result.value : undefined;
}

/** Asks before replacing an archive already on the server. */
export async function confirmReplace(trans: TranslationBundle, archivePath: string): Promise<boolean> {
  const result = await showDialog({
    title: trans.__('Replace %1?', archivePath),
    body: trans.__('%1 already exists on the server. Replace it with the new archive?', archivePath),
    buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: trans.__('Replace') })]
  });
  return result.button.accept;
}
