import { Button, EmailLayout, footerText, styles } from "./layout";
import type { StaffEmail } from "./types";

/** The link is stored as a path, so the email names the site's own address when it is sent. */
const href = (email: StaffEmail, appUrl: string) => `${appUrl}${email.path}`;

const INTRO: Record<StaffEmail["kind"], string> = {
  invitation: "自治研イベントのスタッフとして招待されました。",
  password_reset: "スタッフ用アカウントのパスワード再設定のご依頼を受け付けました。",
  added_to_event: "自治研イベントで、次のイベントの担当に追加されました。",
};

const ACTION: Record<StaffEmail["kind"], string> = {
  invitation: "パスワードを設定する",
  password_reset: "パスワードを再設定する",
  added_to_event: "スタッフ用ページを開く",
};

/** An invitation, a password reset, or a new event to work on, for a staff member. */
export function StaffHtml(props: { email: StaffEmail; subject: string; appUrl: string }) {
  const { email } = props;
  const url = href(email, props.appUrl);
  return (
    <EmailLayout subject={props.subject} preheader={INTRO[email.kind]} appUrl={props.appUrl}>
      <p style={styles.paragraph}>{`${email.name || email.to} 様`}</p>
      <p style={styles.paragraph}>{INTRO[email.kind]}</p>
      {email.facts.map((fact) => (
        <p key={fact} style={styles.paragraph}>
          {fact}
        </p>
      ))}
      <Button href={url}>{ACTION[email.kind]}</Button>
      {email.expires ? (
        <p style={styles.paragraph}>
          {`このリンクの有効期限は${email.expires}で、1回だけ使えます。`}
          {email.kind === "invitation"
            ? "期限が切れた場合は、管理者に招待の再送を依頼してください。"
            : "期限が切れた場合は、もう一度お手続きください。"}
        </p>
      ) : null}
      <p style={styles.muted}>
        ボタンが押せない場合は、次のURLをブラウザに貼り付けてください。
        <br />
        <a href={url} style={styles.link}>
          {url}
        </a>
      </p>
      <p style={styles.muted}>
        お心当たりのない場合は、このメールを破棄してください。アカウントに変更は加えられません。
      </p>
    </EmailLayout>
  );
}

export function staffText(props: { email: StaffEmail; appUrl: string }): string {
  const { email } = props;
  return [
    `${email.name || email.to} 様`,
    "",
    INTRO[email.kind],
    ...email.facts,
    "",
    `${ACTION[email.kind]}: ${href(email, props.appUrl)}`,
    "",
    ...(email.expires ? [`このリンクの有効期限は${email.expires}で、1回だけ使えます。`, ""] : []),
    "お心当たりのない場合は、このメールを破棄してください。アカウントに変更は加えられません。",
    "",
    footerText(props.appUrl),
  ].join("\n");
}
