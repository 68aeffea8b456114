/** A strict RFC 4180 reader for the export tests: quoted fields, doubled quotes, line ends inside quotes. */

/** One field: its text, and whether it was quoted (an unquoted empty field means "no value"). */
export interface CsvField {
  readonly text: string;
  readonly quoted: boolean;
}

/** Parses CSV text into rows of fields; throws on a stray quote or an unterminated field. */
export function parseCsv(text: string): CsvField[][] {
  const rows: CsvField[][] = [];
  let row: CsvField[] = [];
  let i = 0;
  while (i < text.length) {
    let value = "";
    let quoted = false;
    if (text[i] === '"') {
      quoted = true;
      i++;
      for (;;) {
        if (i >= text.length) throw new Error("unterminated quoted field");
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== "," && text[i] !== "\n") {
        if (text[i] === '"' || text[i] === "\r")
          throw new Error(`stray ${JSON.stringify(text[i])} in an unquoted field`);
        value += text[i++];
      }
    }
    row.push({ text: value, quoted });
    if (i >= text.length) throw new Error("the last row has no line end");
    if (text[i] === ",") i++;
    else if (text[i] === "\n") {
      rows.push(row);
      row = [];
      i++;
    } else throw new Error(`unexpected ${JSON.stringify(text[i])} after a quoted field`);
  }
  return rows;
}
