/**
 * Icons of the extension, as LabIcons so that themes recolour them.
 */
import { LabIcon } from '@jupyterlab/ui-components';
// Resolved by webpack from the compiled file (lib/browser/lab/), three levels below the
// package root; TypeScript does not check the path of a wildcard-declared module.
import storageSvg from '../../../style/icons/axopy-storage.svg';

/** The AxoPy storage icon: sidebar tab, commands. */
export const axopyStorageIcon = new LabIcon({
  name: 'jupyterlab-axopy:storage',
  svgstr: storageSvg
});
