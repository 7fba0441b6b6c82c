import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ActionResult, describedBy, Field, FormError } from "../components/field";
import {
  addMailDomain,
  addToRoster,
  decideMembership,
  getManagedUnion,
  listMailDomains,
  listPendingMembers,
  listRoster,
  mailDomainSchema,
  parseRosterCsv,
  ROSTER_CSV_TEMPLATE,
  removeFromRoster,
  removeMailDomain,
  rosterEntrySchema,
} from "../domain/membership.server";
import { requireStaff } from "../domain/permissions.server";
import {
  listSecretaries,
  setUnionRetired,
  unionSchema,
  updateUnion,
} from "../domain/unions.server";
import {
  type ActionResponse,
  answer,
  domainErrorAnswer,
  invalidFormAnswer,
  notFound,
} from "../utils/action.server";
import { readBodyWithin } from "../utils/body.server";
import { formatDate, formatDateTime } from "../utils/format";
import { parseForm } from "../utils/forms";
import { scrollRegion } from "../utils/scroll-region";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.union.name} | 単組 | イベント管理` : "単組 | イベント管理" },
];

const MAX_ROSTER_BYTES = 2 * 1024 * 1024;

async function load(request: Request, context: Parameters<typeof requireStaff>[1], id: unknown) {
  const user = await requireStaff(request, context);
  const union = await getManagedUnion(context.db, { user, unionId: id });
  if (!union) notFound();
  return { user, union };
}

/**
 * One 単組: the people waiting for confirmation, its roster and mail domains,
 * and (for an administrator) its name, code and retirement. Its secretaries
 * see their own union here; other staff get a 404.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { user, union } = await load(request, context, params.id);
  return {
    union,
    isAdmin: user.role === "admin",
    pending: await listPendingMembers(context.db, union.id),
    roster: await listRoster(context.db, union.id),
    domains: await listMailDomains(context.db, union.id),
    secretaries: await listSecretaries(context.db, union.id),
    template: ROSTER_CSV_TEMPLATE,
  };
}

const decideSchema = z.object({
  person: z.string().regex(/^\d{1,18}$/),
  decision: z.enum(["confirm", "decline"]),
});
const removeEmailSchema = z.object({ email: z.string().trim().min(1).max(254) });
const retireSchema = z.object({ retired: z.enum(["yes", "no"]) });

const RELOAD = "操作を受け付けられませんでした。画面を再読み込みしてください。";

export async function action({
  request,
  params,
  context,
}: ActionFunctionArgs): Promise<ActionResponse> {
  const { user, union } = await load(request, context, params.id);
  const body = await readBodyWithin(request, MAX_ROSTER_BYTES + 64 * 1024);
  if (!body) {
    return answer(
      {
        ok: false,
        intent: "roster-upload",
        message: "ファイルが大きすぎます。2MB以下に分けて取り込んでください。",
      },
      413,
    );
  }
  const formData = await body.formData();
  const intent = String(formData.get("intent") ?? "");
  const by = user;
  const unionId = union.id;
  try {
    switch (intent) {
      case "decide": {
        const form = parseForm(decideSchema, formData);
        if (!form.ok) return answer({ ok: false, intent, message: RELOAD });
        await decideMembership(context.db, {
          by,
          unionId,
          personId: form.data.person,
          decision: form.data.decision,
          appUrl: context.appUrl,
        });
        return answer({
          ok: true,
          intent,
          message:
            form.data.decision === "confirm"
              ? "組合員として確認しました。本人にメールでお知らせします。"
              : "確認できないとしました。本人にメールでお知らせします。",
        });
      }
      case "roster-add": {
        const form = parseForm(rosterEntrySchema, formData);
        if (!form.ok) return invalidFormAnswer(form, intent);
        const { confirmed } = await addToRoster(context.db, {
          by,
          unionId,
          entries: [form.data],
          appUrl: context.appUrl,
        });
        return answer({
          ok: true,
          intent,
          message: `名簿に追加しました。${confirmed > 0 ? `確認待ちの${confirmed}名を確認済みにしました。` : ""}`,
        });
      }
      case "roster-upload": {
        const file = formData.get("file");
        if (!(file instanceof File) || file.size === 0) {
          return answer({
            ok: false,
            intent,
            message: "名簿のCSVファイルを選択してください。",
            errors: { file: "名簿のCSVファイルを選択してください。" },
          });
        }
        const parsed = parseRosterCsv(new Uint8Array(await file.arrayBuffer()));
        if (!parsed.ok) {
          return answer({
            ok: false,
            intent,
            message: `名簿を取り込めませんでした。何も登録していません。\n${parsed.errors.slice(0, 20).join("\n")}`,
            errors: { file: parsed.errors[0] ?? "" },
          });
        }
        const { added, confirmed } = await addToRoster(context.db, {
          by,
          unionId,
          entries: parsed.entries,
          appUrl: context.appUrl,
        });
        return answer({
          ok: true,
          intent,
          message: `名簿を取り込みました(${parsed.entries.length}行、うち新規${added}件)。${confirmed > 0 ? `確認待ちの${confirmed}名を確認済みにしました。` : ""}`,
        });
      }
      case "roster-remove": {
        const form = parseForm(removeEmailSchema, formData);
        if (!form.ok) return answer({ ok: false, intent, message: RELOAD });
        await removeFromRoster(context.db, { by, unionId, email: form.data.email });
        return answer({
          ok: true,
          intent,
          message: "名簿から外しました。確認済みの組合員はそのままです。",
        });
      }
      case "domain-add": {
        const form = parseForm(mailDomainSchema, formData);
        if (!form.ok) return invalidFormAnswer(form, intent);
        const { confirmed } = await addMailDomain(context.db, {
          by,
          unionId,
          domain: form.data.domain,
          appUrl: context.appUrl,
        });
        return answer({
          ok: true,
          intent,
          message: `ドメイン「${form.data.domain}」を追加しました。${confirmed > 0 ? `確認待ちの${confirmed}名を確認済みにしました。` : ""}`,
        });
      }
      case "domain-remove": {
        const form = parseForm(z.object({ domain: z.string().trim().min(1).max(253) }), formData);
        if (!form.ok) return answer({ ok: false, intent, message: RELOAD });
        await removeMailDomain(context.db, { by, unionId, domain: form.data.domain });
        return answer({ ok: true, intent, message: "ドメインを外しました。" });
      }
      case "update": {
        const form = parseForm(unionSchema, formData);
        if (!form.ok) return invalidFormAnswer(form, intent);
        await updateUnion(context.db, { by, unionId, input: form.data });
        return answer({ ok: true, intent, message: "単組の名称・コードを保存しました。" });
      }
      case "retire": {
        const form = parseForm(retireSchema, formData);
        if (!form.ok) return answer({ ok: false, intent, message: RELOAD });
        await setUnionRetired(context.db, { by, unionId, retired: form.data.retired === "yes" });
        return answer({
          ok: true,
          intent,
          message:
            form.data.retired === "yes"
              ? "廃止にしました。新しい登録では選べなくなります。"
              : "廃止を取り消しました。",
        });
      }
      default:
        return answer({ ok: false, message: RELOAD });
    }
  } catch (error) {
    return domainErrorAnswer(error, {
      intent,
      values: Object.fromEntries(
        [...formData].filter(([, v]) => typeof v === "string").map(([k, v]) => [k, String(v)]),
      ),
    });
  }
}

const STATUS_LABELS = {
  confirmed: "確認済み",
  pending: "確認待ち",
  declined: "確認できず",
  none: "未登録",
} as const;

export default function UnionPage() {
  const { union, isAdmin, pending, roster, domains, secretaries, template } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const answer = (intent: string) => (result?.intent === intent ? result : undefined);
  const errorsOf = (intent: string) =>
    answer(intent)?.ok === false ? (answer(intent)?.errors ?? {}) : {};
  const typedValue = (intent: string, name: string) => {
    const values = answer(intent)?.ok === false ? answer(intent)?.values : undefined;
    const value = values?.[name];
    return typeof value === "string" ? value : undefined;
  };
  const status = (intent: string | string[]) => {
    const r = [intent].flat().includes(result?.intent ?? "") ? result : undefined;
    return r?.message ? <ActionResult result={{ ok: r.ok, message: r.message }} /> : null;
  };
  return (
    <section>
      {isAdmin ? (
        <p className="small">
          <Link className="back-link" to="/admin/unions">
            ← 単組の一覧
          </Link>
        </p>
      ) : null}
      <h1>
        {union.name}
        {union.retired_at ? <span className="badge badge--done">廃止</span> : null}
      </h1>
      <p className="muted small">
        書記長:{" "}
        {secretaries.length > 0
          ? secretaries.map((s) => `${s.family_name} ${s.given_name}`).join("、")
          : "未設定"}
        {isAdmin ? "(スタッフ管理で設定します)" : null}
      </p>
      {result && !result.intent ? (
        <ActionResult result={{ ok: result.ok, message: result.message ?? "" }} />
      ) : null}

      <h2>組合員の確認待ち({pending.length}名)</h2>
      <p className="muted small">
        プロフィールでこの単組を選んだ方のうち、名簿にもメールドメインにも当てはまらない方です。確認すると組合員限定のイベントに申し込めるようになります。どちらの場合も本人にメールでお知らせします。
      </p>
      {status("decide")}
      {pending.length === 0 ? (
        <p>確認待ちの方はいません。</p>
      ) : (
        <div {...scrollRegion("確認待ちの一覧")}>
          <table className="list">
            <caption className="visually-hidden">確認待ちの一覧</caption>
            <thead>
              <tr>
                <th scope="col">氏名</th>
                <th scope="col">職場</th>
                <th scope="col">メールアドレス</th>
                <th scope="col">登録日</th>
                <th scope="col">
                  <span className="visually-hidden">操作</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {pending.map((p) => (
                <tr key={p.id}>
                  <td>
                    {`${p.family_name} ${p.given_name}`}
                    <br />
                    <span className="small muted">
                      {`${p.family_name_kana} ${p.given_name_kana}`}
                    </span>
                  </td>
                  <td>{p.workplace}</td>
                  <td>{p.email}</td>
                  <td className="nowrap">{formatDate(p.updated_at)}</td>
                  <td>
                    <Form method="post" className="actions">
                      <input type="hidden" name="intent" value="decide" />
                      <input type="hidden" name="person" value={p.id} />
                      <button type="submit" name="decision" value="confirm" className="button">
                        確認する
                        <span className="visually-hidden">
                          ({`${p.family_name} ${p.given_name}`})
                        </span>
                      </button>
                      <button
                        type="submit"
                        name="decision"
                        value="decline"
                        className="button button--secondary"
                      >
                        確認できない
                        <span className="visually-hidden">
                          ({`${p.family_name} ${p.given_name}`})
                        </span>
                      </button>
                    </Form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2>組合員名簿({roster.length}件)</h2>
      <p className="muted small">
        名簿のメールアドレスでこの単組を選んだ方は、すぐに確認済みになります。名簿から外しても、確認済みの方はそのままです。
      </p>
      {status(["roster-add", "roster-upload", "roster-remove"])}
      <Form method="post" encType="multipart/form-data" className="form" noValidate>
        <input type="hidden" name="intent" value="roster-upload" />
        <Field
          id="file"
          label="名簿のCSVファイル"
          required
          error={errorsOf("roster-upload").file}
          hint={`1行目に見出し(${template.trim()})、2行目から1人1行。UTF-8・Shift_JISのどちらでも読み込めます。すべての行に誤りがない場合だけ取り込みます。`}
        >
          <input
            {...describedBy("file", errorsOf("roster-upload").file, "hint")}
            type="file"
            name="file"
            accept=".csv,text/csv"
            required
          />
        </Field>
        <button type="submit" className="button">
          名簿を取り込む
        </button>
      </Form>
      <Form method="post" className="form" noValidate>
        <input type="hidden" name="intent" value="roster-add" />
        <div className="row-2">
          <Field id="roster-name" label="氏名" error={errorsOf("roster-add").name}>
            <input
              {...describedBy("roster-name", errorsOf("roster-add").name)}
              type="text"
              name="name"
              defaultValue={typedValue("roster-add", "name")}
            />
          </Field>
          <Field
            id="roster-email"
            label="メールアドレス"
            required
            error={errorsOf("roster-add").email}
          >
            <input
              {...describedBy("roster-email", errorsOf("roster-add").email)}
              type="email"
              name="email"
              autoComplete="off"
              defaultValue={typedValue("roster-add", "email")}
              required
            />
          </Field>
        </div>
        <button type="submit" className="button button--secondary">
          1件追加する
        </button>
      </Form>
      {roster.length > 0 ? (
        <div {...scrollRegion("組合員名簿")}>
          <table className="list">
            <caption className="visually-hidden">組合員名簿</caption>
            <thead>
              <tr>
                <th scope="col">氏名</th>
                <th scope="col">メールアドレス</th>
                <th scope="col">登録の状況</th>
                <th scope="col">
                  <span className="visually-hidden">操作</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {roster.map((r) => (
                <tr key={r.email}>
                  <td>{r.name || "—"}</td>
                  <td>{r.email}</td>
                  <td>
                    {r.membership_status && r.organisation_id === union.id
                      ? STATUS_LABELS[r.membership_status]
                      : r.membership_status
                        ? "他の単組で登録"
                        : "未登録"}
                  </td>
                  <td>
                    <Form method="post">
                      <input type="hidden" name="intent" value="roster-remove" />
                      <input type="hidden" name="email" value={r.email} />
                      <button type="submit" className="button button--secondary">
                        外す<span className="visually-hidden">({r.email})</span>
                      </button>
                    </Form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}

      <h2>メールドメイン</h2>
      <p className="muted small">
        このドメインのメールアドレスでこの単組を選んだ方は、すぐに確認済みになります(例:
        市役所のドメイン)。{isAdmin ? "" : "追加・削除は管理者が行います。"}
      </p>
      {status(["domain-add", "domain-remove"])}
      {domains.length === 0 ? <p>登録されたドメインはありません。</p> : null}
      <ul>
        {domains.map((d) => (
          <li key={d.domain}>
            <code>@{d.domain}</code>{" "}
            <span className="small muted">({formatDateTime(d.added_at)} 追加)</span>
            {isAdmin ? (
              <Form method="post" style={{ display: "inline" }}>
                <input type="hidden" name="intent" value="domain-remove" />
                <input type="hidden" name="domain" value={d.domain} />
                <button type="submit" className="button button--secondary">
                  外す<span className="visually-hidden">(@{d.domain})</span>
                </button>
              </Form>
            ) : null}
          </li>
        ))}
      </ul>
      {isAdmin ? (
        <Form method="post" className="form" noValidate>
          <input type="hidden" name="intent" value="domain-add" />
          <Field
            id="domain"
            label="ドメイン"
            required
            error={errorsOf("domain-add").domain}
            hint="@より後ろの部分(例: city.date.fukushima.jp)。フリーメールは登録できません"
          >
            <input
              type="text"
              {...describedBy("domain", errorsOf("domain-add").domain, "hint")}
              name="domain"
              autoCapitalize="off"
              defaultValue={typedValue("domain-add", "domain")}
              required
            />
          </Field>
          <button type="submit" className="button button--secondary">
            ドメインを追加する
          </button>
        </Form>
      ) : null}

      {isAdmin ? (
        <>
          <h2>名称・コード</h2>
          {status(["update", "retire"])}
          <Form method="post" className="form" noValidate>
            <input type="hidden" name="intent" value="update" />
            <FormError
              message={answer("update")?.ok === false ? answer("update")?.message : undefined}
              errors={errorsOf("update")}
            />
            <Field id="name" label="単組名" required error={errorsOf("update").name}>
              <input
                type="text"
                {...describedBy("name", errorsOf("update").name)}
                name="name"
                defaultValue={typedValue("update", "name") ?? union.name}
                required
              />
            </Field>
            <Field
              id="name_kana"
              label="単組名のフリガナ"
              required
              error={errorsOf("update").name_kana}
            >
              <input
                type="text"
                {...describedBy("name_kana", errorsOf("update").name_kana)}
                name="name_kana"
                defaultValue={typedValue("update", "name_kana") ?? union.name_kana}
                required
              />
            </Field>
            <Field id="code" label="コード" required error={errorsOf("update").code}>
              <input
                type="text"
                {...describedBy("code", errorsOf("update").code)}
                name="code"
                autoCapitalize="off"
                defaultValue={typedValue("update", "code") ?? union.code}
                required
              />
            </Field>
            <button type="submit" className="button">
              保存する
            </button>
          </Form>
          <Form method="post">
            <input type="hidden" name="intent" value="retire" />
            {union.retired_at ? (
              <button type="submit" name="retired" value="no" className="button button--secondary">
                廃止を取り消す
              </button>
            ) : (
              <>
                <p className="small muted">
                  廃止しても、組合員・申込・履歴は残ります。プロフィールの所属単組には表示されなくなります。
                </p>
                <button
                  type="submit"
                  name="retired"
                  value="yes"
                  className="button button--secondary"
                >
                  この単組を廃止する
                </button>
              </>
            )}
          </Form>
        </>
      ) : null}
    </section>
  );
}
