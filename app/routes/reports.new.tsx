import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { describedBy, Field, FormError } from "../components/field";
import { requireMember } from "../domain/auth.server";
import { MAX_UPLOAD_BYTES, saveUploadForm } from "../domain/materials.server";
import { listUnions } from "../domain/people.server";
import {
  listReportEvents,
  reportSchema,
  reportUnionOf,
  submitReport,
} from "../domain/reports.server";
import { formatDate } from "../utils/format";

export const meta: MetaFunction = () => [{ title: "レポートの提出 | 自治研イベント" }];

/** A member (or a union's secretary) submits a 自治研レポート for a convention. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireMember(request, context);
  const own = reportUnionOf(user);
  const unions = await listUnions(context.db);
  return {
    events: await listReportEvents(context.db),
    unions: own === null ? unions : unions.filter((u) => u.id === own),
    defaultUnion: user.organisation_id,
    defaultAuthor: `${user.family_name} ${user.given_name}`.trim(),
    preset: new URL(request.url).searchParams.get("event") ?? "",
    maxMb: MAX_UPLOAD_BYTES / 1024 / 1024,
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireMember(request, context);
  const failed = await saveUploadForm(request, reportSchema, (input, file) =>
    submitReport(context.db, { personId: user.id, unionId: reportUnionOf(user), input, file }),
  );
  return failed ?? redirect("/reports?submitted=1");
}

export default function NewReport() {
  const { events, unions, defaultUnion, defaultAuthor, preset, maxMb } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors: Record<string, string> = result?.errors ?? {};
  const value = (name: string, fallback = "") => {
    const v = result?.values?.[name];
    return typeof v === "string" ? v : fallback;
  };
  const presetEvent = events.find((e) => e.slug === preset || String(e.id) === preset);
  if (events.length === 0) {
    return (
      <section>
        <h1>レポートの提出</h1>
        <p>現在、レポートを受け付けているイベントはありません。</p>
        <p>
          <Link to="/reports">自治研レポートの一覧へ</Link>
        </p>
      </section>
    );
  }
  return (
    <section>
      <p className="small">
        <Link className="back-link" to="/reports">
          ← 自治研レポート
        </Link>
      </p>
      <h1>レポートの提出</h1>
      <Form method="post" encType="multipart/form-data" className="form" noValidate>
        <FormError errors={errors} />
        <Field id="event" label="提出先" required error={errors.event}>
          <select
            {...describedBy("event", errors.event)}
            name="event"
            defaultValue={value(
              "event",
              presetEvent ? String(presetEvent.id) : String(events[0]?.id ?? ""),
            )}
          >
            {events.map((e) => (
              <option key={e.id} value={e.id}>
                {e.title}({formatDate(e.starts_at)})
              </option>
            ))}
          </select>
        </Field>
        <Field id="title" label="レポートの題名" required error={errors.title}>
          <input
            type="text"
            {...describedBy("title", errors.title)}
            name="title"
            defaultValue={value("title")}
          />
        </Field>
        <Field
          id="authors"
          label="執筆者"
          required
          hint="複数の場合は「、」で区切ってください。専門部会・単組名でもかまいません。"
          error={errors.authors}
        >
          <input
            type="text"
            {...describedBy("authors", errors.authors, "hint")}
            name="authors"
            defaultValue={value("authors", defaultAuthor)}
          />
        </Field>
        <Field id="organisation_id" label="所属単組" required error={errors.organisation_id}>
          <select
            {...describedBy("organisation_id", errors.organisation_id)}
            name="organisation_id"
            defaultValue={value("organisation_id", defaultUnion ? String(defaultUnion) : "")}
          >
            <option value="">選んでください</option>
            {unions.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </Field>
        <Field
          id="course"
          label="発表を希望する分科会"
          hint="最終的な分科会は主催者が決めます。"
          error={errors.course}
        >
          <select
            {...describedBy("course", errors.course, "hint")}
            name="course"
            defaultValue={value("course")}
          >
            <option value="">希望なし・わからない</option>
            {events.map((e) =>
              e.courses.length > 0 ? (
                <optgroup key={e.id} label={e.title}>
                  {e.courses.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.code} {c.title}
                    </option>
                  ))}
                </optgroup>
              ) : null,
            )}
          </select>
        </Field>
        <label className="choice">
          <input
            type="checkbox"
            name="file_public"
            defaultChecked={value("file_public") === "on"}
          />
          <span>
            採択された場合、レポート本文を組合員以外の方にも公開することに同意します(同意しない場合、本文は組合員のみが閲覧できます)。
          </span>
        </label>
        <Field
          id="file"
          label="レポートのファイル"
          required
          hint={`PDF・Word(.docx)・PowerPoint(.pptx)・Excel(.xlsx)、${maxMb}MBまで`}
          error={errors.file}
        >
          <input
            {...describedBy("file", errors.file, "hint")}
            type="file"
            name="file"
            accept=".pdf,.docx,.pptx,.xlsx,application/pdf"
          />
        </Field>
        <button type="submit" className="button button--large">
          提出する
        </button>
      </Form>
    </section>
  );
}
