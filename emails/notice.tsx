import { Button, EmailLayout, footerText, styles } from "./layout";
import type { NoticeEmail } from "./types";

/** A message from the organisers to attendees: a cancellation, a change, a reminder. */
export function NoticeHtml(props: { email: NoticeEmail; subject: string; appUrl: string }) {
  const { email } = props;
  return (
    <EmailLayout subject={props.subject} preheader={email.eventTitle} appUrl={props.appUrl}>
      <p style={styles.paragraph}>{`${email.name} 様`}</p>
      {email.body.split("\n").map((line, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: lines of one static text
        <p key={i} style={styles.paragraph}>
          {line}
        </p>
      ))}
      <Button href={email.manageUrl}>マイページを開く</Button>
    </EmailLayout>
  );
}

export function noticeText(props: { email: NoticeEmail; appUrl: string }): string {
  const { email } = props;
  return [
    `${email.name} 様`,
    "",
    email.body,
    "",
    `マイページ: ${email.manageUrl}`,
    "",
    footerText(props.appUrl),
  ].join("\n");
}
