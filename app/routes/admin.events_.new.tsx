import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Link, useActionData } from "@remix-run/react";
import { EventForm } from "../components/event-form";
import { createEvent, eventFormSchema } from "../domain/event-admin.server";
import { requireStaff } from "../domain/permissions.server";
import { formErrors } from "../utils/action-result";
import { parseForm } from "../utils/forms";
import { type ActionResult, domainAction, forbidden, invalidForm } from "../utils/action.server";

export const meta: MetaFunction = () => [{ title: "イベントの作成 | イベント管理" }];

async function requireOrganiser(request: Request, context: Parameters<typeof requireStaff>[1]) {
  const user = await requireStaff(request, context);
  if (user.role !== "admin" && user.role !== "organiser") {
    forbidden("イベントを作成できるのは県本部の担当者です。");
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
  if (!form.ok) return invalidForm(form);
  return domainAction(
    async () => {
      const id = await createEvent(context.db, { user, input: form.data });
      return redirect(`/admin/events/${id}/edit?created=1`);
    },
    { values: form.values },
  );
}

export default function NewEvent() {
  const result = useActionData<ActionResult>();
  return (
    <section>
      <p className="small">
        <Link className="back-link" to="/admin">
          ← イベント管理
        </Link>
      </p>
      <h1>イベントの作成</h1>
      <p className="muted small">
        下書きとして保存されます。日程・コース・質問を加えてから公開してください。
      </p>
      <EventForm
        values={result?.values ?? { members_only: true }}
        errors={formErrors(result)}
        submitLabel="下書きを保存する"
      />
    </section>
  );
}
