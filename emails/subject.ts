import { groupMeetingSubject } from "./group-meeting-subject";
import type { EmailMessage, RegistrationEmailKind } from "./types";

const REGISTRATION_SUBJECT_PREFIX: Record<RegistrationEmailKind, string> = {
  confirmed: "【申込完了】",
  waitlisted: "【キャンセル待ち】",
  promoted: "【繰り上げ当選】",
  changed: "【申込内容変更】",
  cancelled: "【キャンセル受付】",
};

/**
 * The subject line alone: cheap enough to compute when the email is enqueued
 * (no QR, no markup), and the same one the rendered email carries.
 */
export function emailSubject(message: EmailMessage): string {
  switch (message.template) {
    case "login_link":
      return "自治研イベント ログインリンク";
    case "registration":
      return `${REGISTRATION_SUBJECT_PREFIX[message.payload.kind]}${message.payload.event.title}`;
    case "group_meeting":
      return groupMeetingSubject(message.payload);
    case "notice":
      return message.payload.subject;
    case "staff":
      return {
        invitation: "【自治研イベント】スタッフへの招待",
        password_reset: "【自治研イベント】パスワードの再設定",
        added_to_event: "【自治研イベント】担当イベントの追加",
      }[message.payload.kind];
    case "recruitment_result":
      return `【専門部会員募集】結果のお知らせ(${message.payload.roundTitle})`;
  }
}
