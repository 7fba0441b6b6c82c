import { formatDateTime, formatRange } from "../app/utils/format";
import {
  Button,
  EmailLayout,
  type Fact,
  FactsTable,
  FONT,
  factsText,
  footerText,
  styles,
} from "./layout";
import { programmeLines } from "./programme";
import type { RegistrationEmail } from "./types";

/**
 * What a member is told when their registration is made, waitlisted, promoted,
 * changed or cancelled. The HTML and the text version are built from the same
 * facts, so they never disagree.
 */

/** A seat is held and the mail is not a cancellation: the QR, the .ics and the Zoom link go out. */
export function holdsTicket(email: RegistrationEmail): boolean {
  return Boolean(email.ticketSecret) && email.kind !== "cancelled";
}

/** Held online only (no venue): no reception desk, so no QR; the Zoom link and how to join come first. */
export function isOnlineOnly(event: RegistrationEmail["event"]): boolean {
  return !event.venueName && Boolean(event.onlineLabel || event.onlineUrl);
}

/** How to take part on the day: show the QR at reception, or join by the link. */
function onTheDay(email: RegistrationEmail): string {
  if (!isOnlineOnly(email.event))
    return "当日は受付で、このメールのQRコード(または受付番号)をご提示ください。";
  return email.event.onlineUrl
    ? "当日は開始時刻の少し前に、このメールの参加URLからZoomに入室してください。"
    : "参加URLは、参加が確定した方にマイページでお知らせします。";
}

function lead(email: RegistrationEmail): string[] {
  const { title } = email.event;
  switch (email.kind) {
    case "confirmed":
      return [`${title}へのお申し込みを受け付けました。参加が確定しています。`, onTheDay(email)];
    case "waitlisted":
      return [
        `${title}は定員に達したため、キャンセル待ちとして受け付けました。`,
        "席が空きしだい順番に繰り上げ、メールでお知らせします。",
      ];
    case "promoted":
      return [`${title}のキャンセル待ちから繰り上げとなり、参加が確定しました。`, onTheDay(email)];
    case "changed":
      return [`${title}のお申し込み内容を変更しました。変更後の内容は次のとおりです。`];
    case "cancelled":
      return [
        `${title}のお申し込みのキャンセルを受け付けました。`,
        isOnlineOnly(email.event)
          ? "以前お送りした参加URLは使えなくなります。またのご参加をお待ちしています。"
          : "以前お送りしたQRコードは使えなくなりました。またのご参加をお待ちしています。",
      ];
  }
}

function facts(email: RegistrationEmail): Fact[] {
  const { event } = email;
  const list: Fact[] = [
    { label: "イベント", lines: [event.title] },
    { label: "日時", lines: [formatRange(event.startsAt, event.endsAt)] },
  ];
  if (event.venueName) {
    list.push({
      label: "会場",
      lines: [
        event.venueName,
        ...(event.venueAddress ? [event.venueAddress] : []),
        ...(event.mapUrl ? [{ text: "地図を開く", href: event.mapUrl }] : []),
      ],
    });
  }
  if (event.onlineLabel) list.push({ label: "開催方法", lines: [event.onlineLabel] });
  if (event.onlineUrl && email.kind !== "cancelled") {
    list.push({
      label: "参加URL",
      lines: [
        { text: event.onlineUrl, href: event.onlineUrl },
        "参加者専用のURLです。ほかの方には転送しないでください。",
      ],
    });
  }
  if (email.course) list.push({ label: event.courseWord ?? "コース", lines: [email.course] });
  if (email.sessions.length > 0) list.push({ label: "参加内容", lines: email.sessions });
  if (email.kind === "waitlisted" && email.waitlistPosition !== undefined) {
    list.push({ label: "キャンセル待ち", lines: [`${email.waitlistPosition}番目`] });
  }
  list.push({ label: "受付番号", lines: [email.ticketCode] });
  if (event.cancellationDeadline && email.kind !== "cancelled") {
    list.push({
      label: "キャンセル期限",
      lines: [`${formatDateTime(event.cancellationDeadline)}まで(マイページから)`],
    });
  }
  return list;
}

export function RegistrationHtml(props: {
  email: RegistrationEmail;
  subject: string;
  appUrl: string;
  /** the cid of the inline QR image, when one is attached */
  qrCid?: string;
}) {
  const { email } = props;
  const programme = programmeLines(email.event);
  return (
    <EmailLayout subject={props.subject} preheader={lead(email)[0] ?? ""} appUrl={props.appUrl}>
      <p style={styles.paragraph}>{email.name} 様</p>
      {lead(email).map((line) => (
        <p key={line} style={styles.paragraph}>
          {line}
        </p>
      ))}
      {props.qrCid ? (
        <table
          role="presentation"
          width="100%"
          cellPadding={0}
          cellSpacing={0}
          border={0}
          style={{ margin: "0 0 16px" }}
        >
          <tbody>
            <tr>
              <td align="center" style={{ fontFamily: FONT }}>
                <img
                  src={`cid:${props.qrCid}`}
                  width={200}
                  height={200}
                  alt={`受付用QRコード(受付番号 ${email.ticketCode})`}
                  style={{ display: "block", border: 0 }}
                />
                <div style={{ fontSize: "18px", fontWeight: "bold", letterSpacing: "2px" }}>
                  {email.ticketCode}
                </div>
                <div style={styles.muted}>受付でこのQRコードをご提示ください</div>
              </td>
            </tr>
          </tbody>
        </table>
      ) : null}
      {isOnlineOnly(email.event) && email.event.onlineUrl && email.kind !== "cancelled" ? (
        <>
          <h2 style={styles.heading}>参加方法(Zoom)</h2>
          <p style={styles.paragraph}>
            開始時刻の少し前に、次のボタンから入室してください。参加者専用のURLです。ほかの方には転送しないでください。
          </p>
          <Button href={email.event.onlineUrl}>Zoomに参加する</Button>
        </>
      ) : null}
      <h2 style={styles.heading}>お申し込みの内容</h2>
      <FactsTable facts={facts(email)} />
      {programme.length > 0 ? (
        <>
          <h2 style={styles.heading}>プログラム</h2>
          <ul style={{ margin: "0 0 16px", paddingLeft: "20px" }}>
            {programme.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </>
      ) : null}
      <h2 style={styles.heading}>確認・変更・キャンセル</h2>
      <p style={styles.paragraph}>
        お申し込みの内容は、マイページで確認・変更・キャンセルできます。
      </p>
      <Button href={email.manageUrl}>マイページを開く</Button>
      {holdsTicket(email) ? (
        <p style={styles.muted}>
          カレンダー用のファイル(event.ics)を添付しています。開くと予定に登録できます。
        </p>
      ) : null}
    </EmailLayout>
  );
}

export function registrationText(props: { email: RegistrationEmail; appUrl: string }): string {
  const { email } = props;
  const programme = programmeLines(email.event);
  const blocks = [
    `${email.name} 様`,
    lead(email).join("\n"),
    ...(isOnlineOnly(email.event) && email.event.onlineUrl && email.kind !== "cancelled"
      ? [
          `■ 参加方法(Zoom)\n開始時刻の少し前に、次のURLから入室してください。\n${email.event.onlineUrl}`,
        ]
      : []),
    factsText(facts(email)),
    ...(programme.length > 0 ? [`■ プログラム\n${programme.join("\n")}`] : []),
    ...(holdsTicket(email)
      ? [
          isOnlineOnly(email.event)
            ? "カレンダー用のファイル(event.ics)を添付しています。"
            : "受付用のQRコードは、このメールのHTML表示とマイページでご覧いただけます。\nカレンダー用のファイル(event.ics)を添付しています。",
        ]
      : []),
    `■ 確認・変更・キャンセル(マイページ)\n${email.manageUrl}`,
    footerText(props.appUrl),
  ];
  return blocks.join("\n\n");
}
