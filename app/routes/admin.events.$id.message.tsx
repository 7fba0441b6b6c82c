import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { describedBy, Field, FormError } from "../components/field";
import { attendeeFilterOptions } from "../domain/attendees.server";
import { messageAttendees, messageSchema } from "../domain/event-admin.server";
import { requireEventAccess } from "../domain/permissions.server";
import { parseForm } from "../utils/forms";
import { eventTabMeta } from "../utils/meta";

export const meta = eventTabMeta("申込者へのメール");
import { type ActionResult, actionOk, invalidForm } from "../utils/action.server";
import { formErrors, formValuesOf } from "../utils/action-result";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const access = await requireEventAccess(request, context, {
    eventId: params.id,
    permission: "attendees",
  });
  return { courses: (await attendeeFilterOptions(context.db, access.eventId)).courses };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireEventAccess(request, context, {
    eventId: params.id,
    permission: "attendees",
  });
  const form = parseForm(messageSchema, await request.formData());
  if (!form.ok) return invalidForm(form);
  const sent = await messageAttendees(context.db, {
    eventId: access.eventId,
    actorId: access.user.id,
    unionId: access.unionId,
    input: form.data,
    appUrl: context.appUrl,
  });
  return actionOk(`${sent}名に送信します(順次配信)。`);
}

/** Email the attendees, all or a filtered group; the day-before reminder goes by itself. */
export default function Message() {
  const { courses } = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  const errors = formErrors(result);
  const values = formValuesOf(result);
  const v = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : "");
  return (
    <section>
      <h2>申込者へのメール</h2>
      <p className="muted small">前日のリマインドメールは、確定した申込者に自動で送られます。</p>
      {result?.ok ? (
        <p className="notice notice--ok" role="status">
          {result.message}
        </p>
      ) : null}
      <Form method="post" className="form" noValidate>
        <FormError errors={errors} />
        <div className="row-2">
          <Field id="status" label="送信先" error={errors.status}>
            <select
              {...describedBy("status", errors.status)}
              name="status"
              defaultValue={v("status") || "confirmed"}
            >
              <option value="confirmed">確定した申込者</option>
              <option value="waitlisted">キャンセル待ちの方</option>
              <option value="all">全員(キャンセルを除く)</option>
            </select>
          </Field>
          {courses.length > 0 ? (
            <Field id="course" label="コース・分科会">
              <select id="course" name="course" defaultValue={v("course")}>
                <option value="">すべて</option>
                {courses.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.code} {c.title}
                  </option>
                ))}
              </select>
            </Field>
          ) : null}
        </div>
        <Field id="subject" label="件名" required error={errors.subject}>
          <input
            {...describedBy("subject", errors.subject)}
            type="text"
            name="subject"
            defaultValue={v("subject")}
          />
        </Field>
        <Field id="body" label="本文" required error={errors.body}>
          <textarea
            {...describedBy("body", errors.body)}
            name="body"
            rows={8}
            defaultValue={v("body")}
          />
        </Field>
        <button type="submit" className="button button--large">
          送信する
        </button>
      </Form>
    </section>
  );
}
