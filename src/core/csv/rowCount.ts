/**
 * Counting the complete trial rows of a trials.csv without parsing it: for the sidebar's
 * counts and for the ZIP export's snapshot of a task being recorded. Safe against a file
 * being appended to while it is read.
 */

const QUOTE = 0x22;
const NEWLINE = 0x0a;

/** Calls `onRecordEnd(i)` for each newline at index i that ends a record (outside quotes). */
function scanRecordEnds(csv: string | Uint8Array, onRecordEnd: (index: number) => void): void {
  const codeAt = typeof csv === 'string' ? (i: number) => csv.charCodeAt(i) : (i: number) => csv[i];
  let insideQuotes = false;
  for (let i = 0; i < csv.length; i++) {
    const code = codeAt(i);
    // A doubled quote inside a quoted field toggles twice: no special case needed.
    if (code === QUOTE) {
      insideQuotes = !insideQuotes;
    } else if (code === NEWLINE && !insideQuotes) {
      onRecordEnd(i);
    }
  }
}

/**
 * Number of complete trial rows in a trials.csv (text, or its UTF-8 bytes: quotes and
 * newlines never occur inside a multi-byte character): complete records (ended by a newline
 * outside quotes, as pandas writes them) minus the header. A last record without its newline
 * is a row still being written and is not counted.
 */
export function countCompleteRows(csv: string | Uint8Array): number {
  let records = 0;
  scanRecordEnds(csv, () => records++);
  return Math.max(0, records - 1);
}

/**
 * The length of the complete records at the start of a trials.csv: the offset just after the
 * last newline outside quotes (0 when there is none). What follows is a row cut mid-write,
 * even one whose quoted cell holds line breaks.
 */
export function completeRecordsLength(csv: string | Uint8Array): number {
  let end = 0;
  scanRecordEnds(csv, index => (end = index + 1));
  return end;
}
