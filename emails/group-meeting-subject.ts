import type { GroupMeetingEmail } from "./types";

const PREFIX: Record<GroupMeetingEmail["kind"], string> = {
  created: "【専門部会】開催のお知らせ",
  changed: "【専門部会】日程・会場変更のお知らせ",
  reminder: "【専門部会】出欠回答のお願い",
};

/** 「【専門部会】開催のお知らせ 第1専門部会 第14回」 */
export function groupMeetingSubject(email: GroupMeetingEmail): string {
  return `${PREFIX[email.kind]} ${email.meeting.title}`;
}
