import type {
  CourseWord,
  EventKind,
  EventStatus,
  RegistrationStatus,
  SessionKind,
  WebhookTopic,
} from "../../db/schema";

/** Japanese names of the domain's words, shared by pages, emails and exports. */
export const EVENT_KIND_LABELS: Record<EventKind, string> = {
  online_seminar: "オンラインセミナー",
  national_convention: "全国集会",
  prefectural_convention: "県集会",
  youth_gathering: "UNDER35集会",
  working_group_meeting: "専門部会",
  study_session: "学習会",
};

export const SESSION_KIND_LABELS: Record<SessionKind, string> = {
  plenary: "全体集会",
  breakout: "分科会",
  dinner: "夕食交流会",
  lodging: "宿泊",
  fieldwork: "フィールドワーク",
  lecture: "講演",
  reception: "レセプション",
  meeting: "会議",
};

export function isEventKind(value: string): value is EventKind {
  return value in EVENT_KIND_LABELS;
}

/** What a person sees when the app itself failed (the root error boundary, and app/server.ts). */
export const SERVER_ERROR = {
  title: "エラーが発生しました",
  message:
    "申し訳ありません。システムで問題が起きました。少し時間をおいてから、もう一度お試しください。解決しない場合は県本部までご連絡ください。",
};

/** A registration's status, as the organiser's pages and exports name it. */
export const REGISTRATION_STATUS_LABELS: Record<RegistrationStatus, string> = {
  confirmed: "確定",
  waitlisted: "キャンセル待ち",
  cancelled: "キャンセル",
};

/** A registration's status, as its member reads it on /me. */
export const MY_REGISTRATION_STATUS_LABELS: Record<RegistrationStatus, string> = {
  confirmed: "申込完了",
  waitlisted: "キャンセル待ち",
  cancelled: "キャンセル済み",
};

/**
 * An event's state on the organiser's pages. 「受付」 alone also means the
 * desk's check-in, so closing registration is said 「申込受付」.
 */
export const EVENT_STATUS_LABELS: Record<EventStatus, string> = {
  draft: "下書き",
  published: "公開中",
  closed: "申込受付終了",
  cancelled: "中止",
};

/** The buttons that move an event to a state. */
export const EVENT_STATUS_ACTIONS: Record<"published" | "closed", string> = {
  published: "公開する",
  closed: "申込受付を終了する",
};

/** The words an event may use for what a registrant chooses (events.course_word). */
export const COURSE_WORDS: readonly CourseWord[] = ["分科会", "コース", "チーム"];

export function isCourseWord(value: string): value is CourseWord {
  return (COURSE_WORDS as readonly string[]).includes(value);
}

/**
 * The event's word for a course: 分科会, コース or チーム, chosen once on the
 * event. Every page, error, email, export and the desk say it through this.
 */
export function courseWord(event: { course_word?: string | null }): CourseWord {
  const word = event.course_word ?? "";
  return isCourseWord(word) ? word : "分科会";
}

/** The word a new event starts with: an online seminar's breakouts have always been コース. */
export function defaultCourseWord(kind: EventKind): CourseWord {
  return kind === "online_seminar" ? "コース" : "分科会";
}

export type StaffRole = "admin" | "organiser" | "secretary" | "reception";

/** Staff roles, as the staff pages name them. */
export const STAFF_ROLE_LABELS: Record<StaffRole, string> = {
  admin: "管理者",
  organiser: "主催担当",
  secretary: "単組書記長",
  reception: "受付",
};

/** A staff account's state on /admin/staff, with the badge it wears. */
export const STAFF_STATUS_LABELS: Record<
  "active" | "invited" | "invitation_expired" | "disabled" | "ended",
  { label: string; badge: string }
> = {
  active: { label: "利用中", badge: "badge--ok" },
  invited: { label: "招待中", badge: "badge--warn" },
  invitation_expired: { label: "招待の期限切れ", badge: "badge--danger" },
  disabled: { label: "無効", badge: "badge--danger" },
  ended: { label: "期限終了", badge: "badge--done" },
};

/** What the staff audit entries say, in the account's history. */
export const STAFF_ACTION_LABELS: Record<string, string> = {
  "staff.invited": "招待",
  "staff.event_added": "担当イベントの追加",
  "staff.invitation_resent": "招待の再送",
  "staff.role_changed": "役割の変更",
  "staff.union_changed": "所属単組の変更",
  "staff.disabled": "無効化",
  "staff.enabled": "有効化",
  "staff.totp_reset": "2段階認証のリセット",
  "staff.password_set": "パスワードの設定",
  "staff.password_reset": "パスワードの再設定",
  "staff.password_changed": "パスワードの変更",
  "staff.password_reset_requested": "パスワード再設定の申込",
  "staff.totp_enabled": "2段階認証の設定",
  "staff.totp_disabled": "2段階認証の解除",
  "staff.recovery_code_used": "復旧コードの使用",
  "staff.admin_created": "管理者の作成(admin:create)",
};

/**
 * The events a webhook can subscribe to, and their names on /admin/api. Here,
 * not in api.server.ts: the page renders the list in the browser, where a
 * .server module is empty (issue 15: /admin/api crashed on hydration).
 */
export const WEBHOOK_TOPIC_LABELS: Record<WebhookTopic, string> = {
  "registration.created": "申込があったとき",
  "registration.cancelled": "キャンセルされたとき",
  "checkin.created": "受付(チェックイン)したとき",
};
export const WEBHOOK_TOPICS = Object.keys(WEBHOOK_TOPIC_LABELS) as WebhookTopic[];
