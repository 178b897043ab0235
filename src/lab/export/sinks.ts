/**
 * Where the archive's bytes go, chunk by chunk: a file the user picked (File System Access
 * API, streamed to disk), a Blob assembled from parts (kept by the browser outside the JS
 * heap) then downloaded, or a file on the Jupyter server written with the Contents API's
 * chunked save under a temporary name and renamed when complete.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection, type Contents } from '@jupyterlab/services';

/** Receives the archive; `abort` removes whatever was written. */
export interface IArchiveSink {
  /** Where the archive ends up, for messages. */
  readonly description: string;
  /** The archive's next bytes, in pieces the sink now owns (transferred from the ZIP worker). */
  write(chunks: readonly Uint8Array[]): Promise<void>;
  /**
   * True when the sink has copied the chunks' bytes by the time `write` resolves: their buffers
   * then go back to the worker to be read into again (no garbage per chunk).
   */
  readonly copiesOnWrite: boolean;
  close(): Promise<void>;
  abort(): Promise<void>;
}

/** The File System Access API's save picker (Chromium), absent from TypeScript's DOM types. */
interface IFileSaveHandle {
  readonly name: string;
  createWritable(): Promise<WritableStream<Blob> & { write(data: Blob): Promise<void> }>;
  remove?(): Promise<void>;
}
type SaveFilePicker = (options: {
  suggestedName: string;
  types: Array<{ description: string; accept: Record<string, string[]> }>;
}) => Promise<IFileSaveHandle>;

/** Whether this browser can stream a download to a file the user picks. */
export function canPickSaveFile(): boolean {
  return typeof (window as unknown as { showSaveFilePicker?: unknown }).showSaveFilePicker === 'function';
}

/**
 * Asks where to save (needs the user's recent click) and streams the archive there.
 * @returns undefined when the user closes the picker.
 */
export async function pickFileSink(suggestedName: string): Promise<IArchiveSink | undefined> {
  const picker = (window as unknown as { showSaveFilePicker: SaveFilePicker }).showSaveFilePicker;
  let handle: IFileSaveHandle;
  try {
    handle = await picker({
      suggestedName,
      types: [{ description: 'ZIP archive', accept: { 'application/zip': ['.zip'] } }]
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') {
      return undefined;
    }
    throw error;
  }
  const writable = await handle.createWritable();
  return {
    description: handle.name,
    copiesOnWrite: true,
    write: chunks => writable.write(new Blob(chunks as Uint8Array<ArrayBuffer>[])),
    close: () => writable.close(),
    abort: async () => {
      // The browser only moves its swap file in place on close: aborting discards the bytes,
      // and the file the picker created (empty) is removed where the browser allows it.
      await writable.abort().catch(() => undefined);
      await handle.remove?.().catch(() => undefined);
    }
  };
}

/** Hands `url` to the browser's download manager, saved as `fileName`. */
export function startBrowserDownload(url: string, fileName: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
}

/** Collects the archive as Blob parts and hands it to the browser's downloads when complete. */
export function blobDownloadSink(fileName: string): IArchiveSink {
  let parts: Blob[] = [];
  return {
    description: fileName,
    copiesOnWrite: true,
    write: async chunks => {
      // Into the browser's blob storage (off the JS heap; on disk when large), one copy.
      parts.push(new Blob(chunks as Uint8Array<ArrayBuffer>[]));
    },
    close: async () => {
      const url = URL.createObjectURL(new Blob(parts, { type: 'application/zip' }));
      parts = [];
      startBrowserDownload(url, fileName);
      // The download reads the Blob after this returns; release it once that had time to start.
      window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
    },
    abort: async () => {
      parts = [];
    }
  };
}

/** The text the server gave for a failed request, else its status. */
async function responseMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const parsed = JSON.parse(text) as { message?: string; reason?: string };
    return parsed.message || parsed.reason || `HTTP ${response.status}`;
  } catch {
    return text.trim() || `HTTP ${response.status}`;
  }
}

function toBase64(bytes: Uint8Array): string {
  const native = (bytes as Uint8Array & { toBase64?: () => string }).toBase64;
  if (typeof native === 'function') {
    return native.call(bytes);
  }
  let binary = '';
  for (let offset = 0; offset < bytes.length; offset += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
  }
  return btoa(binary);
}

/** Options of {@link serverFileSink}. */
export interface IServerFileSinkOptions {
  readonly contents: Contents.IManager;
  /** The archive's final path from the server root. */
  readonly archivePath: string;
  /** Bytes per Contents API request (before base64). */
  readonly chunkBytes: number;
  /** Replace an archive already at `archivePath` (the user confirmed). */
  readonly replace: boolean;
}

/**
 * Writes the archive on the server: `<archive>.partial-<random>` through Jupyter's chunked
 * save (`chunk` 1, 2, ..., -1 for the last, base64), renamed to the archive when complete; an
 * abort or error deletes the partial file.
 *
 * Speed: the server appends each chunk (constant time per chunk, not a rewrite), but decoding
 * the JSON and base64 costs it about as much as the browser spends sending, so the two overlap:
 * one request is in flight while the next chunk gathers (one buffer of gathered bytes and one
 * request body held). A request
 * body is a Blob of the JSON's pieces, so the base64 text is neither escaped by JSON.stringify
 * nor copied again into the request.
 */
export function serverFileSink(options: IServerFileSinkOptions): IArchiveSink {
  const { contents, archivePath, chunkBytes } = options;
  const settings = contents.serverSettings;
  const random = Array.from(crypto.getRandomValues(new Uint8Array(6)), b => b.toString(16).padStart(2, '0')).join('');
  const partialPath = `${archivePath}.partial-${random}`;
  const partialName = partialPath.slice(partialPath.lastIndexOf('/') + 1);
  const url = URLExt.join(settings.baseUrl, 'api/contents', URLExt.encodeParts(partialPath));
  // Chunks are copied into one buffer, reused for every request: the worker's buffers go
  // back to it at once, and nothing per chunk is left for the garbage collector.
  const gathered = new Uint8Array(chunkBytes);
  let gatheredBytes = 0;
  let nextChunk = 1;
  let aborted = false;
  // The PUT under way: the next one waits for it (the server appends in order), an abort
  // waits for it, else it could recreate the file just deleted; its failure fails the next
  // write or the close.
  let inFlight: Promise<void> = Promise.resolve();

  /** Starts sending what is gathered once the previous request is done; resolves when started. */
  const upload = async (last: boolean): Promise<void> => {
    // Encoded (synchronously, so `gathered` is free again) while the previous request is in flight.
    const content = toBase64(gathered.subarray(0, gatheredBytes));
    gatheredBytes = 0;
    await inFlight;
    if (aborted) throw new Error(`export of ${archivePath} was cancelled`);
    // A one-chunk archive is written whole: chunk -1 alone would append to nothing.
    const chunk = last ? (nextChunk === 1 ? undefined : -1) : nextChunk;
    nextChunk += 1;
    const fields = JSON.stringify({ type: 'file', format: 'base64', name: partialName, path: partialPath, chunk });
    const body = new Blob([fields.slice(0, -1), ',"content":"', content, '"}'], { type: 'application/json' });
    inFlight = put(body);
    // Observed now so a failure waiting for the next write is not reported as unhandled.
    inFlight.catch(() => undefined);
  };
  const put = async (body: Blob): Promise<void> => {
    const response = await ServerConnection.makeRequest(url, { method: 'PUT', body }, settings);
    if (!response.ok) {
      throw new Error(`could not write ${partialPath} on the server: ${await responseMessage(response)}`);
    }
  };
  const removePartial = async (): Promise<void> => {
    if (nextChunk > 1) {
      await ServerConnection.makeRequest(url, { method: 'DELETE' }, settings).catch(() => undefined);
    }
  };

  return {
    description: archivePath,
    copiesOnWrite: true,
    write: async chunks => {
      for (const chunk of chunks) {
        for (let offset = 0; offset < chunk.length;) {
          const taken = Math.min(chunk.length - offset, chunkBytes - gatheredBytes);
          gathered.set(chunk.subarray(offset, offset + taken), gatheredBytes);
          gatheredBytes += taken;
          offset += taken;
          if (gatheredBytes === chunkBytes) {
            await upload(false);
          }
        }
      }
    },
    close: async () => {
      try {
        await upload(true);
        await inFlight;
        if (options.replace) {
          await contents.delete(archivePath).catch(() => undefined);
        }
        await contents.rename(partialPath, archivePath);
      } catch (error) {
        await inFlight.catch(() => undefined);
        await removePartial();
        throw error;
      }
    },
    abort: async () => {
      aborted = true;
      gatheredBytes = 0;
      await inFlight.catch(() => undefined);
      await removePartial();
    }
  };
}
