import { formatDateTime } from "./format";
import {
  EVENT_STATUS_LABELS,
  REGISTRATION_STATUS_LABELS,
  STAFF_ACTION_LABELS,
  STAFF_ROLE_LABELS,
} from "./labels";

/**
 * What one audit entry says to a person reading the log: 「受付 佐藤 花子(受付A)」,
 * never 「checkin #5」 and raw JSON. One label per entity and action, and the
 * details as short Japanese phrases. Shared by every audit view.
 */

export type AuditEntryForLabel = {
  entity: string;
  entity_id: string;
  action: string;
  detail: unknown;
  /** whom the entry is about (a registrant, a checked-in person, a staff member), from listAuditLog */
  subject_name?: string | null;
  /** the check-in list's name, from listAuditLog */
  list_name?: string | null;
};

export type AuditDescription = {
  /** 「受付」「申込のキャンセル」… */
  action: string;
  /** 「佐藤 花子(受付A)」, or what was acted on; "" when the action says it all */
  subject: string;
  /** 「リスト: 受付(全体)」「120件」… */
  details: string[];
  /** action and subject in one line: 「受付 佐藤 花子(受付A)」 */
  summary: string;
};

const ACTION_LABELS: Record<string, string> = {
  "checkin:checkin": "受付",
  "checkin:checkin_undo": "受付の取り消し",
  "registration:cancel": "申込のキャンセル",
  "registration:confirm": "キャンセル待ちから参加確定",
  "registration:change": "申込内容の変更",
  "event:create": "イベントの作成",
  "event:update": "イベントの編集",
  "event:published": "公開",
  "event:closed": "申込受付の終了",
  "event:cancelled": "イベントの中止",
  "event:draft": "下書きに戻す",
  "event:copy": "前回からコピーして作成",
  "event:message": "参加者へのメール送信",
  "session:create": "日程・企画の追加",
  "course:create": "選択肢(コース・分科会)の追加",
  "course:cancel": "選択肢(コース・分科会)の中止",
  "course:capacity": "定員の変更",
  "event_staff:added": "担当者の追加",
  "event_staff:removed": "担当者の解除",
  "export:export": "ファイルのダウンロード",
  "export:import": "CSVの取り込み",
  "export:api_list": "APIでの一覧取得",
  "export:self_download": "本人によるデータのダウンロード",
  "retention:purge": "保存期間を過ぎたデータの削除",
  "retention:settings": "保存期間の設定",
  "privacy_notice:publish": "個人情報の取扱いの公開",
  "person:delete_account": "アカウントの削除",
  "report:submit": "レポートの提出",
  "report:review": "レポートの審査",
  "material:create": "資料の登録",
  "material:delete": "資料の削除",
};

/** Detail keys as a reader names them; a key not here is not shown. */
const DETAIL_LABELS: Record<string, string> = {
  title: "名称",
  subject: "件名",
  recipients: "送信数",
  notified: "メールで通知",
  rows: "件数",
  format: "形式",
  encoding: "文字コード",
  answers_months: "回答の保存期間(月)",
  inactive_months: "未利用アカウントの保存期間(月)",
  characters: "文字数",
  cancelled: "キャンセルした申込",
  anonymised: "匿名化した件数",
  award: "表彰",
};

const ENTITY_LABELS: Record<string, string> = {
  registration: "申込",
  checkin: "受付",
  event: "イベント",
  session: "日程・企画",
  course: "選択肢",
  export: "ダウンロード",
  event_staff: "担当者",
};

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function text(value: unknown): string {
  if (value === null || value === undefined || value === "") return "";
  if (typeof value === "boolean") return value ? "あり" : "なし";
  if (typeof value === "string" || typeof value === "number") return String(value);
  return "";
}

/** One audit entry in words. */
export function describeAudit(entry: AuditEntryForLabel): AuditDescription {
  const d = record(entry.detail);
  const key = `${entry.entity}:${entry.action}`;
  const action =
    ACTION_LABELS[key] ??
    STAFF_ACTION_LABELS[entry.action] ??
    `${ENTITY_LABELS[entry.entity] ?? "記録"}の操作`;
  const who = entry.subject_name ?? "";
  const details: string[] = [];
  let subject = who;

  switch (key) {
    case "checkin:checkin":
    case "checkin:checkin_undo": {
      const desk = text(d.desk);
      subject = who ? `${who}${desk ? `(${desk})` : ""}` : desk;
      if (entry.list_name) details.push(`リスト: ${entry.list_name}`);
      if (d.offline === true) details.push("オフラインで受付(後から送信)");
      if (typeof d.checked_in_at === "string")
        details.push(`取り消した受付: ${formatDateTime(d.checked_in_at)}`);
      break;
    }
    case "registration:cancel": {
      const previous = text(d.previous);
      if (previous in REGISTRATION_STATUS_LABELS)
        details.push(
          `元の状態: ${REGISTRATION_STATUS_LABELS[previous as keyof typeof REGISTRATION_STATUS_LABELS]}`,
        );
      break;
    }
    case "registration:confirm":
    case "registration:change":
      if (d.override === true) details.push("定員を超えて");
      break;
    case "event:published":
    case "event:closed":
    case "event:cancelled":
    case "event:draft": {
      const from = text(d.from);
      if (from in EVENT_STATUS_LABELS)
        details.push(`変更前: ${EVENT_STATUS_LABELS[from as keyof typeof EVENT_STATUS_LABELS]}`);
      if (typeof d.notified === "number") details.push(`${d.notified}名にメールで通知`);
      break;
    }
    case "event:update":
    case "course:capacity": {
      const change = key === "event:update" ? record(d.capacity) : d;
      if ("from" in change || "to" in change) {
        const show = (v: unknown) => (v === null || v === undefined ? "なし" : `${text(v)}名`);
        details.push(`定員: ${show(change.from)} → ${show(change.to)}`);
      }
      break;
    }
    case "event:copy":
      if (d.from !== undefined) details.push(`コピー元: イベント番号 ${text(d.from)}`);
      break;
    case "event_staff:added":
    case "event_staff:removed": {
      const role = text(d.role);
      if (role in STAFF_ROLE_LABELS)
        details.push(`役割: ${STAFF_ROLE_LABELS[role as keyof typeof STAFF_ROLE_LABELS]}`);
      break;
    }
    default:
      break;
  }
  for (const [name, label] of Object.entries(DETAIL_LABELS)) {
    const value = text(d[name]);
    if (!value) continue;
    if (name === "notified" && details.some((x) => x.includes("通知"))) continue;
    details.push(
      name === "rows" || name === "recipients" || name === "notified"
        ? `${label}: ${value}${name === "rows" ? "件" : "名"}`
        : `${label}: ${value}`,
    );
  }
  if (entry.entity === "export" && d.completed === false) details.push("途中で中断");
  return {
    action,
    subject,
    details,
    summary: subject ? `${action} ${subject}` : action,
  };
}
