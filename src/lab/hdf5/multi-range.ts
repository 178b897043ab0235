/**
 * Many byte ranges of a file in one HTTP request (`Range: bytes=a-b,c-d,...`), answered as a
 * `multipart/byteranges` body by the server extension's files endpoint
 * (jupyterlab_axopy/range_handlers.py). The worker reads the scattered nodes of a trial file's
 * root tree this way: hundreds of small pieces, where one request each cost a millisecond or
 * more of the server's time apiece. Pure but for the given `fetch`: testable in Node against a
 * real server.
 */

/**
 * The request header naming a file beside the one read, and the response header saying whether
 * it existed when the server answered ("1", "0"; absent: not said): the endpoint's answer about
 * the file's flush journal comes with each of a chunk's responses, instead of a folder listing.
 */
export const SIBLING_HEADER = 'X-AxoPy-Sibling';
export const SIBLING_EXISTS_HEADER = 'X-AxoPy-Sibling-Exists';

/** Whether the response says the file named in {@link SIBLING_HEADER} existed; undefined when it does not say. */
export function siblingExists(response: Response): boolean | undefined {
  const said = response.headers.get(SIBLING_EXISTS_HEADER);
  return said === '1' ? true : said === '0' ? false : undefined;
}

/** Bytes [start, end) of a file. */
export interface IByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * One range asked for, with the file's size and modification time as the response that carried
 * it gave them (the caller compares them: a file changed between two requests is seen there).
 */
export interface IFetchedRange {
  readonly bytes: Uint8Array;
  readonly total: number;
  readonly modified: string | undefined;
  /** Bytes of the response's body (framing included), counted on its first range only. */
  readonly received: number;
  /** Whether the sibling file asked about existed ({@link siblingExists}). */
  readonly sibling: boolean | undefined;
}

/** Ranges and bytes asked for in one request, well under the endpoint's bounds (4096, 64 MiB). */
const MAX_RANGES_PER_REQUEST = 1024;
const MAX_BYTES_PER_REQUEST = 16 * 1024 * 1024;

/** A response that is not the parts asked for: the message names what differed. */
export class MultiRangeError extends Error {}

/**
 * The parts of a `multipart/byteranges` body, each with its Content-Range (RFC 9110 14.6);
 * `contentType` is the response's, which names the boundary.
 */
export function partsOfByteRanges(
  body: Uint8Array,
  contentType: string
): { start: number; end: number; total: number; bytes: Uint8Array }[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!/^\s*multipart\/byteranges/i.test(contentType) || boundary === null)
    throw new MultiRangeError(`not a multipart/byteranges response (${contentType || 'no Content-Type'})`);
  const delimiter = ascii(`--${boundary[1] ?? boundary[2]}`);
  const parts: { start: number; end: number; total: number; bytes: Uint8Array }[] = [];
  let position = indexOf(body, delimiter, 0);
  while (position >= 0) {
    position += delimiter.length;
    if (body[position] === 0x2d && body[position + 1] === 0x2d) return parts; // "--": the last delimiter
    const headersEnd = indexOf(body, ascii('\r\n\r\n'), position);
    if (headersEnd < 0) break;
    const headers = new TextDecoder('latin1').decode(body.subarray(position, headersEnd));
    const range = /^content-range:\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/im.exec(headers);
    if (range === null) throw new MultiRangeError('a part without a byte Content-Range');
    const [start, end] = [Number(range[1]), Number(range[2]) + 1];
    const from = headersEnd + 4;
    // The length comes from Content-Range, not from a search for the boundary (the data may hold it).
    if (from + (end - start) > body.length) break;
    parts.push({ start, end, total: Number(range[3]), bytes: body.subarray(from, from + (end - start)) });
    position = indexOf(body, delimiter, from + (end - start));
  }
  throw new MultiRangeError('the multipart body ends before its last boundary (cut short?)');
}

/**
 * Bytes of `ranges` of the file at `url`, in few requests: many ranges go in one request, split
 * where a request would grow past the bounds above; a response that is a single range's (a server
 * may merge ranges) or the whole file's (one that ignores ranges) is read as such. Throws
 * {@link MultiRangeError} when the answer does not hold the ranges asked for.
 */
export async function fetchByteRanges(
  fetchUrl: typeof fetch,
  url: string,
  headers: Record<string, string>,
  ranges: readonly IByteRange[]
): Promise<IFetchedRange[]> {
  const fetched: IFetchedRange[] = [];
  for (const batch of batchesOf(ranges)) {
    const response = await fetchUrl(url, {
      headers: { ...headers, Range: `bytes=${batch.map(r => `${r.start}-${r.end - 1}`).join(',')}` },
      cache: 'no-store'
    });
    if (response.status !== 206 && response.status !== 200) {
      const reason = (await response.text()).slice(0, 300);
      throw new MultiRangeError(`HTTP ${response.status}${reason ? `: ${reason}` : ''}`);
    }
    const body = new Uint8Array(await response.arrayBuffer());
    const got = answeredParts(response, body);
    const modified = response.headers.get('Last-Modified') ?? undefined;
    const sibling = siblingExists(response);
    let received = body.length;
    for (const range of batch) {
      const end = Math.min(range.end, got.total);
      const inside = got.parts.find(part => range.start >= part.start && end <= part.end);
      if (inside === undefined)
        throw new MultiRangeError(`bytes ${range.start}-${range.end - 1} were not in the answer`);
      const bytes = inside.bytes.subarray(range.start - inside.start, end - inside.start);
      fetched.push({ bytes, total: got.total, modified, received, sibling });
      received = 0;
    }
  }
  return fetched;
}

/** The parts of one response: multipart, one range (206) or the whole file (200). */
function answeredParts(
  response: Response,
  body: Uint8Array
): { parts: { start: number; end: number; bytes: Uint8Array }[]; total: number } {
  if (response.status === 200) return { parts: [{ start: 0, end: body.length, bytes: body }], total: body.length };
  const contentType = response.headers.get('Content-Type') ?? '';
  if (/^\s*multipart\/byteranges/i.test(contentType)) {
    const parts = partsOfByteRanges(body, contentType);
    return { parts, total: parts.length > 0 ? parts[0].total : 0 };
  }
  const range = /bytes\s+(\d+)-(\d+)\/(\d+)/.exec(response.headers.get('Content-Range') ?? '');
  if (range === null) throw new MultiRangeError('a partial response without a Content-Range');
  return { parts: [{ start: Number(range[1]), end: Number(range[2]) + 1, bytes: body }], total: Number(range[3]) };
}

function* batchesOf(ranges: readonly IByteRange[]): Generator<IByteRange[]> {
  let batch: IByteRange[] = [];
  let bytes = 0;
  for (const range of ranges) {
    if (
      batch.length > 0 &&
      (batch.length >= MAX_RANGES_PER_REQUEST || bytes + range.end - range.start > MAX_BYTES_PER_REQUEST)
    ) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(range);
    bytes += range.end - range.start;
  }
  if (batch.length > 0) yield batch;
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, c => c.charCodeAt(0));
}

/** The first index of `needle` in `haystack` at or after `from`; -1 if none. */
function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0];
  for (
    let i = haystack.indexOf(first, from);
    i >= 0 && i + needle.length <= haystack.length;
    i = haystack.indexOf(first, i + 1)
  ) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}
