/**
 * Counting the complete trial rows of a trials.csv without parsing it: for the sidebar's
 * counts and for the ZIP export's snapshot of a task being recorded. Safe against a file
 * being appended to while it is read.
 */

const QUOTE = 0x22;
const NEWLINE = 0x0a;

/**
 * Number of complete trial rows in a trials.csv (text, or its UTF-8 bytes: quotes and
 * newlines never occur inside a multi-byte character): complete records (ended by a newline
 * outside quotes, as pandas writes them) minus the header. A last record without its newline
 * is a row still being written and is not counted.
 */
export function countCompleteRows(csv: string | Uint8Array): number {
  const codeAt = typeof csv === 'string' ? (i: number) => csv.charCodeAt(i) : (i: number) => csv[i];
  let records = 0;
  let insideQuotes = false;
  for (let i = 0; i < csv.length; i++) {
    const code = codeAt(i);
    // A doubled quote inside a quoted field toggles twice: no special case needed.
    if (code === QUOTE) {
      insideQuotes = !insideQuotes;
    } else if (code === NEWLINE && !insideQuotes) {
      records++;
    }
  }
  return Math.max(0, records - 1);
}
