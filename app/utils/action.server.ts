import { json, type TypedResponse } from "@remix-run/node";
import { DomainError, ERROR_MESSAGES, type ErrorCode } from "../domain/errors.server";
import type { FieldErrors, FormValues } from "./forms";

/**
 * The route adapter (docs/decisions/025-route-adapter.md): every form action
 * answers one ActionResult, a DomainError becomes that answer in one place
 * (domainAction), pages that are missing or refused are thrown by notFound()
 * and forbidden(), and every JSON error has the shape of jsonError().
 */

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
  /** what a page shows once, right after the action (the recovery codes of a second factor, a new secret) */
  data?: Record<string, unknown>;
};

export type ActionResponse = TypedResponse<ActionResult>;

/** The action's answer with its status: 200 when it worked, else the given status (422 by default). */
export function answer(
  result: ActionResult,
  status?: number,
  headers?: HeadersInit,
): ActionResponse {
  return json(result, { status: status ?? (result.ok ? 200 : 422), headers });
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
    error.headers,
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

/**
 * Runs the action's domain call. A DomainError becomes the form's answer
 * (domainErrorAnswer, with the values and intent given); with `page`, the
 * codes listed (or every code, for `true`) become an error page instead,
 * for actions that have no form to show the error beside. A plain
 * ActionResult from `run` is answered with its status; a Response (a
 * redirect) goes out as it is.
 */
export async function domainAction(
  run: () => Promise<Response | ActionResult>,
  options: { values?: FormValues; intent?: string; page?: true | ErrorCode[] } = {},
): Promise<ActionResponse> {
  const { values, intent, page } = options;
  try {
    const result = await run();
    // a redirect (or a file) goes out as it is; typed as the form's answer for useActionData
    return result instanceof Response ? (result as ActionResponse) : answer(result);
  } catch (error) {
    if (error instanceof DomainError && (page === true || page?.includes(error.code))) {
      if (error.code === "not_found") notFound();
      throw new Response(error.message, { status: error.status, headers: error.headers });
    }
    return domainErrorAnswer(error, { values, intent });
  }
}

/** Throws the 404 page (root ErrorBoundary); `what` names what was not found, in Japanese. */
export function notFound(what?: string): never {
  throw new Response(what ? `${what}が見つかりません。` : ERROR_MESSAGES.not_found, {
    status: 404,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
  });
}

/** Throws the 403 page with the reason, in Japanese (the generic refusal when none is given). */
export function forbidden(message: string = ERROR_MESSAGES.forbidden): never {
  throw new Response(message, {
    status: 403,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
  });
}

/** What a JSON endpoint (the desk, /api/v1) answers when it refuses: one shape everywhere. */
export type JsonError = { error: { code: string; message: string; field?: string } };

/**
 * The JSON error answer `{ error: { code, message, field? } }`: from a
 * DomainError (its code, message, field, status and Retry-After), or from a
 * code with its status and, optionally, a message other than the table's.
 */
export function jsonError(
  error:
    | DomainError
    | { code: ErrorCode | "unauthorized"; status: number; message?: string; field?: string },
  headers?: HeadersInit,
): Response {
  const { code, status, field } = error;
  const message =
    error.message ||
    (code === "unauthorized" ? "APIトークンが正しくないか、無効です。" : ERROR_MESSAGES[code]);
  const body: JsonError = { error: { code, message, ...(field ? { field } : {}) } };
  const all = new Headers(headers);
  if (error instanceof DomainError)
    for (const [k, v] of Object.entries(error.headers)) all.set(k, v);
  return Response.json(body, { status, headers: all });
}

/**
 * Runs a JSON endpoint's domain call: a DomainError becomes jsonError(error),
 * or `notFound()`'s answer for `not_found` when the endpoint words its own.
 */
export async function domainJson(
  run: () => Promise<Response>,
  notFound?: () => Response,
): Promise<Response> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return error.code === "not_found" && notFound ? notFound() : jsonError(error);
  }
}
