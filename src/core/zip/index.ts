/** The ZIP writer shared by the kernel's `storageToZip` and the JupyterLab export worker. */
export * from './writer.js';
export { crc32 } from './crc32.js';
export { webZipCodecs } from './web-codecs.js';
