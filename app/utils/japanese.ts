import { toKatakana } from "wanakana";

/**
 * Japanese input, normalised instead of refused (docs/decisions/020-forms-japanese-input.md).
 * What a member types on a phone's Japanese keyboard — full-width digits,
 * a long-vowel mark for a hyphen, hiragana in the フリガナ — is what they
 * meant; these functions turn it into the form we store. Shared by the
 * server's form schemas, the search on the server and in the browser.
 */

/** Every dash a Japanese keyboard may give for "-": hyphens, minus signs, the long-vowel mark. */
const DASHES = /[\u2010-\u2015\u2212\u30FC\uFF0D\uFF70]/g;

/**
 * A phone number, postal code or ticket field: full-width digits, letters and
 * brackets become ASCII (NFKC), every kind of dash (－ ー − ‐) becomes "-",
 * spaces go. 「０９０ー１２３４ー５６７８」 → "090-1234-5678".
 */
export function normaliseDigits(value: string): string {
  return value.normalize("NFKC").replace(DASHES, "-").replace(/\s+/g, "").trim();
}

/**
 * A name's reading (フリガナ): half-width katakana and full-width forms through
 * NFKC, hiragana to katakana, spaces kept single. Latin letters stay as typed
 * (passRomaji), so a reading like "ＪＩＣＨＩ" is not turned into kana.
 * 「さとう」「ｻﾄｳ」 → 「サトウ」.
 */
export function normaliseKana(value: string): string {
  const nfkc = value.normalize("NFKC").replace(/\s+/g, " ").trim();
  return toKatakana(nfkc, { passRomaji: true });
}

/** An email address: full-width ASCII becomes ASCII, spaces around it go. */
export function normaliseEmail(value: string): string {
  return value.normalize("NFKC").trim();
}

/** Only katakana, the long-vowel mark, the middle dot and spaces: a stored reading. */
export const KATAKANA_READING = /^[ァ-ヶー・ ]+$/u;

/** The hiragana block and its katakana counterparts, one for one (for SQL translate()). */
export const HIRAGANA_CHARS = Array.from({ length: 0x56 }, (_, i) =>
  String.fromCharCode(0x3041 + i),
).join("");
export const KATAKANA_CHARS = Array.from({ length: 0x56 }, (_, i) =>
  String.fromCharCode(0x30a1 + i),
).join("");

/**
 * How a search compares text: full-width to half-width, hiragana to katakana,
 * spaces and middle dots out, upper case. 「あくつ」 and 「アクツ」 give the same
 * key. The server applies the same mapping to the stored side in SQL
 * (searchKeySql in app/domain/attendees.server.ts), the desk to its roster.
 */
export function searchKey(value: string): string {
  return value
    .normalize("NFKC")
    .replace(/[\u3041-\u3096]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0x60))
    .replace(/[\s・]/g, "")
    .toUpperCase();
}
