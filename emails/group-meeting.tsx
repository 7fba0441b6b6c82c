import { formatRange } from "../app/utils/format";
import { eventIcs } from "./ics";
import {
  Button,
  EmailLayout,
  type Fact,
  FactsTable,
  factsText,
  footerText,
  styles,
} from "./layout";
import type { EmailEvent, GroupMeetingEmail } from "./types";
import { RSVP_LABELS } from "../app/utils/working-groups";

/**
 * A 専門部会 meeting added, changed, or still unanswered: the facts, the
 * member's answer so far, and the one link that answers 出席 / 欠席 / 未定.
 */

const PLACE_KIND_LABELS = { room: "会議室", zoom: "ZOOM(オンライン)", site: "現地調査" } as const;

function lead(email: GroupMeetingEmail): string[] {
  const { title } = email.meeting;
  switch (email.kind) {
    case "created":
      return [
        `${title}を次のとおり開催します。`,
        "お手数ですが、下のボタンから出欠(出席・欠席・未定)をご回答ください。",
      ];
    case "changed":
      return [
        `${title}の日時・会場が変更になりました。変更後の内容は次のとおりです。`,
        "ご都合が変わった場合は、下のボタンから出欠の回答を変更してください。",
      ];
    case "reminder":
      return [
        `${title}の出欠について、まだご回答をいただいていません。`,
        "お手数ですが、下のボタンからご回答ください。",
      ];
  }
}

function facts(email: GroupMeetingEmail): Fact[] {
  const m = email.meeting;
  const list: Fact[] = [
    { label: "会合", lines: [m.title, ...m.groups.filter((g) => g !== m.title)] },
    { label: "日時", lines: [formatRange(m.startsAt, m.endsAt)] },
    {
      label: PLACE_KIND_LABELS[m.placeKind],
      lines: [
        ...(m.placeName ? [m.placeName] : []),
        ...(m.address ? [m.address] : []),
        ...(m.mapUrl ? [{ text: "地図を開く", href: m.mapUrl }] : []),
        ...(m.onlineUrl
          ? [
              { text: m.onlineUrl, href: m.onlineUrl },
              "部会員専用のURLです。ほかの方には転送しないでください。",
            ]
          : []),
      ],
    },
  ];
  if (m.note) list.push({ label: "備考", lines: [m.note] });
  list.push({
    label: "あなたの回答",
    lines: [email.answer ? RSVP_LABELS[email.answer] : "未回答"],
  });
  return list;
}

/** The meeting as an EmailEvent, so that the event .ics builder serves it too. */
export function meetingAsEvent(email: GroupMeetingEmail): EmailEvent {
  const m = email.meeting;
  const endsAt = m.endsAt ?? new Date(Date.parse(m.startsAt) + 2 * 60 * 60 * 1000).toISOString();
  return {
    title: m.title,
    slug: `group-meeting-${m.id}`,
    startsAt: m.startsAt,
    endsAt,
    venueName: m.placeKind === "zoom" ? "" : m.placeName,
    venueAddress: m.address,
    mapUrl: m.mapUrl,
    onlineLabel: m.placeKind === "zoom" ? "オンライン(ZOOM)" : "",
    onlineUrl: m.onlineUrl || undefined,
    programme: [],
  };
}

export function groupMeetingIcs(email: GroupMeetingEmail): string {
  return eventIcs(meetingAsEvent(email), {
    manageUrl: email.rsvpUrl,
    manageLabel: "出欠の回答・変更",
  });
}

export function GroupMeetingHtml(props: {
  email: GroupMeetingEmail;
  subject: string;
  appUrl: string;
}) {
  const { email } = props;
  return (
    <EmailLayout subject={props.subject} preheader={lead(email)[0] ?? ""} appUrl={props.appUrl}>
      <p style={styles.paragraph}>{email.name} 様</p>
      {lead(email).map((line) => (
        <p key={line} style={styles.paragraph}>
          {line}
        </p>
      ))}
      <FactsTable facts={facts(email)} />
      <h2 style={styles.heading}>出欠の回答</h2>
      <p style={styles.paragraph}>
        ボタンを押すと回答ページが開きます。「出席」「欠席」「未定」のいずれかを押すと回答が完了します(ログインは不要です。会合の開始まで何度でも変更できます)。
      </p>
      <Button href={email.rsvpUrl}>出欠を回答する</Button>
      <p style={styles.muted}>
        ボタンが押せない場合は、次のURLをブラウザに貼り付けてください。
        <br />
        <a href={email.rsvpUrl} style={styles.link}>
          {email.rsvpUrl}
        </a>
      </p>
      <p style={styles.paragraph}>
        専門部会のページ:{" "}
        <a href={email.groupUrl} style={styles.link}>
          {email.groupUrl}
        </a>
      </p>
      <p style={styles.muted}>
        カレンダー用のファイル(meeting.ics)を添付しています。開くと予定に登録できます。
      </p>
    </EmailLayout>
  );
}

export function groupMeetingText(props: { email: GroupMeetingEmail; appUrl: string }): string {
  const { email } = props;
  return [
    `${email.name} 様`,
    lead(email).join("\n"),
    factsText(facts(email)),
    `■ 出欠の回答(ログイン不要・会合の開始まで変更できます)\n${email.rsvpUrl}`,
    `■ 専門部会のページ\n${email.groupUrl}`,
    "カレンダー用のファイル(meeting.ics)を添付しています。",
    footerText(props.appUrl),
  ].join("\n\n");
}
