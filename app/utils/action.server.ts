import { json } from "@remix-run/node";
import { DomainError } from "../domain/errors.server";
import type { FieldErrors, FormResult } from "./forms";

/**
 * The one shape a form action answers with: `{ ok, message, errors, values }`,
 * with the HTTP status of the refusal (422 for bad input, 403, 409 …) so a
 * refused form is a 4xx, never a 200 that looks like success.
 */
export type ActionResult = {
  ok: boolean;
  message: string;
  errors: FieldErrors;
  values?: Record<string, unknown>;
  /** anything the page shows once (recovery codes) */
  data?: Record<string, unknown>;
};

export function actionOk(message: string, data?: Record<string, unknown>, init?: ResponseInit) {
  return json<ActionResult>({ ok: true, message, errors: {}, data }, init);
}

/** A form that failed its schema: 422 with each field's message. */
export function invalidForm(form: Extract<FormResult<unknown>, { ok: false }>) {
  return json<ActionResult>(
    {
      ok: false,
      message: "入力内容に誤りがあります。各項目のメッセージをご確認ください。",
      errors: form.errors,
      values: form.values,
    },
    { status: 422 },
  );
}

/** Runs a domain call; a DomainError becomes the form's answer with its status, anything else is rethrown. */
export async function domainAction(
  run: () => Promise<Response>,
  values?: Record<string, unknown>,
): Promise<Response> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return json<ActionResult>(
      {
        ok: false,
        message: error.message,
        errors: error.field ? { [error.field]: error.message } : {},
        values,
      },
      { status: error.status },
    );
  }
}
