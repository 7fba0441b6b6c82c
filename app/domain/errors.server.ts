/**
 * Errors are values with codes: one table of Japanese messages and one of HTTP
 * statuses. Domain functions throw a DomainError; routes show its message
 * beside the form, and tests assert its code.
 */
export const ERROR_MESSAGES = {
  not_found: "お探しのものが見つかりません。",
  forbidden: "この操作を行う権限がありません。",
  login_required: "ログインしてください。",
  profile_required: "はじめにプロフィールを登録してください。",
  members_only: "このイベントは組合員限定です。ログインのうえ、所属単組を登録してください。",
  window_closed: "申込受付期間外のため、申し込めません。",
  event_not_open: "このイベントは現在申込を受け付けていません。",
  already_registered: "このイベントには既に申し込んでいます。マイページで内容をご確認ください。",
  age_limit: "このイベントは初日時点で年齢制限があるため、申し込めません。",
  birth_date_required: "このイベントには年齢制限があります。生年月日を入力してください。",
  event_full:
    "定員に達したため、申し込めません。キャンセル待ちをご希望の場合はチェックを入れてください。",
  course_full: "選択したコースは満席です。別のコースを選ぶか、キャンセル待ちに登録してください。",
  session_full: "選択した日程・企画は満席です。選択を外すか、キャンセル待ちに登録してください。",
  course_unavailable: "選択したコースは現在受け付けていません。",
  cancellation_closed: "キャンセルの受付期限を過ぎています。県本部へご連絡ください。",
  already_cancelled: "この申込は既にキャンセルされています。",
  invalid_link:
    "このログインリンクは無効か、期限切れか、使用済みです。もう一度ログインリンクを送信してください。",
  invalid_credentials: "メールアドレスまたはパスワードが正しくありません。",
  rate_limited: "短時間に多くの操作がありました。しばらく待ってから、もう一度お試しください。",
  busy: "ただいま混み合っています。少し待ってから、もう一度お試しください。",
  invalid_input: "入力内容に誤りがあります。各項目のメッセージをご確認ください。",
} as const;

export type ErrorCode = keyof typeof ERROR_MESSAGES;

export const ERROR_STATUS: Record<ErrorCode, number> = {
  not_found: 404,
  forbidden: 403,
  login_required: 401,
  profile_required: 403,
  members_only: 403,
  window_closed: 409,
  event_not_open: 409,
  already_registered: 409,
  age_limit: 422,
  birth_date_required: 422,
  event_full: 409,
  course_full: 409,
  session_full: 409,
  course_unavailable: 409,
  cancellation_closed: 409,
  already_cancelled: 409,
  invalid_link: 400,
  invalid_credentials: 401,
  rate_limited: 429,
  busy: 503,
  invalid_input: 422,
};

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** which form field the error belongs to, when it belongs to one */
  readonly field?: string;

  constructor(code: ErrorCode, options: { field?: string; message?: string } = {}) {
    super(options.message ?? ERROR_MESSAGES[code]);
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.field = options.field;
  }
}

/** PostgreSQL's lock_timeout and deadlock errors become a friendly "busy". */
export function asBusy(error: unknown): unknown {
  const code = (error as { code?: string } | null)?.code;
  if (code === "55P03" || code === "40P01" || code === "40001") return new DomainError("busy");
  return error;
}
