import iconv from "iconv-lite";

/**
 * Shift_JIS (CP932) for the CSV that opens in Japanese Excel.
 *
 * The file keeps to JIS X 0208 and the NEC row 13 symbols (①, Ⅰ, ㈱), which
 * every Japanese Excel, Windows or Mac, and the older systems that take
 * Shift_JIS read the same. Two kinds of character fall outside it:
 * - characters CP932 has no code for at all (emoji, 𠮷, ㉑);
 * - the IBM / NEC-selected extension kanji (髙, 﨑, 德, 濵…): CP932 has codes
 *   for them, but only Windows shows them; on a Mac or in a JIS X 0208 system
 *   they come out garbled, and they have duplicate codes.
 * Neither is ever written silently: the export page lists every such cell
 * before the download, and the Shift_JIS download refuses until that list was
 * shown (its fingerprint comes back as `ack`). Then each one is written as its
 * usual form (髙→高, 﨑→崎) or, with none, as 〓 (the geta mark Japanese print
 * uses for a missing kanji) — never as "?". The UTF-8 (BOM) file keeps every
 * character exactly, so the warning points there for exact spelling.
 *
 * A few characters are the same JIS character under Microsoft's mapping
 * (〜 WAVE DASH is ～ in CP932, − is －): those are swapped without a warning,
 * since nothing is lost.
 */

const SAME_CHARACTER: Record<string, string> = {
  "\u301C": "\uFF5E", // 〜 → ～
  "\u2016": "\u2225", // ‖ → ∥
  "\u2212": "\uFF0D", // − → －
  "\u2014": "\u2015", // — → ―
  "\u00A2": "\uFFE0", // ¢ → ￠
  "\u00A3": "\uFFE1", // £ → ￡
  "\u00AC": "\uFFE2", // ¬ → ￢
  "\u00A5": "\uFFE5", // ¥ → ￥
  "\u00A0": " ", // no-break space
};

/** The usual form of the variant kanji seen in names; the rest go through NFKC, then 〓. */
const USUAL_FORM: Record<string, string> = {
  髙: "高",
  﨑: "崎",
  德: "徳",
  濵: "濱",
  栁: "柳",
  昻: "昂",
  𠮷: "吉",
  𡈽: "土",
  𣘺: "橋",
  𨻶: "隙",
  𥔎: "碕",
  𦚰: "脇",
  𠀋: "丈",
};

export const GETA = "〓";

/** Whether the text is in the plain Shift_JIS set above: encodes, decodes back, no extension codes. */
function isPlainShiftJis(text: string): boolean {
  const bytes = iconv.encode(text, "cp932");
  if (iconv.decode(bytes, "cp932") !== text) return false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x80 || (b >= 0xa1 && b <= 0xdf)) continue;
    // a lead byte: JIS X 0208 and NEC row 13 lie in 0x81–0x9F and 0xE0–0xEA
    if (b > 0xea) return false;
    i++;
  }
  return true;
}

// character → what is written for it, or null when the organiser must be warned
const written = new Map<string, string | null>();

function writtenAs(ch: string): string | null {
  let form = written.get(ch);
  if (form === undefined) {
    const same = SAME_CHARACTER[ch] ?? ch;
    form = isPlainShiftJis(same) ? same : null;
    written.set(ch, form);
  }
  return form;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: every ASCII character, controls included, is safe.
const ASCII = /^[\u0000-\u007F]*$/;

/** The characters of `text` that the Shift_JIS file cannot hold as they are, each once. */
export function shiftJisProblems(text: string): string[] {
  if (ASCII.test(text)) return [];
  const found: string[] = [];
  for (const ch of text) {
    if (writtenAs(ch) === null && !found.includes(ch)) found.push(ch);
  }
  return found;
}

/** What a problem character becomes in the Shift_JIS file: its usual form, or 〓. */
export function shiftJisSubstitute(ch: string): string {
  const usual = USUAL_FORM[ch];
  if (usual) return usual;
  const nfkc = ch.normalize("NFKC");
  if (nfkc !== ch && [...nfkc].every((c) => writtenAs(c) !== null)) {
    return [...nfkc].map((c) => writtenAs(c)).join("");
  }
  return GETA;
}

/**
 * `text` ready for the Shift_JIS file: every character as it is written, the
 * problem ones replaced (only call this once the organiser has seen the list).
 * Returns the text and how many characters were replaced.
 */
export function toShiftJisText(text: string): { text: string; replaced: number } {
  if (ASCII.test(text)) return { text, replaced: 0 };
  let out = "";
  let replaced = 0;
  for (const ch of text) {
    const form = writtenAs(ch);
    if (form === null) {
      out += shiftJisSubstitute(ch);
      replaced++;
    } else {
      out += form;
    }
  }
  return { text: out, replaced };
}

/** Text (already made safe by toShiftJisText) as CP932 bytes. */
export function encodeShiftJis(text: string): Buffer {
  return iconv.encode(text, "cp932");
}
