import { Writable } from "node:stream";
import ExcelJS from "exceljs";
import { tokyoParts } from "../utils/format";

/**
 * The one CSV and XLSX writer, for every file a spreadsheet opens: the
 * attendee exports (exports.server.ts), a group's attendance
 * (working-groups/attendance.server.ts) and a person's own data
 * (privacy.server.ts).
 *
 * - a CSV field that starts with = + - @, a tab or a CR is prefixed with '
 *   (OWASP's CSV-injection rule); records end in CRLF, as Excel writes them;
 * - the XLSX is written by exceljs's streaming WorkbookWriter, a string is
 *   always a text cell (never a formula), a time is the Tokyo wall-clock time.
 */

/** OWASP: a cell that a spreadsheet could take for a formula (or its full-width form). */
const FORMULA_START = /^[=+\-@\t\r＝＋－＠]/;

/** One CSV field: neutralised against formulas, quoted, line breaks kept inside the quotes. */
export function csvField(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return `"${safe.replace(/\r\n?/g, "\n").replace(/"/g, '""')}"`;
}

/** One CSV record, CRLF-terminated as Excel writes them. */
export function csvRecord(values: readonly string[]): string {
  return `${values.map(csvField).join(",")}\r\n`;
}

/** Excel has no time zones: a time is written as the Tokyo wall-clock time. */
function excelDate(value: Date): Date {
  const p = tokyoParts(value);
  return new Date(Date.UTC(p.year, p.month - 1, p.day, Number(p.hour), Number(p.minute)));
}

/** A Writable that keeps what is written until it is taken. */
class ChunkSink extends Writable {
  private chunks: Buffer[] = [];
  _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void) {
    this.chunks.push(chunk);
    done();
  }
  take(): Buffer | null {
    if (this.chunks.length === 0) return null;
    const all = Buffer.concat(this.chunks);
    this.chunks = [];
    return all;
  }
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * How much sheet XML waits for the zip's deflate. exceljs writes each row on
 * without backpressure, so without waiting on this the uncompressed sheet
 * piles up (59 MB at 100,000 rows, against under 1 MB with it). Reads
 * exceljs's insides; where they differ it says 0, and nothing waits.
 */
function zipBacklog(sheet: unknown): number {
  type Side = { length?: number };
  const pipe = (sheet as { _stream?: { pipes?: unknown[] } })._stream?.pipes?.[0] as
    | { _writableState?: Side; _readableState?: Side }
    | undefined;
  const pending = (pipe?._writableState?.length ?? 0) + (pipe?._readableState?.length ?? 0);
  return Number.isFinite(pending) ? pending : 0;
}

export type SheetCell = string | number | Date | null;

/** A row of the sheet; `numFmt` sets the format of some cells (by 0-based column). */
export type SheetRow = { cells: SheetCell[]; bold?: boolean; numFmt?: Record<number, string> };

export type Sheet = {
  name: string;
  columns: { width: number; numFmt?: string }[];
  header: string[];
  /** how many columns stay in view when scrolling sideways */
  frozenColumns?: number;
  rows: AsyncIterable<SheetRow> | Iterable<SheetRow>;
  signal?: AbortSignal;
};

/**
 * One sheet as XLSX bytes, handed on every 200 rows as the zip compresses
 * them: a bold, frozen header row, column widths and formats, times as Excel
 * dates in Tokyo time. Nothing holds the whole sheet.
 */
export async function* xlsxSheetChunks(sheet: Sheet): AsyncGenerator<Uint8Array> {
  const sink = new ChunkSink();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: sink,
    useStyles: true,
    useSharedStrings: false,
  });
  workbook.creator = "自治研イベント";
  const worksheet = workbook.addWorksheet(sheet.name.slice(0, 31), {
    views: [{ state: "frozen", ySplit: 1, xSplit: sheet.frozenColumns ?? 0 }],
  });
  worksheet.columns = sheet.columns.map((c) => ({
    width: c.width,
    style: c.numFmt ? { numFmt: c.numFmt } : {},
  }));
  const header = worksheet.addRow(sheet.header);
  header.font = { bold: true };
  header.commit();
  let written = 0;
  for await (const row of sheet.rows) {
    const added = worksheet.addRow(
      row.cells.map((value) => (value instanceof Date ? excelDate(value) : (value ?? ""))),
    );
    if (row.bold) added.font = { bold: true };
    for (const [column, numFmt] of Object.entries(row.numFmt ?? {})) {
      added.getCell(Number(column) + 1).numFmt = numFmt;
    }
    added.commit();
    written++;
    if (written % 200 === 0) {
      // let the zip compress what was written, then hand it on
      await nextTurn();
      while (zipBacklog(worksheet) > 512 * 1024 && !sheet.signal?.aborted) await pause(1);
      const bytes = sink.take();
      if (bytes) yield bytes;
    }
  }
  worksheet.commit();
  await workbook.commit();
  const bytes = sink.take();
  if (bytes && !sheet.signal?.aborted) yield bytes;
}

/** Every chunk of a file in one buffer, for a file small enough to answer whole. */
export async function collectChunks(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const all: Uint8Array[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return Buffer.concat(all);
}
