/**
 * What an export covers and where its archive goes: a storage root, a subject or a task, all
 * archived under the root's own name so the hierarchy `<root>/<subject>/<task>/...` is kept
 * whichever level is exported.
 */
import { defaultZipPath } from '../../core/zip-plan.js';

/** The level of the storage tree being exported. */
export type ExportLevel = 'root' | 'subject' | 'task';

/** A folder to export and how its files are named in the archive. */
export interface IExportTarget {
  readonly level: ExportLevel;
  /** The exported folder, from the server root. */
  readonly folderPath: string;
  /** The storage root's folder name: the archive's top folder. */
  readonly rootName: string;
  /** `<subject>` or `<subject>/<task>` between the top folder and the files; '' for a root. */
  readonly prefix: string;
  /** The archive's file name: `<folder name>.zip`. */
  readonly archiveName: string;
  /** Where a server-side archive goes: beside the folder (`<parent>/<folder name>.zip`). */
  readonly archivePath: string;
}

const LEVEL_DEPTH: Record<ExportLevel, number> = { root: 0, subject: 1, task: 2 };

function components(path: string): string[] {
  return path.split('/').filter(part => part !== '');
}

/**
 * The export of `folderPath` seen as a storage `level`: a subject's root is its parent, a
 * task's root its grandparent.
 * @throws RangeError when the path has too few components for the level (or none at all).
 */
export function exportTarget(level: ExportLevel, folderPath: string): IExportTarget {
  const parts = components(folderPath);
  const depth = LEVEL_DEPTH[level];
  if (parts.length <= depth) {
    throw new RangeError(`"${folderPath}" cannot be exported as a ${level}: it has no folder name to archive under`);
  }
  const normalised = parts.join('/');
  const archiveName = `${parts[parts.length - 1]}.zip`;
  return {
    level,
    folderPath: normalised,
    rootName: parts[parts.length - 1 - depth],
    prefix: parts.slice(parts.length - depth).join('/'),
    archiveName,
    archivePath: defaultZipPath(normalised)
  };
}

/**
 * The level of any folder (from the file browser) given the storage roots shown: a root
 * itself, a folder one level below a root is a subject, two levels a task; anything else is
 * exported as a root of its own.
 */
export function levelOfFolder(folderPath: string, roots: readonly string[]): ExportLevel {
  const folder = components(folderPath).join('/');
  let level: ExportLevel = 'root';
  for (const root of roots) {
    const rootPath = components(root).join('/');
    if (folder === rootPath) {
      return 'root';
    }
    if (rootPath === '' || !folder.startsWith(`${rootPath}/`)) {
      continue;
    }
    const depth = components(folder.slice(rootPath.length + 1)).length;
    if (depth === 1) {
      level = 'subject';
    } else if (depth === 2) {
      level = 'task';
    }
  }
  return level;
}
