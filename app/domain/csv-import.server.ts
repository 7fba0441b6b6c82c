/**
 * Reading uploaded CSV files (registrations, union rosters): the encoding
 * and the RFC 4180 rows, before any schema looks at them.
 */

/** RFC 4180: quoted fields may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === "") quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += ch;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((cell) => cell.trim() !== ""));
}

export type CsvEncoding = "auto" | "utf-8" | "shift_jis";
export const CSV_ENCODINGS: Record<CsvEncoding, string> = {
  auto: "自動(UTF-8 として読めなければ Shift_JIS)",
  "utf-8": "UTF-8",
  shift_jis: "Shift_JIS(Excel の「CSV」)",
};

const LABEL = { "utf-8": "UTF-8", shift_jis: "Shift_JIS" } as const;

function decodes(encoding: "utf-8" | "shift_jis", bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Where a file stops being `encoding`: the first line and column holding a
 * byte sequence that is not a character in it. Lines and fields are cut at
 * the bytes LF and comma, which neither UTF-8 nor Shift_JIS uses inside a
 * character, so the cut never splits one.
 */
function firstInvalid(bytes: Uint8Array, encoding: "utf-8" | "shift_jis") {
  const buffer = Buffer.from(bytes);
  const split = (b: Buffer, byte: number) => {
    const parts: Buffer[] = [];
    let start = 0;
    for (let i = 0; i <= b.length; i++) {
      if (i === b.length || b[i] === byte) {
        parts.push(b.subarray(start, i));
        start = i + 1;
      }
    }
    return parts;
  };
  const lines = split(buffer, 0x0a);
  const header = (decodes(encoding, lines[0] ?? Buffer.alloc(0)) ?? "").replace(/^\uFEFF/, "");
  const names = parseCsv(header)[0] ?? [];
  for (const [index, line] of lines.entries()) {
    if (decodes(encoding, line) !== undefined) continue;
    const fields = split(line, 0x2c);
    const column = Math.max(
      0,
      fields.findIndex((f) => decodes(encoding, f) === undefined),
    );
    return { line: index + 1, column: names[column]?.trim() || `${column + 1}列目` };
  }
  return { line: 1, column: "1列目" };
}

/**
 * The text of a CSV in the chosen encoding, or why it cannot be read: a byte
 * sequence that is not a character in it (never replaced by "?" or U+FFFD),
 * named by row and column. `auto` reads UTF-8 (with or without BOM) when it
 * decodes cleanly, else Shift_JIS (CP932).
 */
export function decodeCsvStrict(
  bytes: Uint8Array,
  encoding: CsvEncoding = "auto",
): { text: string } | { error: string } {
  const tried: ("utf-8" | "shift_jis")[] =
    encoding === "auto" ? ["utf-8", "shift_jis"] : [encoding];
  for (const one of tried) {
    const text = decodes(one, bytes);
    if (text !== undefined) return { text: text.replace(/^\uFEFF/, "") };
  }
  // The place is named in the encoding that reads furthest into the file, so
  // a UTF-8 file with one bad byte names its own header's column, not mojibake.
  const where = tried
    .map((one) => firstInvalid(bytes, one))
    .reduce((furthest, next) => (next.line > furthest.line ? next : furthest));
  const last = tried.at(-1) ?? "shift_jis";
  const as = encoding === "auto" ? "UTF-8 としても Shift_JIS としても" : `${LABEL[last]} として`;
  return {
    error: `${where.line}行目の「${where.column}」の列に、${as}読めない文字があります。文字コードを選び直すか、Excel で「CSV UTF-8」または「CSV」形式で保存し直してから、もう一度取り込んでください。何も登録していません。`,
  };
}
