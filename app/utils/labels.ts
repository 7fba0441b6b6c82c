import type { EventKind, RegistrationStatus, SessionKind } from "../../db/schema";

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

export type StaffRole = "admin" | "organiser" | "secretary" | "reception";

/** Staff roles, as the staff pages name them. */
export const STAFF_ROLE_LABELS: Record<StaffRole, string> = {
  admin: "管理者",
  organiser: "主催担当",
  secretary: "単組書記長",
  reception: "受付",
};
