/**
 * Where the complete records of a trials.csv end, for cutting a row a writer left half
 * written. Row counts are reader.ts's countTrialsCsvRows (pandas' rule, one for every shell).
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
 * The length of the complete records at the start of a trials.csv: the offset just after the
 * last newline outside quotes (0 when there is none). What follows is a row cut mid-write,
 * even one whose quoted cell holds line breaks.
 */
export function completeRecordsLength(csv: string | Uint8Array): number {
  let end = 0;
  scanRecordEnds(csv, index => (end = index + 1));
  return end;
}
