import { DomainError } from "../domain/errors.server";
import type { FieldErrors, FormValues } from "./forms";

/**
 * What a form action answers, in one shape: whether it worked, a line for
 * the page, and the field errors and typed values to show the form again.
 */
export type ActionResult = {
  ok: boolean;
  message?: string;
  errors?: FieldErrors;
  values?: FormValues;
  /** which of the page's forms answered, for pages with several */
  intent?: string;
};

/** A DomainError as the form's answer (its message, on its field when it names one); anything else is rethrown. */
export function domainErrorResult(
  error: unknown,
  extra: { values?: FormValues; intent?: string } = {},
): ActionResult {
  if (!(error instanceof DomainError)) throw error;
  return {
    ok: false,
    message: error.message,
    errors: error.field ? { [error.field]: error.message } : undefined,
    ...extra,
  };
}

/** A form that failed its schema: the summary line and each field's message. */
export function invalidFormResult(
  form: { errors: FieldErrors; values: FormValues },
  intent?: string,
): ActionResult {
  return { ok: false, message: "入力内容をご確認ください。", errors: form.errors, values: form.values, intent };
}
