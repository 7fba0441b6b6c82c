import { existsSync, readFileSync } from "node:fs";
import PDFDocument from "pdfkit";
import QRCode from "qrcode";
import { currentEnv } from "../env.server";
import { formatDateTime, formatRange } from "../utils/format";
import { courseWord } from "../utils/labels";
import type { ExportGroup, ExportRow } from "./export-rows.server";

/**
 * The PDFs of an export: the 受付名簿 (a reception list with a tick box per
 * person) and the 名札 (name badges with the ticket QR). The Japanese font is
 * embedded (subset). Pages are handed on as they are finished, so a long list
 * is never held whole.
 */

type PdfFont = { path: string; family: string; boldPath: string | null; boldFamily: string };

const FONT_CANDIDATES = [
  "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", // Debian, Ubuntu: fonts-noto-cjk
  "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", // Arch
  "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", // Fedora
  "/usr/share/fonts/opentype/noto/NotoSansCJKjp-Regular.otf",
];

/**
 * The Japanese font for PDFs: PDF_FONT_PATH (with PDF_FONT_NAME, the
 * PostScript name inside a .ttc) or Noto Sans CJK JP where the OS keeps it.
 * null when there is none; the PDF routes then answer 503 with what to do.
 */
export function findPdfFont(): PdfFont | null {
  const env = currentEnv();
  const configured = env.PDF_FONT_PATH;
  const path = configured
    ? existsSync(configured)
      ? configured
      : null
    : FONT_CANDIDATES.find((p) => existsSync(p));
  if (!path) return null;
  const family = configured ? env.PDF_FONT_NAME : "NotoSansCJKjp-Regular";
  const boldPath = path.replace("Regular", "Bold");
  return {
    path,
    family,
    boldPath: boldPath !== path && existsSync(boldPath) ? boldPath : null,
    boldFamily: family.replace("Regular", "Bold"),
  };
}

// A CJK font file is ~20 MB: read once per process, not once per download.
const fontFiles = new Map<string, Buffer>();
function fontFile(path: string): Buffer {
  let buffer = fontFiles.get(path);
  if (!buffer) {
    buffer = readFileSync(path);
    fontFiles.set(path, buffer);
  }
  return buffer;
}

type PdfEvent = { title: string; starts_at: Date; ends_at: Date; course_word?: string };

const MM = 72 / 25.4;
const A4 = { width: 595.28, height: 841.89 };

const STATUS_NOTE = {
  confirmed: "",
  waitlisted: "キャンセル待ち",
  cancelled: "キャンセル",
} as const;

function openDocument(font: PdfFont, title: string) {
  const doc = new PDFDocument({
    size: "A4",
    margin: 0,
    autoFirstPage: false,
    lang: "ja-JP",
    displayTitle: true,
    info: { Title: title, Author: "自治研イベント", Creator: "自治研イベント" },
  });
  doc.registerFont("jp", fontFile(font.path), font.family);
  layoutByCodePoint(doc, "jp");
  try {
    if (!font.boldPath) throw new Error("no bold face");
    doc.registerFont("jp-bold", fontFile(font.boldPath), font.boldFamily);
    layoutByCodePoint(doc, "jp-bold");
  } catch {
    doc.registerFont("jp-bold", fontFile(font.path), font.family);
    layoutByCodePoint(doc, "jp-bold");
  }
  // Read synchronously after each row rather than on 'data': rows can follow
  // one another without the event loop turning, and then nothing would flow
  // until the end and the whole PDF would sit in memory.
  const take = (): Buffer | null => doc.read() as Buffer | null;
  async function* finish(): AsyncGenerator<Buffer> {
    const ended = new Promise<false>((resolve, reject) => {
      doc.once("end", () => resolve(false));
      doc.once("error", reject);
    });
    doc.end();
    for (;;) {
      const chunk = take();
      if (chunk) {
        yield chunk;
        continue;
      }
      const more = await Promise.race([
        ended,
        new Promise<true>((resolve) => doc.once("readable", () => resolve(true))),
      ]);
      if (!more) return;
    }
  }
  return { doc, take, finish };
}

type FontInternals = {
  scale: number;
  layoutCache: unknown;
  layoutRun: (text: string) => unknown;
  font: { glyphForCodePoint?: (cp: number) => { id: number; advanceWidth: number } };
};

/**
 * pdfkit shapes every string through the font's OpenType tables (GSUB/GPOS)
 * and caches each shaped string for the life of the document. Japanese names
 * in Noto Sans CJK need no shaping, and with thousands of distinct strings
 * (ticket codes) that made a long list slow and its memory grow with every
 * row. Glyphs looked up by code point give the same text; the cache is then
 * one glyph per distinct character. Left as it is if pdfkit's insides differ.
 */
function layoutByCodePoint(doc: PDFKit.PDFDocument, name: string) {
  doc.font(name);
  const embedded = (doc as unknown as { _font?: FontInternals })._font;
  const face = embedded?.font;
  if (!embedded || typeof embedded.layoutRun !== "function" || !face?.glyphForCodePoint) return;
  const lookup = face.glyphForCodePoint.bind(face);
  const glyphs = new Map<number, { id: number; advanceWidth: number }>();
  embedded.layoutCache = null;
  embedded.layoutRun = (text: string) => {
    const run = { glyphs: [] as unknown[], positions: [] as unknown[], advanceWidth: 0 };
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      let glyph = glyphs.get(cp);
      if (!glyph) {
        glyph = lookup(cp);
        glyphs.set(cp, glyph);
      }
      const advance = glyph.advanceWidth * embedded.scale;
      run.glyphs.push(glyph);
      run.positions.push({
        xAdvance: advance,
        yAdvance: 0,
        xOffset: 0,
        yOffset: 0,
        advanceWidth: advance,
      });
      run.advanceWidth += advance;
    }
    return run;
  };
}

/** `text` cut with an ellipsis so that it fits `width` at the current font and size. */
function fitWidth(doc: PDFKit.PDFDocument, text: string, width: number): string {
  if (doc.widthOfString(text) <= width) return text;
  const chars = [...text];
  let n = chars.length - 1;
  while (n > 0 && doc.widthOfString(`${chars.slice(0, n).join("")}…`) > width) n--;
  return `${chars.slice(0, n).join("")}…`;
}

/** One line of text cut to `width` with an ellipsis, never wrapping. */
function cell(
  doc: PDFKit.PDFDocument,
  text: string,
  x: number,
  y: number,
  width: number,
  options: {
    size?: number;
    font?: string;
    color?: string;
    align?: "left" | "center" | "right";
  } = {},
) {
  doc
    .font(options.font ?? "jp")
    .fontSize(options.size ?? 10)
    .fillColor(options.color ?? "#000");
  const shown = fitWidth(doc, text, width);
  const room = width - doc.widthOfString(shown);
  const dx = options.align === "right" ? room : options.align === "center" ? room / 2 : 0;
  doc.text(shown, x + dx, y, { lineBreak: false });
}

/** Text shrunk until it fits `width` on one line, from `size` down to `min`. */
function fitted(
  doc: PDFKit.PDFDocument,
  text: string,
  width: number,
  size: number,
  min: number,
  font = "jp-bold",
) {
  doc.font(font).fontSize(size);
  const natural = doc.widthOfString(text);
  return natural <= width ? size : Math.max(min, Math.floor((size * width) / natural));
}

export type PdfRequest = {
  kind: "roster" | "badges";
  group: ExportGroup;
  event: PdfEvent;
  /** e.g. the course of a facilitator's list */
  subtitle?: string;
  rows: AsyncIterable<ExportRow>;
  onRow: () => void;
};

/** The PDF's bytes, page by page. Needs a font: check findPdfFont() first. */
export async function* pdfChunks(request: PdfRequest): AsyncGenerator<Uint8Array> {
  const font = findPdfFont();
  if (!font) throw new Error("no Japanese font for the PDF");
  if (request.kind === "badges") yield* badgeChunks(font, request);
  else yield* rosterChunks(font, request);
}

// --- 受付名簿 -------------------------------------------------------------------

const MARGIN = 36;
const ROW_HEIGHT = 21;

async function* rosterChunks(font: PdfFont, request: PdfRequest): AsyncGenerator<Uint8Array> {
  const title = `受付名簿 ${request.event.title}`;
  const { doc, take, finish } = openDocument(font, title);
  const printedAt = formatDateTime(new Date());
  const word = courseWord(request.event);
  const otherLabel = request.group === "union" ? word : "単組";
  const columns = [
    { label: "受付", width: 26 },
    { label: "No.", width: 28 },
    { label: "氏名", width: 100 },
    { label: "フリガナ", width: 104 },
    { label: otherLabel, width: 121 },
    { label: "受付番号", width: 88 },
    { label: "備考", width: 56 },
  ];
  const left = MARGIN;
  const right = A4.width - MARGIN;
  const bottom = A4.height - MARGIN - 16;
  let page = 0;
  let y = 0;

  const tableHeader = () => {
    doc.rect(left, y, right - left, 18).fill("#e5e7eb");
    let x = left;
    for (const c of columns) {
      cell(doc, c.label, x + 3, y + 4, c.width - 6, { size: 8.5, font: "jp-bold" });
      x += c.width;
    }
    y += 18;
  };
  /** A new page with its heading; the table header follows unless a group starts right after. */
  const newPage = (groupLabel: string | null, withTableHeader = true) => {
    doc.addPage({ size: "A4", margin: 0 });
    page++;
    y = MARGIN;
    cell(doc, "受付名簿", left, y, 120, { size: 16, font: "jp-bold" });
    cell(doc, `出力 ${printedAt}`, right - 200, y + 4, 200, {
      size: 8,
      color: "#555",
      align: "right",
    });
    y += 24;
    cell(doc, request.event.title, left, y, right - left, { size: 11, font: "jp-bold" });
    y += 16;
    cell(
      doc,
      [formatRange(request.event.starts_at, request.event.ends_at), request.subtitle]
        .filter(Boolean)
        .join(" / "),
      left,
      y,
      right - left,
      { size: 9, color: "#333" },
    );
    y += 18;
    cell(doc, `${page}ページ`, left, A4.height - MARGIN, right - left, {
      size: 8,
      color: "#555",
      align: "center",
    });
    if (groupLabel) groupHeader(`${groupLabel}(続き)`);
    if (withTableHeader) tableHeader();
  };
  const groupHeader = (label: string) => {
    doc.rect(left, y + 4, right - left, 20).fill("#dbeafe");
    cell(doc, label, left + 6, y + 8, right - left - 12, { size: 10.5, font: "jp-bold" });
    y += 28;
  };

  let currentGroup: string | null = null;
  let n = 0;
  for await (const row of request.rows) {
    request.onRow();
    const group =
      request.group === "union"
        ? `単組: ${row.union_name ?? "(所属なし)"}`
        : request.group === "course"
          ? `${word}: ${row.course_label ?? "(未選択)"}`
          : null;
    const groupStarts = group !== null && group !== currentGroup;
    if (page === 0) newPage(null, !groupStarts);
    if (group !== null && groupStarts) {
      if (y + 28 + 18 + ROW_HEIGHT > bottom) {
        newPage(null, false);
      } else if (currentGroup !== null) {
        y += 6;
      }
      groupHeader(group);
      tableHeader();
      currentGroup = group;
      n = 0;
    } else if (y + ROW_HEIGHT > bottom) {
      newPage(currentGroup);
    }
    n++;
    let x = left;
    // the tick box
    doc
      .lineWidth(0.8)
      .strokeColor("#000")
      .rect(x + 8, y + 5, 11, 11)
      .stroke();
    x += columns[0]!.width;
    const other = request.group === "union" ? (row.course_label ?? "") : (row.union_name ?? "");
    const values = [
      String(n),
      [row.family_name, row.given_name].filter(Boolean).join(" "),
      [row.family_name_kana, row.given_name_kana].filter(Boolean).join(" "),
      other,
      row.ticket_code,
      STATUS_NOTE[row.status],
    ];
    values.forEach((value, i) => {
      const c = columns[i + 1]!;
      const size = i === 1 ? 10.5 : i === 4 ? 8 : 9;
      cell(doc, value, x + 3, y + (ROW_HEIGHT - size) / 2 - 1, c.width - 6, { size, font: "jp" });
      x += c.width;
    });
    doc
      .lineWidth(0.4)
      .strokeColor("#9ca3af")
      .moveTo(left, y + ROW_HEIGHT)
      .lineTo(right, y + ROW_HEIGHT)
      .stroke();
    y += ROW_HEIGHT;
    const bytes = take();
    if (bytes) yield bytes;
  }
  if (page === 0) {
    newPage(null);
    cell(doc, "条件に合う申込はありません。", left, y + 8, right - left, { size: 10 });
  }
  yield* finish();
}

// --- 名札 -----------------------------------------------------------------------

const BADGE = { width: 90 * MM, height: 54 * MM, columns: 2, rows: 5 };

/**
 * The ticket's QR (the same secret as the emailed ticket) drawn as vector
 * squares: sharp at any print size, and about a hundred times quicker than
 * making and embedding a PNG per badge.
 */
function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number) {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: "M" });
  const quiet = 1;
  const unit = size / (modules.size + quiet * 2);
  doc.save();
  doc.rect(x, y, size, size).fill("#fff");
  for (let r = 0; r < modules.size; r++) {
    let c = 0;
    while (c < modules.size) {
      if (!modules.get(r, c)) {
        c++;
        continue;
      }
      const start = c;
      while (c < modules.size && modules.get(r, c)) c++;
      // a hair wider than the module so that neighbouring squares leave no seams
      doc.rect(
        x + (start + quiet) * unit,
        y + (r + quiet) * unit,
        (c - start) * unit + 0.05,
        unit + 0.05,
      );
    }
  }
  doc.fill("#000");
  doc.restore();
}

async function* badgeChunks(font: PdfFont, request: PdfRequest): AsyncGenerator<Uint8Array> {
  const { doc, take, finish } = openDocument(font, `名札 ${request.event.title}`);
  const offsetX = (A4.width - BADGE.width * BADGE.columns) / 2;
  const offsetY = (A4.height - BADGE.height * BADGE.rows) / 2;
  const perPage = BADGE.columns * BADGE.rows;
  let i = 0;
  for await (const row of request.rows) {
    request.onRow();
    const slot = i % perPage;
    if (slot === 0) doc.addPage({ size: "A4", margin: 0 });
    i++;
    const x = offsetX + (slot % BADGE.columns) * BADGE.width;
    const y = offsetY + Math.floor(slot / BADGE.columns) * BADGE.height;
    const pad = 10;
    const qrSize = 76;
    // cut line
    doc
      .lineWidth(0.5)
      .strokeColor("#9ca3af")
      .dash(3, { space: 3 })
      .rect(x, y, BADGE.width, BADGE.height)
      .stroke()
      .undash();
    const textWidth = BADGE.width - qrSize - pad * 3;
    cell(doc, request.event.title, x + pad, y + pad - 2, BADGE.width - pad * 2, {
      size: 7,
      color: "#555",
    });
    cell(doc, row.union_name ?? "", x + pad, y + 26, textWidth, { size: 9.5 });
    const kana = [row.family_name_kana, row.given_name_kana].filter(Boolean).join(" ");
    cell(doc, kana, x + pad, y + 52, textWidth, { size: 9 });
    const name = [row.family_name, row.given_name].filter(Boolean).join(" ");
    const size = fitted(doc, name, textWidth, 24, 12);
    cell(doc, name, x + pad, y + 64 + (24 - size) / 2, textWidth, { size, font: "jp-bold" });
    if (row.course_label) {
      cell(doc, row.course_label, x + pad, y + BADGE.height - pad - 12, textWidth, {
        size: 8,
        color: "#333",
      });
    }
    const qx = x + BADGE.width - pad - qrSize;
    const qy = y + pad + 12;
    drawQr(doc, row.ticket_secret, qx, qy, qrSize);
    cell(doc, row.ticket_code, qx - 6, qy + qrSize + 3, qrSize + 12, { size: 7, align: "center" });
    const bytes = take();
    if (bytes) yield bytes;
  }
  if (i === 0) {
    doc.addPage({ size: "A4", margin: 0 });
    cell(doc, "条件に合う申込はありません。", MARGIN, MARGIN, A4.width - MARGIN * 2, { size: 10 });
  }
  yield* finish();
}
