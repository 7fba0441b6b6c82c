import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Link, useActionData } from "@remix-run/react";
import { EventForm } from "../components/event-form";
import { DomainError } from "../domain/errors.server";
import { createEvent, eventFormSchema } from "../domain/event-admin.server";
import { requireStaff } from "../domain/permissions.server";
import { parseForm } from "../utils/forms";

export const meta: MetaFunction = () => [{ title: "イベントの作成 | イベント管理" }];

async function requireOrganiser(request: Request, context: Parameters<typeof requireStaff>[1]) {
  const user = await requireStaff(request, context);
  if (user.role !== "admin" && user.role !== "organiser") {
    throw new Response("イベントを作成できるのは県本部の担当者です。", { status: 403 });
  }
  return user;
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireOrganiser(request, context);
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireOrganiser(request, context);
  const form = parseForm(eventFormSchema, await request.formData());
  if (!form.ok) return { errors: form.errors, values: form.values };
  try {
    const id = await createEvent(context.db, { user, input: form.data });
    return redirect(`/admin/events/${id}/edit?created=1`);
  } catch (error) {
    if (error instanceof DomainError) {
      return { errors: { _form: error.message, ...(error.field ? { [error.field]: error.message } : {}) }, values: form.values };
    }
    throw error;
  }
}

export default function NewEvent() {
  const result = useActionData<typeof action>();
  return (
    <section>
      <p className="small">
        <Link className="back-link" to="/admin">← イベント管理</Link>
      </p>
      <h1>イベントの作成</h1>
      <p className="muted small">下書きとして保存されます。日程・コース・質問を加えてから公開してください。</p>
      <EventForm values={result?.values ?? { members_only: true }} errors={result?.errors ?? {}} submitLabel="下書きを保存する" />
    </section>
  );
}
