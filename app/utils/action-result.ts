import type { FieldErrors, FormValues } from "./forms";

/** An action's answer as the page reads it (app/utils/action.server.ts makes it). */
type Answer = {
  ok: boolean;
  message?: string;
  errors?: FieldErrors;
  values?: FormValues;
  intent?: string;
  code?: string;
};

/**
 * The messages to show beside a form's fields after a refusal: each field's
 * own, and under `_form` the refusal that names no field (a form that only
 * failed its schema has no `_form` line: its fields say what to fix).
 * With `intent`, only the answer of that form of the page counts.
 */
export function formErrors(result: Answer | undefined, intent?: string): FieldErrors {
  if (!result || result.ok || (intent !== undefined && result.intent !== intent)) return {};
  const errors: FieldErrors = { ...result.errors };
  const onField = Object.values(errors).includes(result.message ?? "");
  if (result.message && result.code !== "invalid_input" && !onField) errors._form = result.message;
  return errors;
}

/** What the person typed, to show the form again (only the answer of `intent`'s form, when given). */
export function formValuesOf(result: Answer | undefined, intent?: string): FormValues {
  if (!result || (intent !== undefined && result.intent !== intent)) return {};
  return result.values ?? {};
}
