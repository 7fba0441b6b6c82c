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
  members_only:
    "このイベントは組合員限定です。プロフィールで所属単組を登録し、単組による組合員の確認を受けた方が申し込めます。",
  membership_pending:
    "所属単組で組合員であることを確認中です。確認が済むと、組合員限定のイベントへの申込や資料のダウンロードができます(確認が済むとメールでお知らせします)。",
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
  session_unavailable:
    "選択した日程・企画は、このイベントで選べる日程・企画ではありません。画面を再読み込みして、表示されている「希望者のみ」の日程・企画から選び直してください。",
  cancellation_closed: "キャンセルの受付期限を過ぎています。県本部へご連絡ください。",
  already_cancelled: "この申込は既にキャンセルされています。",
  invalid_link:
    "このログインリンクは無効か、期限切れか、使用済みです。もう一度ログインリンクを送信してください。",
  quota_full: "単組の割当枠に達しています。",
  not_waitlisted: "この申込はキャンセル待ちではありません。",
  invalid_credentials: "メールアドレスまたはパスワードが正しくありません。",
  rate_limited: "短時間に多くの操作がありました。しばらく待ってから、もう一度お試しください。",
  busy: "ただいま混み合っています。少し待ってから、もう一度お試しください。",
  invalid_input: "入力内容に誤りがあります。各項目のメッセージをご確認ください。",
  exports_busy:
    "ほかのダウンロードが多く実行中のため、今は開始できません。1分ほど待ってから、もう一度ダウンロードしてください。",
  export_unconfirmed:
    "Shift_JISでは表せない文字を含む申込があります。エクスポート画面で一覧を確認してから、ダウンロードしてください。",
  pdf_font_missing:
    "PDFの作成に必要な日本語フォント(Noto Sans CJK JP)がサーバーにありません。サーバー管理者が「apt-get install fonts-noto-cjk」でインストールするか、環境変数 PDF_FONT_PATH にフォントファイル(.ttc/.otf)の場所を設定してください。CSV・Excel形式は今すぐご利用いただけます。",
  already_checked_in: "既に受付済みです。",
  not_registered_for_session: "この参加者は、この日程・企画には申し込んでいません。",
  waitlisted: "キャンセル待ちの申込です。参加は確定していません。",
  cancelled: "この申込はキャンセルされています。",
  unknown_ticket: "このQRコード・受付番号は、このイベントの参加券として確認できません。",
  undo_not_allowed: "受付の取り消しは主催担当・管理者のみ行えます。",
  file_required: "ファイルを選択してください。",
  file_too_large: "ファイルが大きすぎます。20MB以下のファイルを選んでください。",
  file_type:
    "このファイル形式はアップロードできません。PDF、PowerPoint・Word・Excel(.pptx・.docx・.xlsx)、画像(PNG・JPEG)のいずれかを選んでください。",
  not_on_roster: "この専門部会の部会員ではないため、出欠を回答できません。",
  rsvp_closed: "この会合は既に始まっているため、出欠の回答・変更はできません。",
  invalid_rsvp_link:
    "この出欠回答リンクは無効か、期限切れです。ログインしてマイページから回答してください。",
  recruitment_closed: "専門部会員の募集期間外のため、応募・変更はできません。",
  results_already_sent: "この募集の結果は既に通知済みです。",
  reminder_too_soon: "リマインドは10分以内に送信済みです。しばらく待ってから送信してください。",
  reports_closed: "このイベントは現在レポートを受け付けていません。",
  invalid_password_link:
    "このパスワード設定用リンクは無効か、期限切れか、使用済みです。管理者に招待の再送を依頼するか、「パスワードを忘れた方」からもう一度お手続きください。",
  weak_password: "このパスワードは使えません。別のパスワードにしてください。",
  wrong_password: "現在のパスワードが正しくありません。",
  already_staff:
    "このメールアドレスは既にスタッフとして登録されています。役割の変更は「スタッフ管理」の各アカウントの画面から行ってください。",
  self_change:
    "ご自身の役割・所属単組・アカウントの状態は変更できません。別の管理者に依頼してください。",
  invalid_totp:
    "確認コードが正しくありません。認証アプリに表示されている6桁の数字を入力してください。",
  totp_required: "このサイトではスタッフ全員に2段階認証が必須のため、解除できません。",
  staff_use_password:
    "スタッフのアカウントは、メールのリンクではログインできません。スタッフ用ログイン(/admin/login)からパスワードでログインしてください。",
  not_invited: "このアカウントは既にパスワードを設定済みのため、招待を再送できません。",
  consent_required:
    "「個人情報の取扱い」に同意いただけない場合は、申し込めません。内容をご確認のうえ、同意欄にチェックを入れてください。",
  consent_outdated:
    "「個人情報の取扱い」が更新されました。最新の内容をご確認のうえ、あらためて同意してください。",
  needs_consent_required:
    "食事の配慮・配慮が必要なことを記入した場合は、その利用への同意が必要です。同意欄にチェックを入れるか、記入を消してください。",
} as const;

export type ErrorCode = keyof typeof ERROR_MESSAGES;

export const ERROR_STATUS: Record<ErrorCode, number> = {
  not_found: 404,
  forbidden: 403,
  login_required: 401,
  profile_required: 403,
  members_only: 403,
  membership_pending: 403,
  window_closed: 409,
  event_not_open: 409,
  already_registered: 409,
  age_limit: 422,
  birth_date_required: 422,
  event_full: 409,
  course_full: 409,
  session_full: 409,
  course_unavailable: 409,
  session_unavailable: 422,
  cancellation_closed: 409,
  already_cancelled: 409,
  invalid_link: 400,
  quota_full: 409,
  not_waitlisted: 409,
  invalid_credentials: 401,
  rate_limited: 429,
  busy: 503,
  invalid_input: 422,
  exports_busy: 503,
  export_unconfirmed: 409,
  pdf_font_missing: 503,
  already_checked_in: 409,
  not_registered_for_session: 409,
  waitlisted: 409,
  cancelled: 409,
  unknown_ticket: 404,
  undo_not_allowed: 403,
  file_required: 422,
  file_too_large: 413,
  file_type: 415,
  not_on_roster: 403,
  rsvp_closed: 409,
  invalid_rsvp_link: 400,
  recruitment_closed: 409,
  results_already_sent: 409,
  reminder_too_soon: 429,
  reports_closed: 409,
  invalid_password_link: 400,
  weak_password: 422,
  wrong_password: 422,
  already_staff: 409,
  self_change: 403,
  invalid_totp: 422,
  totp_required: 409,
  staff_use_password: 400,
  not_invited: 409,
  consent_required: 422,
  consent_outdated: 409,
  needs_consent_required: 422,
};

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** which form field the error belongs to, when it belongs to one */
  readonly field?: string;
  /** for `rate_limited`: seconds until a retry can succeed (the Retry-After header) */
  readonly retryAfter?: number;

  constructor(
    code: ErrorCode,
    options: { field?: string; message?: string; retryAfter?: number } = {},
  ) {
    super(options.message ?? ERROR_MESSAGES[code]);
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.field = options.field;
    this.retryAfter = options.retryAfter;
  }

  /** The headers an answer carrying this error needs (Retry-After on a 429). */
  get headers(): Record<string, string> {
    return this.retryAfter !== undefined ? { "Retry-After": String(this.retryAfter) } : {};
  }
}
