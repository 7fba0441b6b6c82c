import { z } from "zod";

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
  const isArray = (key: PropertyKey | undefined) =>
    typeof key === "string" &&
    arrays.some((a) => (a.endsWith("*") ? key.startsWith(a.slice(0, -1)) : a === key));
  for (const issue of result.error.issues) {
    // A bad value among checkboxes belongs to the field, not to "session.2".
    const path = isArray(issue.path[0]) ? issue.path.slice(0, 1) : issue.path;
    const field = path.join(".") || "_form";
    errors[field] ??= issue.message;
  }
  return { ok: false, errors, values };
}

/** Refuses NUL and other control characters that no form field should hold. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: this pattern exists to refuse them.
export const NO_CONTROL_CHARS = /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$/;

/**
 * A free-text field: trimmed, at most `max` characters, no control
 * characters, each message naming the field. Add `.min(1, …)` where it is
 * required.
 */
export function textField(label: string, max: number) {
  return z
    .string({ message: `${label}を入力してください` })
    .trim()
    .max(max, `${label}は${max}文字以内で入力してください`)
    .regex(NO_CONTROL_CHARS, `${label}に使えない文字が含まれています`);
}
