import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { Fragment } from "react";
import { FormError } from "../components/field";
import { requireUser, sessionCookie } from "../domain/auth.server";
import { deleteAccount, deleteAccountSchema } from "../domain/account-deletion.server";
import { collectMyData } from "../domain/privacy.server";
import { formatDate, formatDateTime } from "../utils/format";
import { parseForm } from "../utils/forms";
import { REGISTRATION_STATUS_LABELS } from "../utils/labels";
import { RSVP_LABELS } from "../utils/working-groups";
import { type ActionResult, answer, invalidForm } from "../utils/action.server";
import { formErrors } from "../utils/action-result";

export const meta: MetaFunction = () => [{ title: "わたしのデータ | 自治研イベント" }];

/** Everything the site holds about the signed-in person, and the deletion of their account. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return { data: await collectMyData(context.db, user.id), isMember: user.role === "member" };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const form = parseForm(deleteAccountSchema, await request.formData());
  if (!form.ok) return invalidForm(form);
  if (user.role !== "member") {
    return answer(
      {
        ok: false,
        code: "forbidden",
        message: "スタッフのアカウントは、ここでは削除できません。管理者に依頼してください。",
      },
      403,
    );
  }
  await deleteAccount(context.db, { personId: user.id, appUrl: context.appUrl });
  return redirect("/me/data/deleted", {
    headers: { "Set-Cookie": await sessionCookie.serialize("", { maxAge: 0 }) },
  });
}

const SIGN_IN_LABELS: Record<string, string> = {
  link: "ログインリンク",
  password: "パスワード",
  session: "ログイン",
};
function Rows(props: { rows: [string, string][] }) {
  return (
    <dl className="facts" style={{ gridTemplateColumns: "minmax(5em, 35%) 1fr" }}>
      {props.rows.map(([k, v]) => (
        <Fragment key={k}>
          <dt>{k}</dt>
          <dd style={{ overflowWrap: "anywhere" }}>{v || "—"}</dd>
        </Fragment>
      ))}
    </dl>
  );
}

export default function MyData() {
  const { data, isMember } = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  const errors = formErrors(result);
  const p = data.profile;
  return (
    <section>
      <p className="small">
        <Link className="back-link" to="/me">
          ← マイページ
        </Link>
      </p>
      <h1>わたしのデータ</h1>
      <p>
        このサイトがあなたについて保有している情報のすべてです(
        <Link to="/privacy">個人情報の取扱い</Link>)。
      </p>
      <p className="actions">
        <a className="button" href="/me/data.json" download>
          JSONでダウンロード
        </a>
        <a className="button button--secondary" href="/me/data.csv" download>
          CSVでダウンロード
        </a>
      </p>

      <h2>プロフィール</h2>
      <Rows
        rows={[
          ["メールアドレス", p.email],
          ["氏名", `${p.family_name} ${p.given_name}`.trim()],
          ["フリガナ", `${p.family_name_kana} ${p.given_name_kana}`.trim()],
          ["所属単組", p.union_name ?? ""],
          ["職場", p.workplace],
          ["電話番号", p.phone],
          ["生年月日", p.birth_date ?? ""],
          ["組合員の確認", p.membership_label],
          ["登録日時", formatDateTime(p.created_at)],
        ]}
      />

      <h2>申込({data.registrations.length}件)</h2>
      {data.registrations.length === 0 ? <p className="muted">ありません。</p> : null}
      {data.registrations.map((r) => (
        <article key={r.id} className="card">
          <h3>{r.event}</h3>
          <Rows
            rows={[
              ["開催", formatDate(r.startsAt)],
              ["状態", REGISTRATION_STATUS_LABELS[r.status]],
              ["コース・分科会", r.course ?? ""],
              ...r.answers.map((a): [string, string] => [a.question, a.answer]),
              ["食事の配慮", r.dietaryNeeds],
              ["配慮が必要なこと", r.accessibilityNeeds],
              ["受付番号", r.ticketCode],
              ["申込日時", formatDateTime(r.registeredAt)],
              ...(r.personalDataRemovedAt
                ? [
                    ["回答・配慮事項の削除", formatDateTime(r.personalDataRemovedAt)] as [
                      string,
                      string,
                    ],
                  ]
                : []),
            ]}
          />
        </article>
      ))}

      <h2>同意</h2>
      {data.consents.length === 0 ? <p className="muted">ありません。</p> : null}
      <ul>
        {data.consents.map((c) => (
          <li key={`${c.event}-${String(c.consentedAt)}`}>
            {c.event}: 個人情報の取扱い(第{c.noticeVersion}版)に{" "}
            {c.consentedAt ? formatDateTime(c.consentedAt) : ""} 同意
            {c.needsConsentedAt
              ? `/配慮事項の利用に ${formatDateTime(c.needsConsentedAt)} 同意`
              : ""}
          </li>
        ))}
      </ul>

      <h2>受付(チェックイン)</h2>
      {data.checkins.length === 0 ? <p className="muted">ありません。</p> : null}
      <ul>
        {data.checkins.map((c) => (
          <li key={`${c.event_title}-${c.list}-${String(c.checked_in_at)}`}>
            {c.event_title}({c.list}): {formatDateTime(c.checked_in_at)}
          </li>
        ))}
      </ul>

      <h2>専門部会</h2>
      {data.groups.length +
        data.rsvps.length +
        data.attendance.length +
        data.applications.length ===
      0 ? (
        <p className="muted">ありません。</p>
      ) : null}
      <ul>
        {data.groups.map((g) => (
          <li key={`g-${g.name}`}>
            {g.name}({g.role === "leader" ? "部会長" : "部会員"}、{formatDate(g.joined_at)}から)
          </li>
        ))}
        {data.rsvps.map((r) => (
          <li key={`r-${r.title}-${String(r.starts_at)}`}>
            出欠回答: {r.title}({formatDate(r.starts_at)}) {RSVP_LABELS[r.answer] ?? r.answer}
          </li>
        ))}
        {data.attendance.map((a) => (
          <li key={`a-${a.title}-${String(a.starts_at)}`}>
            出席記録: {a.title}({formatDate(a.starts_at)}) {a.attended ? "出席" : "欠席"}
          </li>
        ))}
        {data.applications.map((a) => (
          <li key={`ap-${a.title}`}>
            応募: {a.title} {a.motivation ? `(応募理由: ${a.motivation})` : ""}
          </li>
        ))}
      </ul>

      {data.rosters.length > 0 ? (
        <>
          <h2>単組の名簿</h2>
          <ul>
            {data.rosters.map((r) => (
              <li key={r.union_name}>
                {r.union_name}の名簿に登録されています({r.name || "氏名なし"}、
                {formatDate(r.added_at)})
              </li>
            ))}
          </ul>
        </>
      ) : null}

      <h2>レポート</h2>
      {data.reports.length === 0 ? <p className="muted">ありません。</p> : null}
      <ul>
        {data.reports.map((r) => (
          <li key={`${r.title}-${String(r.created_at)}`}>
            {r.event_title}: {r.title}({r.authors})
          </li>
        ))}
      </ul>

      <h2>ログインの記録</h2>
      {data.signIns.length === 0 ? <p className="muted">ありません。</p> : null}
      <ul>
        {data.signIns.slice(0, 50).map((s) => (
          <li key={`${String(s.at)}-${s.method}`}>
            {formatDateTime(s.at)}({SIGN_IN_LABELS[s.method] ?? s.method})
          </li>
        ))}
      </ul>
      {data.signIns.length > 50 ? (
        <p className="small muted">ほかは、ダウンロードしたファイルでご確認ください。</p>
      ) : null}

      {isMember ? (
        <section className="danger-zone" aria-labelledby="delete-heading">
          <h2 id="delete-heading">アカウントの削除</h2>
          <div className="notice notice--error">
            <p>
              <strong>削除すると、元に戻せません。</strong>
            </p>
            <ul>
              <li>今後開催のイベントの申込はすべてキャンセルされ、席は次の方に回ります。</li>
              <li>
                過去の申込からは、氏名・連絡先・回答・配慮事項を削除します(参加人数の統計としてのみ残ります)。
              </li>
              <li>
                専門部会の名簿・出欠回答、ログインの記録も削除し、すべての端末からログアウトします。
              </li>
              <li>削除の確認メールを、登録のメールアドレスに送ります。</li>
            </ul>
            <p>必要なら、先に上のボタンでデータをダウンロードしてください。</p>
          </div>
          <Form method="post" className="form" noValidate>
            <FormError message={errors._form ?? errors.confirm} />
            <label className="choice">
              <input type="checkbox" name="confirm" value="on" required />
              <span>削除すると取り消せないことを理解しました</span>
            </label>
            <button type="submit" className="button button--danger">
              アカウントを削除する
            </button>
          </Form>
        </section>
      ) : null}
    </section>
  );
}
