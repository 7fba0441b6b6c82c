import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { describedBy, Field, FormError } from "../components/field";
import { VISIBILITY_LABELS } from "../components/group-meetings";
import { groupTitle } from "../utils/working-groups";
import {
  createMaterial,
  listMaterialTargets,
  MAX_UPLOAD_BYTES,
  materialSchema,
  saveUploadForm,
} from "../domain/materials.server";
import { requireGroupManager } from "../domain/working-groups/access.server";
import { formatDate } from "../utils/format";

export const meta: MetaFunction = () => [{ title: "資料の追加 | 自治研イベント" }];

/** An admin or organiser adds a file or a link to an event, a session or a group they manage. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireGroupManager(request, context);
  const url = new URL(request.url);
  return {
    targets: await listMaterialTargets(context.db, user),
    preset: url.searchParams.get("target") ?? "",
    maxMb: MAX_UPLOAD_BYTES / 1024 / 1024,
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireGroupManager(request, context);
  const failed = await saveUploadForm(request, materialSchema, (input, file) =>
    createMaterial(context.db, { actor: user, input, file }),
  );
  return failed ?? redirect("/materials");
}

export default function NewMaterial() {
  const { targets, preset, maxMb } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors: Record<string, string> = result?.errors ?? {};
  const value = (name: string, fallback = "") => {
    const v = result?.values?.[name];
    return typeof v === "string" ? v : fallback;
  };
  const sessionsOf = (eventId: number) => targets.sessions.filter((s) => s.event_id === eventId);
  return (
    <section>
      <p className="small">
        <Link className="back-link" to="/materials">
          ← 資料
        </Link>
      </p>
      <h1>資料の追加</h1>
      <Form method="post" encType="multipart/form-data" className="form" noValidate>
        <FormError errors={errors} />
        <Field id="title" label="資料名" required error={errors.title}>
          <input
            type="text"
            {...describedBy("title", errors.title)}
            name="title"
            defaultValue={value("title")}
          />
        </Field>
        <Field id="description" label="説明" error={errors.description}>
          <textarea
            {...describedBy("description", errors.description)}
            name="description"
            rows={3}
            defaultValue={value("description")}
          />
        </Field>
        <Field
          id="target"
          label="掲載先"
          required
          hint="イベント全体、イベントの企画(日程・全体集会など)、または専門部会"
          error={errors.target}
        >
          <select
            {...describedBy("target", errors.target, "hint")}
            name="target"
            defaultValue={value("target", preset)}
          >
            <option value="">選んでください</option>
            {targets.groups.length > 0 ? (
              <optgroup label="専門部会">
                {targets.groups.map((g) => (
                  <option key={g.id} value={`group:${g.id}`}>
                    {g.term} {groupTitle(g)}
                  </option>
                ))}
              </optgroup>
            ) : null}
            {targets.events.map((e) => (
              <optgroup key={e.id} label={`${e.title}(${formatDate(e.starts_at)})`}>
                <option value={`event:${e.id}`}>{e.title}(イベント全体)</option>
                {sessionsOf(e.id).map((s) => (
                  <option key={s.id} value={`session:${s.id}`}>
                    └ {s.title}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </Field>
        <fieldset>
          <legend>資料の種類</legend>
          {(
            [
              ["file", `ファイル(PDF・PowerPoint・Word・Excel・画像、${maxMb}MBまで)`],
              ["link", "リンク(ウェブページ・PDFのURL)"],
              ["video", "動画(配信ページのURL)"],
            ] as const
          ).map(([kind, label]) => (
            <label key={kind} className="choice">
              <input
                type="radio"
                name="kind"
                value={kind}
                defaultChecked={value("kind", "file") === kind}
              />
              <span>{label}</span>
            </label>
          ))}
          {errors.kind ? <p className="error">{errors.kind}</p> : null}
        </fieldset>
        <Field
          id="url"
          label="URL(リンク・動画の場合)"
          hint="https:// で始まるURL"
          error={errors.url}
        >
          <input
            {...describedBy("url", errors.url, "hint")}
            type="url"
            name="url"
            inputMode="url"
            defaultValue={value("url")}
          />
        </Field>
        <fieldset>
          <legend>公開範囲</legend>
          {(Object.keys(VISIBILITY_LABELS) as (keyof typeof VISIBILITY_LABELS)[]).map((v) => (
            <label key={v} className="choice">
              <input
                type="radio"
                name="visibility"
                value={v}
                defaultChecked={value("visibility", "members") === v}
              />
              <span>{VISIBILITY_LABELS[v]}</span>
            </label>
          ))}
          {errors.visibility ? <p className="error">{errors.visibility}</p> : null}
        </fieldset>
        <Field
          id="file"
          label="ファイル(ファイルの場合)"
          hint={`PDF・.pptx・.docx・.xlsx・PNG・JPEG、${maxMb}MBまで`}
          error={errors.file}
        >
          <input
            {...describedBy("file", errors.file, "hint")}
            type="file"
            name="file"
            accept=".pdf,.pptx,.docx,.xlsx,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"
          />
        </Field>
        <button type="submit" className="button button--large">
          資料を追加する
        </button>
      </Form>
    </section>
  );
}
