import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { StaffAttestationFields } from "../components/consent-fieldset";
import { ErrorSummary, SelectField, TextField } from "../components/field";
import { attendeeFilterOptions } from "../domain/attendees.server";
import { requireEventAccess } from "../domain/permissions.server";
import { readAttestation } from "../domain/privacy.server";
import { colleagueSchema, PROXY_ACCEPTED, registerOnBehalf } from "../domain/proxy.server";
import { parseForm } from "../utils/forms";
import { eventTabMeta } from "../utils/meta";

export const meta = eventTabMeta("代理で申し込む");
import { type ActionResult, domainAction, invalidForm } from "../utils/action.server";
import { formErrors, formValuesOf } from "../utils/action-result";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const access = await requireEventAccess(request, context, {
    eventId: params.id,
    permission: "attendees",
  });
  const options = await attendeeFilterOptions(context.db, access.eventId);
  const unions =
    access.unionId === null
      ? options.unions
      : options.unions.filter((u) => u.id === access.unionId);
  return { eventId: access.eventId, options: { ...options, unions } };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireEventAccess(request, context, {
    eventId: params.id,
    permission: "attendees",
  });
  const formData = await request.formData();
  const form = parseForm(colleagueSchema, formData, ["session"]);
  if (!form.ok) return invalidForm(form);
  return domainAction(
    async () => {
      const result = await registerOnBehalf(context.db, {
        access,
        colleague: form.data,
        appUrl: context.appUrl,
        attestation: readAttestation(formData),
      });
      const name = `${form.data.family_name} ${form.data.given_name}`;
      return {
        ok: true,
        // A secretary gets one answer for every outcome (proxy.server.ts, ProxyResult).
        message:
          access.unionId !== null
            ? PROXY_ACCEPTED(name)
            : result.status === "confirmed"
              ? `${name}さんを申し込みました。本人に確認メールを送りました。`
              : `${name}さんをキャンセル待ち(${result.waitlistPosition}番目)で受け付けました。`,
      };
    },
    { values: form.values },
  );
}

export default function ProxyRegistration() {
  const { eventId, options } = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  const errors = formErrors(result);
  const values = result && !result.ok ? formValuesOf(result) : {};
  const v = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : "");
  const text = (
    name: string,
    label: string,
    props: Partial<Parameters<typeof TextField>[0]> = {},
  ) => (
    <TextField
      name={name}
      label={label}
      required={!["dietary_needs", "accessibility_needs"].includes(name)}
      error={errors[name]}
      defaultValue={v(name)}
      autoComplete="off"
      {...props}
    />
  );
  return (
    <section>
      <p className="small">
        <Link className="back-link" to={`/admin/events/${eventId}/attendees`}>
          ← 申込者一覧
        </Link>
      </p>
      <h2>代理で申し込む</h2>
      <p className="muted small">
        職場の組合員を1人ずつ申し込みます。まとめて申し込む場合は
        <Link to={`/admin/events/${eventId}/attendees/import`}>CSVで一括申込</Link>
        をご利用ください。
      </p>
      {result?.ok ? (
        <p className="notice notice--ok" role="status">
          {result.message}
        </p>
      ) : null}
      <Form method="post" className="form" noValidate key={result?.ok ? result.message : "form"}>
        <ErrorSummary message={result && !result.ok ? result.message : undefined} errors={errors} />
        <div className="row-2">
          {text("family_name", "姓")}
          {text("given_name", "名")}
        </div>
        <div className="row-2">
          {text("family_name_kana", "セイ", { placeholder: "カタカナ" })}
          {text("given_name_kana", "メイ", { placeholder: "カタカナ" })}
        </div>
        {text("email", "メールアドレス", { type: "email", inputMode: "email", spellCheck: false })}
        <SelectField
          name="organisation_id"
          label="所属単組"
          required
          error={errors.organisation_id}
          defaultValue={v("organisation_id")}
          placeholder={options.unions.length > 1 ? "選択してください" : undefined}
          options={options.unions.map((u) => ({ value: u.id, label: u.name }))}
        />
        {text("workplace", "職場")}
        {text("phone", "電話番号", { type: "tel", inputMode: "tel" })}
        {options.courses.length > 0 ? (
          <SelectField
            name="course"
            label="コース・分科会"
            required
            error={errors.course}
            defaultValue={v("course")}
            placeholder="選択してください"
            options={options.courses
              .filter((c) => c.status === "active")
              .map((c) => ({ value: c.id, label: `${c.code} ${c.title}` }))}
          />
        ) : null}
        {text("dietary_needs", "食事の配慮")}
        {text("accessibility_needs", "配慮事項")}
        <StaffAttestationFields errors={errors} />
        <button type="submit" className="button button--large">
          申し込む
        </button>
      </Form>
    </section>
  );
}
