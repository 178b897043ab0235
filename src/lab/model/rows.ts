/**
 * Trial row counting for the sidebar: cheap, and safe against a file being appended to while
 * it is read.
 */

const QUOTE = 0x22;
const NEWLINE = 0x0a;

/**
 * Number of complete trial rows in the text of a trials.csv: complete records (ended by a
 * newline outside quotes, as pandas writes them) minus the header. A last record without its
 * newline is a row still being written and is not counted.
 */
export function countCompleteRows(csvText: string): number {
  let records = 0;
  let insideQuotes = false;
  for (let i = 0; i < csvText.length; i++) {
    const code = csvText.charCodeAt(i);
    // A doubled quote inside a quoted field toggles twice: no special case needed.
    if (code === QUOTE) {
      insideQuotes = !insideQuotes;
    } else if (code === NEWLINE && !insideQuotes) {
      records++;
    }
  }
  return Math.max(0, records - 1);
}
