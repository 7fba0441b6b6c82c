import { Button, EmailLayout, footerText, styles } from "./layout";
import type { LoginLinkEmail } from "./types";

/** The one-time sign-in link a member asks for on the login page. */
export function LoginLinkHtml(props: { email: LoginLinkEmail; subject: string; appUrl: string }) {
  const { email } = props;
  return (
    <EmailLayout
      subject={props.subject}
      preheader="ボタンを押すとログインできます。"
      appUrl={props.appUrl}
    >
      <p style={styles.paragraph}>自治研イベントへのログインのご依頼を受け付けました。</p>
      <p style={styles.paragraph}>下のボタンを押すと、ログインできます。</p>
      <Button href={email.url}>ログインする</Button>
      <p style={styles.paragraph}>
        {`このリンクの有効期限は${email.expiresMinutes}分で、1回だけ使えます。期限が切れた場合は、もう一度ログインページからお申し込みください。`}
      </p>
      <p style={styles.muted}>
        ボタンが押せない場合は、次のURLをブラウザに貼り付けてください。
        <br />
        <a href={email.url} style={styles.link}>
          {email.url}
        </a>
      </p>
      <p style={styles.muted}>
        お心当たりのない場合は、このメールを破棄してください。ログインは行われません。
      </p>
    </EmailLayout>
  );
}

export function loginLinkText(props: { email: LoginLinkEmail; appUrl: string }): string {
  const { email } = props;
  return [
    "自治研イベントへのログインのご依頼を受け付けました。",
    "次のリンクを開くと、ログインできます。",
    "",
    email.url,
    "",
    `このリンクの有効期限は${email.expiresMinutes}分で、1回だけ使えます。`,
    "期限が切れた場合は、もう一度ログインページからお申し込みください。",
    "",
    "お心当たりのない場合は、このメールを破棄してください。ログインは行われません。",
    "",
    footerText(props.appUrl),
  ].join("\n");
}
