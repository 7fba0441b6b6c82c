import { Link } from "@remix-run/react";
import { formatDate } from "../utils/format";
import { scrollRegion } from "../utils/scroll-region";
import { FieldError } from "./field";

/**
 * Consent to the privacy notice (個人情報の取扱い), and the separate explicit
 * consent for dietary and accessibility needs (要配慮個人情報). The form
 * sends privacy_consent=on with the version shown (privacy_version), and
 * needs_consent=on; privacy.server.ts reads them (readConsent) and the
 * registration refuses without them.
 */

export type NoticeView = { version: number; body: string; published_at: string | Date };

/** The notice's text, paragraph by paragraph. */
export function NoticeText(props: { body: string }) {
  return (
    <div {...scrollRegion("個人情報の取扱い", "privacy-notice")}>
      {props.body.split(/\n{2,}/).map((block, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: paragraphs of one static text
        <p key={i} style={{ whiteSpace: "pre-line" }}>
          {block}
        </p>
      ))}
    </div>
  );
}

/** The member's consent at registration. */
export function ConsentFieldset(props: {
  notice: NoticeView;
  /** the event's own purposes, beyond the notice */
  purposes: string;
  errors: Record<string, string | undefined>;
  values: Record<string, unknown>;
  /** false for an online event: its form asks no meal question, so this does not name one */
  asksMeals?: boolean;
}) {
  const { notice, errors, values } = props;
  const needs = props.asksMeals === false ? "配慮が必要なこと" : "食事の配慮・配慮が必要なこと";
  return (
    <fieldset
      className="consent"
      aria-describedby={
        [
          errors.privacy_consent ? "privacy_consent-error" : "",
          errors.needs_consent ? "needs_consent-error" : "",
        ]
          .filter(Boolean)
          .join(" ") || undefined
      }
    >
      <legend>
        個人情報の取扱い<span className="required">必須</span>
      </legend>
      <details>
        <summary>
          個人情報の取扱い(第{notice.version}版、{formatDate(notice.published_at)})を読む
        </summary>
        <NoticeText body={notice.body} />
        <p className="small">
          <Link className="tap" to="/privacy" target="_blank" rel="noreferrer">
            別のページで開く
          </Link>
        </p>
      </details>
      {props.purposes ? (
        <div className="notice">
          <p className="small">
            <strong>このイベントでの追加の利用目的</strong>
          </p>
          <p className="small" style={{ whiteSpace: "pre-line" }}>
            {props.purposes}
          </p>
        </div>
      ) : null}
      <input type="hidden" name="privacy_version" value={notice.version} />
      <label className="choice">
        <input
          type="checkbox"
          name="privacy_consent"
          id="privacy_consent"
          value="on"
          defaultChecked={values.privacy_consent === "on"}
          aria-invalid={errors.privacy_consent ? true : undefined}
          aria-describedby={errors.privacy_consent ? "privacy_consent-error" : undefined}
          required
        />
        <span>
          「個人情報の取扱い」(第{notice.version}版)
          {props.purposes ? "と、このイベントでの追加の利用目的" : ""}に同意します
        </span>
      </label>
      <FieldError id="privacy_consent" message={errors.privacy_consent} />
      <label className="choice">
        <input
          type="checkbox"
          name="needs_consent"
          id="needs_consent"
          value="on"
          defaultChecked={values.needs_consent === "on"}
          aria-invalid={errors.needs_consent ? true : undefined}
          aria-describedby={errors.needs_consent ? "needs_consent-error" : undefined}
        />
        <span>
          {`記入した${needs}を、このイベントの主催者が当日の配慮のために利用することに同意します`}
          <span className="small muted" style={{ display: "block" }}>
            健康状態等に関わる情報(要配慮個人情報)のため、記入した場合のみ、別に同意をお願いしています。同意がない場合、これらの記入は登録できません。
          </span>
        </span>
      </label>
      <FieldError id="needs_consent" message={errors.needs_consent} />
    </fieldset>
  );
}

/** What a staff member confirms when registering someone else (proxy form, CSV import). */
export function StaffAttestationFields(props: { errors?: Record<string, string | undefined> }) {
  const errors = props.errors ?? {};
  return (
    <fieldset className="consent">
      <legend>本人の同意の確認</legend>
      <label className="choice">
        <input
          type="checkbox"
          id="consent_attested"
          name="consent_attested"
          value="on"
          aria-invalid={errors.consent_attested ? true : undefined}
          aria-describedby={errors.consent_attested ? "consent_attested-error" : undefined}
        />
        <span>
          本人が
          <Link to="/privacy" target="_blank" rel="noreferrer">
            「個人情報の取扱い」
          </Link>
          (最新版)とこのイベントの利用目的に同意していることを確認しました
        </span>
      </label>
      <FieldError id="consent_attested" message={errors.consent_attested} />
      <label className="choice">
        <input
          type="checkbox"
          name="needs_consent_attested"
          id="needs_consent_attested"
          value="on"
          aria-invalid={errors.needs_consent_attested ? true : undefined}
          aria-describedby={
            errors.needs_consent_attested ? "needs_consent_attested-error" : undefined
          }
        />
        <span>
          食事の配慮・配慮事項を登録する場合: その利用について本人の明示的な同意を得ています
        </span>
      </label>
      <FieldError id="needs_consent_attested" message={errors.needs_consent_attested} />
      <p className="small muted">確認した人として、あなたの名前が申込に記録されます。</p>
    </fieldset>
  );
}

/** At sign-up (the first profile form): what the site keeps, and where the notice is. */
export function SignUpNotice() {
  return (
    <p className="notice small">
      ご登録いただく氏名・所属・連絡先は、
      <Link to="/privacy" target="_blank" rel="noreferrer">
        「個人情報の取扱い」
      </Link>
      に沿って、イベントの申込と運営のために利用します。登録した情報はマイページの「わたしのデータ」でいつでも確認・ダウンロード・削除できます。
    </p>
  );
}

/** On the export page: what the list may be used for, and that the download is recorded. */
export function PurposeReminder(props: { purposes: string }) {
  return (
    <div className="notice notice--warn" role="note">
      <p>
        <strong>個人情報の利用目的の確認</strong>
      </p>
      <p className="small">
        名簿は、このイベントの申込受付・当日の運営・参加者への連絡のためにのみ使ってください(
        <Link to="/privacy">個人情報の取扱い</Link>
        )。必要な項目だけを選び、用が済んだファイルは削除してください。食事の配慮・配慮事項は要配慮個人情報のため、必要なときだけ出力してください。
      </p>
      {props.purposes ? (
        <p className="small" style={{ whiteSpace: "pre-line" }}>
          このイベントで同意を得ている追加の目的: {props.purposes}
        </p>
      ) : null}
      <p className="small">
        ダウンロードは、誰が・いつ・どの条件で・何件を取得したかが記録されます。
      </p>
    </div>
  );
}
