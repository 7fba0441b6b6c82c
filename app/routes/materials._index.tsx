import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ActionResult } from "../components/field";
import { formatBytes, MATERIAL_KIND_LABELS, VISIBILITY_LABELS } from "../components/group-meetings";
import { getUser } from "../domain/auth.server";
import {
  canManageMaterials,
  countHiddenMaterials,
  deleteMaterial,
  listVisibleMaterials,
} from "../domain/materials.server";
import { requireStaff } from "../domain/permissions.server";
import { formatDate } from "../utils/format";
import { parseForm, rowId } from "../utils/forms";
import { answer, domainAction } from "../utils/action.server";

export const meta: MetaFunction = () => [{ title: "資料 | 自治研イベント" }];

/**
 * Every material the visitor may see, by event and by 専門部会: the page that
 * replaces the one behind a shared password.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getUser(context.db, request);
  const materials = await listVisibleMaterials(context.db, { user });
  const hidden = await countHiddenMaterials(context.db, { user });
  const sections = new Map<
    string,
    { key: string; title: string; href: string; when: string; items: typeof rows }
  >();
  const rows = materials.map((m) => ({
    id: m.id,
    title: m.title,
    description: m.description,
    kind: m.kind,
    size: m.kind === "file" ? formatBytes(m.size_bytes) : "",
    visibility: VISIBILITY_LABELS[m.visibility],
    kindLabel: MATERIAL_KIND_LABELS[m.kind],
    session: m.session_title,
    canManage: Boolean(m.can_manage),
    section: m.group_id
      ? {
          key: `group-${m.group_id}`,
          title: `${m.group_name}「${m.group_theme}」`,
          href: `/groups/${m.group_id}`,
          when: "",
        }
      : {
          key: `event-${m.event_id}`,
          title: m.event_title ?? "",
          href: `/events/${m.event_slug}`,
          when: m.event_starts_at ? formatDate(m.event_starts_at) : "",
        },
  }));
  for (const row of rows) {
    const s = sections.get(row.section.key) ?? { ...row.section, items: [] };
    s.items.push(row);
    sections.set(row.section.key, s);
  }
  return {
    sections: [...sections.values()],
    hidden,
    signedIn: Boolean(user),
    membershipPending: user?.membership_status === "pending",
    canManage: canManageMaterials(user),
  };
}

const deleteSchema = z.object({
  intent: z.literal("delete"),
  material: rowId(),
});

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireStaff(request, context);
  const form = parseForm(deleteSchema, await request.formData());
  if (!form.ok)
    return answer({
      ok: false,
      code: "invalid_input",
      message: "操作を受け付けられませんでした。",
    });
  return domainAction(async () => {
    await deleteMaterial(context.db, { actor: user, materialId: form.data.material });
    return { ok: true, message: "資料を削除しました。" };
  });
}

export default function Materials() {
  const { sections, hidden, signedIn, membershipPending, canManage } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <section>
      <h1>資料</h1>
      <p>
        全体集会資料、本部発文、学習用の動画などを掲載しています。資料ごとに公開範囲(組合員・参加申込者・専門部会員など)が決まっています。
      </p>
      {canManage ? (
        <p className="actions">
          <Link className="button" to="/materials/new">
            資料を追加する
          </Link>
        </p>
      ) : null}
      <ActionResult result={result} />
      {!signedIn && hidden > 0 ? (
        <p className="notice">
          {`組合員・参加者限定の資料が${hidden}件あります。`}
          <Link to="/login?next=/materials">ログイン</Link>すると表示されます。
        </p>
      ) : null}
      {signedIn && membershipPending && hidden > 0 ? (
        <p className="notice" role="status">
          {`組合員・参加者限定の資料が${hidden}件あります。所属単組で組合員であることを確認中です。確認が済むと表示されます(メールでお知らせします)。`}
        </p>
      ) : null}
      {sections.length === 0 ? <p>表示できる資料はありません。</p> : null}
      {sections.map((s) => (
        <div key={s.key}>
          <h2>
            <Link to={s.href}>{s.title}</Link>
            {s.when ? <span className="small muted"> {s.when}</span> : null}
          </h2>
          <ul className="stack" style={{ listStyle: "none", padding: 0 }}>
            {s.items.map((m) => (
              <li key={m.id} className="card">
                <div className="badges">
                  <span className="badge">{m.kindLabel}</span>
                  <span className="badge badge--done">{m.visibility}</span>
                </div>
                <h3>
                  <a
                    href={`/materials/${m.id}`}
                    target={m.kind === "file" ? undefined : "_blank"}
                    rel="noreferrer"
                  >
                    {m.title}
                  </a>
                  {m.size ? <span className="small muted"> ({m.size})</span> : null}
                </h3>
                {m.session ? <p className="small muted">{m.session}</p> : null}
                {m.description ? <p className="small">{m.description}</p> : null}
                {m.canManage ? (
                  <Form
                    method="post"
                    onSubmit={(e) => {
                      if (!window.confirm("この資料を削除しますか?")) e.preventDefault();
                    }}
                  >
                    <input type="hidden" name="intent" value="delete" />
                    <input type="hidden" name="material" value={m.id} />
                    <button type="submit" className="button button--danger">
                      削除
                    </button>
                  </Form>
                ) : null}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
