import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ActionResult, describedBy, Field, FormError } from "../components/field";
import { requireAdmin } from "../domain/permissions.server";
import { createUnion, listUnionsForAdmin, unionSchema } from "../domain/unions.server";
import {
  type ActionResponse,
  answer,
  domainErrorAnswer,
  invalidFormAnswer,
} from "../utils/action.server";
import { parseForm } from "../utils/forms";
import { scrollRegion } from "../utils/scroll-region";

export const meta: MetaFunction = () => [{ title: "単組 | イベント管理" }];

/** The administrator's list of 単組: members confirmed and waiting, secretaries; add a union. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireAdmin(request, context);
  return { unions: await listUnionsForAdmin(context.db) };
}

export async function action({ request, context }: ActionFunctionArgs): Promise<ActionResponse> {
  const user = await requireAdmin(request, context);
  const form = parseForm(unionSchema, await request.formData());
  if (!form.ok) return invalidFormAnswer(form);
  try {
    await createUnion(context.db, { by: user, input: form.data });
    return answer({ ok: true, message: `「${form.data.name}」を追加しました。` });
  } catch (error) {
    return domainErrorAnswer(error, { values: form.values });
  }
}

export default function Unions() {
  const { unions } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.ok === false ? (result.errors ?? {}) : {};
  const values = result?.ok === false ? (result.values ?? {}) : {};
  const v = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : "");
  return (
    <section>
      <h1>単組</h1>
      <p className="muted small">
        組合員はプロフィールで所属単組を選び、単組の確認(名簿・メールドメイン・書記長の承認)を受けてから組合員限定のイベントに申し込めます。書記長はスタッフ管理で単組書記長の役割と単組を設定します。
      </p>
      <div {...scrollRegion("単組の一覧")}>
        <table className="list">
          <caption className="visually-hidden">単組の一覧</caption>
          <thead>
            <tr>
              <th scope="col">単組</th>
              <th scope="col">コード</th>
              <th scope="col">確認済みの組合員</th>
              <th scope="col">確認待ち</th>
              <th scope="col">書記長</th>
            </tr>
          </thead>
          <tbody>
            {unions.map((u) => (
              <tr key={u.id}>
                <td>
                  <Link to={`/admin/unions/${u.id}`}>{u.name}</Link>
                  {u.retired_at ? <span className="badge badge--done">廃止</span> : null}
                </td>
                <td>{u.code}</td>
                <td>{u.confirmed ?? 0}名</td>
                <td>{u.pending ? <strong>{u.pending}名</strong> : "0名"}</td>
                <td>{u.secretaries || "未設定"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>単組を追加する</h2>
      {result?.ok ? <ActionResult result={{ ok: true, message: result.message ?? "" }} /> : null}
      <Form method="post" className="form" noValidate>
        <FormError message={result?.ok === false ? result.message : undefined} errors={errors} />
        <Field id="name" label="単組名" required error={errors.name}>
          <input
            type="text"
            {...describedBy("name", errors.name)}
            name="name"
            defaultValue={v("name")}
            required
          />
        </Field>
        <Field
          id="name_kana"
          label="単組名のフリガナ"
          required
          error={errors.name_kana}
          hint="カタカナ。五十音順の並びに使います"
        >
          <input
            type="text"
            {...describedBy("name_kana", errors.name_kana, "hint")}
            name="name_kana"
            defaultValue={v("name_kana")}
            required
          />
        </Field>
        <Field
          id="code"
          label="コード"
          required
          error={errors.code}
          hint="半角英小文字・数字・ハイフン(例: date-shi)"
        >
          <input
            type="text"
            {...describedBy("code", errors.code, "hint")}
            name="code"
            autoCapitalize="off"
            defaultValue={v("code")}
            required
          />
        </Field>
        <button type="submit" className="button">
          追加する
        </button>
      </Form>
    </section>
  );
}
