import { z } from "zod";
import { KATAKANA_READING, normaliseDigits, normaliseEmail, normaliseKana } from "./japanese";

// Any message a schema does not set itself is Japanese too.
z.config(z.locales.ja());

/**
 * The one way forms are read: a zod schema over the submitted fields. On
 * failure, each field gets its first Japanese message, and the submitted values
 * come back so the form keeps what was typed.
 */
export type FieldErrors = Record<string, string>;
export type FormValues = Record<string, string | string[]>;

export type FormResult<T> =
  | { ok: true; data: T; values: FormValues }
  | { ok: false; errors: FieldErrors; values: FormValues };

/** FormData to a plain object; fields named in `arrays` keep every value. */
export function formValues(formData: FormData, arrays: string[] = []): FormValues {
  const values: FormValues = {};
  for (const key of new Set(formData.keys())) {
    const all = formData.getAll(key).filter((v): v is string => typeof v === "string");
    values[key] =
      arrays.includes(key) || arrays.some((a) => a.endsWith("*") && key.startsWith(a.slice(0, -1)))
        ? all
        : (all[0] ?? "");
  }
  for (const key of arrays) if (!key.endsWith("*") && !(key in values)) values[key] = [];
  return values;
}

export function parseForm<S extends z.ZodType>(
  schema: S,
  formData: FormData,
  arrays: string[] = [],
): FormResult<z.infer<S>> {
  const values = formValues(formData, arrays);
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, data: result.data, values };
  const errors: FieldErrors = {};
  // The values go back into the page: never more of each than its field takes.
  const echoed = echoable(schema, values);
  const isArray = (key: PropertyKey | undefined) =>
    typeof key === "string" &&
    arrays.some((a) => (a.endsWith("*") ? key.startsWith(a.slice(0, -1)) : a === key));
  for (const issue of result.error.issues) {
    // A bad value among checkboxes belongs to the field, not to "session.2".
    const path = isArray(issue.path[0]) ? issue.path.slice(0, 1) : issue.path;
    const field = path.join(".") || "_form";
    errors[field] ??= issue.message;
  }
  return { ok: false, errors, values: echoed };
}

/** Longest value echoed back for a field whose schema names no maximum. */
const ECHO_LIMIT = 1000;

/** A field's `.max(n)`, through optional / default / catch / pipe (and preprocess) wrappers. */
function maxLengthOf(type: unknown, depth = 0): number | undefined {
  const t = type as Record<string, unknown> | undefined;
  if (!t || depth > 8) return undefined;
  if (typeof t.maxLength === "number") return t.maxLength;
  const def = (t._zod as { def?: Record<string, unknown> } | undefined)?.def;
  // z.preprocess is a pipe whose `in` is the transform and `out` the checked string.
  return (
    maxLengthOf(def?.innerType, depth + 1) ??
    maxLengthOf(def?.in, depth + 1) ??
    maxLengthOf(def?.out, depth + 1)
  );
}

/**
 * The submitted values cut to their fields' maximum length (ECHO_LIMIT where
 * the schema names none), so that a refused form never sends back more than
 * it could have accepted.
 */
function echoable(schema: z.ZodType, values: FormValues): FormValues {
  const shape = (schema as { shape?: Record<string, unknown> }).shape ?? {};
  const cut = (key: string, v: string) => v.slice(0, maxLengthOf(shape[key]) ?? ECHO_LIMIT);
  return Object.fromEntries(
    Object.entries(values).map(([key, v]) => [
      key,
      Array.isArray(v) ? v.slice(0, 100).map((one) => cut(key, one)) : cut(key, v),
    ]),
  );
}

/** Refuses NUL and other control characters that no form field should hold. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: this pattern exists to refuse them.
export const NO_CONTROL_CHARS = /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$/;

/**
 * The one builder of a text field: trimmed, at most `max` characters, no
 * control characters, each message naming the field. `required: true` also
 * refuses an empty value (「…を入力してください」, or the message given); else
 * add `.optional()`/`.default("")` where a value may be missing.
 */
export function textField(label: string, max: number, options: { required?: true | string } = {}) {
  const base = z
    .string({ message: `${label}を入力してください` })
    .trim()
    .max(max, `${label}は${max}文字以内で入力してください`)
    .regex(NO_CONTROL_CHARS, `${label}に使えない文字が含まれています`);
  if (!options.required) return base;
  return base.min(1, options.required === true ? `${label}を入力してください` : options.required);
}

/**
 * A name's reading (セイ, メイ): hiragana and half-width katakana become
 * full-width katakana before the check, so only what cannot be read as
 * katakana (kanji, Latin letters) is refused.
 */
export function kanaField(label: string, max = 40) {
  return z.preprocess(
    (v) => (typeof v === "string" ? normaliseKana(v) : v),
    textField(label, max, { required: true }).regex(
      KATAKANA_READING,
      `${label}はカタカナで入力してください(ひらがなも使えます)`,
    ),
  );
}

/**
 * A phone number: full-width digits and any dash (－ ー − ‐) are accepted and
 * stored as ASCII, 「０９０ー１２３４ー５６７８」 as "090-1234-5678".
 */
export function phoneField(label = "電話番号") {
  return z.preprocess(
    (v) => (typeof v === "string" ? normaliseDigits(v) : v),
    z
      .string({ message: `${label}を入力してください` })
      .min(1, `${label}を入力してください`)
      .regex(
        /^\+?[0-9()-]{10,20}$/,
        `${label}は数字で入力してください(10〜11桁。ハイフンはあってもなくても構いません)`,
      )
      .refine((v) => {
        const digits = v.replace(/\D/g, "").length;
        return digits >= 10 && digits <= 15;
      }, `${label}は数字で入力してください(10〜11桁。ハイフンはあってもなくても構いません)`),
  );
}

/** An email address: full-width letters become ASCII before the check. */
export function emailField(label = "メールアドレス") {
  return z.preprocess(
    (v) => (typeof v === "string" ? normaliseEmail(v) : v),
    z
      .string({ message: `${label}を入力してください` })
      .min(1, `${label}を入力してください`)
      .max(254, `${label}が長すぎます`)
      .email(`${label}の形式が正しくありません(例: hanako@example.jp)`),
  );
}

/**
 * Ids are plain decimal digits, everywhere: in a URL (/admin/events/12), a
 * form field or a JSON body. `0x0c`, `1e1`, ` 12`, `+12`, `012` and `12.0`
 * are no id (Number() would read several of them as 12), so a page answers
 * 404 and a form the field's message. The range is PostgreSQL's `integer`.
 */
const ROW_ID = /^[1-9]\d{0,9}$/;
const MAX_ROW_ID = 2_147_483_647;

export function parseRowId(value: unknown): number | undefined {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && value > 0 && value <= MAX_ROW_ID ? value : undefined;
  }
  if (typeof value !== "string" || !ROW_ID.test(value)) return undefined;
  const id = Number(value);
  return id <= MAX_ROW_ID ? id : undefined;
}

/** A form or JSON field holding a row id (see parseRowId), else `message`. */
export function rowId(message = "指定された項目が見つかりません。画面を再読み込みしてください。") {
  return z.preprocess(
    (v) => parseRowId(v) ?? Number.NaN,
    z.number({ message }).int(message).positive(message),
  );
}
