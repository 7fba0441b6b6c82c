import { Form } from "@remix-run/react";
import { describedBy, Field } from "./field";

/** Setting up the second factor: the QR for an authenticator app, its key to type, and the first code. */
export function TotpEnrolForm(props: {
  qr: string;
  secret: string;
  action: string;
  error?: string;
  busy?: boolean;
}) {
  return (
    <Form method="post" action={props.action} className="form" noValidate>
      <input type="hidden" name="intent" value="enable-totp" />
      <input type="hidden" name="secret" value={props.secret} />
      <ol className="steps">
        <li>
          スマートフォンの認証アプリ(Google Authenticator、Microsoft Authenticator
          など)で、次のQRコードを読み取ってください。
        </li>
      </ol>
      <img
        src={props.qr}
        alt="認証アプリに登録するためのQRコード"
        width={220}
        height={220}
        className="totp-qr"
      />
      <p className="small muted">
        読み取れない場合は、アプリに次のキーを入力してください:
        <br />
        <code className="totp-secret">{props.secret.replace(/(.{4})/g, "$1 ").trim()}</code>
      </p>
      <Field id="code" label="アプリに表示された6桁の確認コード" required error={props.error}>
        <input
          {...describedBy("code", props.error)}
          type="text"
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9 ]*"
          maxLength={8}
          required
        />
      </Field>
      <button type="submit" className="button" disabled={props.busy}>
        2段階認証を有効にする
      </button>
    </Form>
  );
}

/** The recovery codes, shown once right after the second factor is turned on. */
export function RecoveryCodes({ codes }: { codes: string[] }) {
  return (
    <div className="notice notice--warn" role="status">
      <p>
        <strong>2段階認証を有効にしました。</strong>
        次の復旧コードを印刷するか、安全な場所に控えてください。スマートフォンを無くしたとき、確認コードの代わりに1つずつ(各1回)使えます。
        <strong>この画面を閉じると、二度と表示されません。</strong>
      </p>
      <ul className="recovery-codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
    </div>
  );
}
