import { json, type TypedResponse } from "@remix-run/node";
import { DomainError } from "../domain/errors.server";
import type { FieldErrors, FormValues } from "./forms";

/**
 * What a form action answers, in one shape: whether it worked, a line for
 * the page, and the field errors and typed values to show the form again.
 * A refusal carries its HTTP status (422 for a form that failed its schema,
 * the DomainError's own status otherwise), so clients and tests can tell.
 */
export type ActionResult = {
  ok: boolean;
  message?: string;
  errors?: FieldErrors;
  values?: FormValues;
  /** which of the page's forms answered, for pages with several */
  intent?: string;
  /** the DomainError's code, for a refusal */
  code?: string;
  /** what a page shows once, right after the action (the recovery codes of a second factor) */
  data?: Record<string, unknown>;
};

export type ActionResponse = TypedResponse<ActionResult>;

/** The action's answer with its status: 200 when it worked, else the given status (422 by default). */
export function answer(result: ActionResult, status?: number): ActionResponse {
  return json(result, { status: status ?? (result.ok ? 200 : 422) });
}

/** A DomainError as the form's answer (its message, on its field when it names one); anything else is rethrown. */
export function domainErrorAnswer(
  error: unknown,
  extra: { values?: FormValues; intent?: string } = {},
): ActionResponse {
  if (!(error instanceof DomainError)) throw error;
  return answer(
    {
      ok: false,
      code: error.code,
      message: error.message,
      errors: error.field ? { [error.field]: error.message } : undefined,
      ...extra,
    },
    error.status,
  );
}

/** A form that failed its schema: the summary line and each field's message, as a 422. */
export function invalidFormAnswer(
  form: { errors: FieldErrors; values: FormValues },
  intent?: string,
): ActionResponse {
  return answer({
    ok: false,
    code: "invalid_input",
    message: "入力内容をご確認ください。",
    errors: form.errors,
    values: form.values,
    intent,
  });
}

/** A success with its line for the page, and what to show once; `init` may set a cookie. */
export function actionOk(
  message: string,
  data?: Record<string, unknown>,
  init?: ResponseInit,
): ActionResponse {
  return json({ ok: true, message, data }, init);
}

/** invalidFormAnswer, for a form with one intent. */
export function invalidForm(form: { errors: FieldErrors; values: FormValues }): ActionResponse {
  return invalidFormAnswer(form);
}

/** Runs the action's domain call: a DomainError becomes the form's answer (domainErrorAnswer). */
export async function domainAction(
  run: () => Promise<Response>,
  values?: FormValues,
): Promise<Response> {
  try {
    return await run();
  } catch (error) {
    return domainErrorAnswer(error, { values });
  }
}
