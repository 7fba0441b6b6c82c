import { isConnectionError } from "../../db/index";

/**
 * Failures that are not bugs of the page that met them, each answered with
 * its own status and Japanese message instead of the generic 500 (see
 * handleError in entry.server.tsx and app/server.ts):
 * - database_unavailable (503): PostgreSQL is stopped, restarting or out of
 *   reach; the pool reconnects by itself once it is back (db/reconnect.ts).
 * - invalid_input (400): a request the app cannot read (a body that is not a
 *   form), or a value that got past validation and that PostgreSQL refuses as
 *   data (SQLSTATE class 22: a number out of range, a NUL byte, an impossible
 *   date). Validation should have caught it; this is the net under it.
 * - body_too_large (413): a request body over its route's limit
 *   (app/security/body-limit.ts), found while the route read it.
 */
export type Failure = "database_unavailable" | "invalid_input" | "body_too_large";

export const FAILURES: Record<
  Failure,
  { status: number; title: string; message: string; note?: string }
> = {
  database_unavailable: {
    status: 503,
    title: "ただいまご利用いただけません",
    message: "ただいまデータベースに接続できません。しばらくしてから再度お試しください。",
    note: "送信した内容は保存されていない場合があります。少し時間をおいてから、マイページなどでご確認のうえ、もう一度操作してください。",
  },
  body_too_large: {
    status: 413,
    title: "送信された内容が大きすぎます",
    message:
      "送信された内容が大きすぎるため、受け付けられませんでした。入力内容を短くするか、ファイルを小さくして、もう一度お試しください。",
  },
  invalid_input: {
    status: 400,
    title: "送信された内容を処理できません",
    message:
      "送信された内容に、処理できない値が含まれていました。画面を再読み込みして、入力内容をご確認のうえ、もう一度お試しください。",
  },
};

/** Which failure `error` is, or undefined for anything else (a bug: a 500). */
export function failureOf(error: unknown): Failure | undefined {
  if (isConnectionError(error)) return "database_unavailable";
  if (!error || typeof error !== "object") return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  // A PostgreSQL error carries its SQLSTATE; class 22 is "data exception".
  if (typeof code === "string" && /^22[0-9A-Z]{3}$/.test(code)) return "invalid_input";
  // request.formData() on a body that is not a form, or a broken multipart one.
  if (
    error instanceof TypeError &&
    typeof message === "string" &&
    /as FormData|Content-Type was not one of/.test(message)
  ) {
    return "invalid_input";
  }
  return undefined;
}
