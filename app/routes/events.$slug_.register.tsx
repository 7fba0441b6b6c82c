import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ConsentFieldset } from "../components/consent-fieldset";
import { describedBy, Field, FormError } from "../components/field";
import { SeatsLeft } from "../components/seats-left";
import { requireMember } from "../domain/auth.server";
import { ERROR_MESSAGES } from "../domain/errors.server";
import { membersOnlyRefusal } from "../domain/membership.server";
import { registrationState } from "../domain/events.server";
import { getConsentContext, readConsent } from "../domain/privacy.server";
import {
  getRegistrationForm,
  listMyRegistrations,
  register,
  registrationSchema,
  toRegistrationInput,
} from "../domain/registrations.server";
import { formatDate, formatRange } from "../utils/format";
import { parseForm } from "../utils/forms";
import { type ActionResult, domainAction, invalidForm, notFound } from "../utils/action.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `申込: ${data.form.title} | 自治研イベント` : "申込 | 自治研イベント" },
];

async function load(request: Request, context: Parameters<typeof requireMember>[1], slug: string) {
  const user = await requireMember(request, context);
  const form = await getRegistrationForm(context.db, slug);
  if (!form) notFound("イベント");
  return { user, form };
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { user, form } = await load(request, context, params.slug ?? "");
  const mine = (await listMyRegistrations(context.db, user.id)).find(
    (r) => r.event_id === form.id && r.status !== "cancelled",
  );
  const refusal = form.members_only ? membersOnlyRefusal(user) : undefined;
  return {
    form,
    state: registrationState(form).state,
    alreadyRegistered: Boolean(mine),
    needsBirthDate: form.max_age !== null && !user.birth_date,
    membersOnly: refusal ? { code: refusal, message: ERROR_MESSAGES[refusal] } : undefined,
    consent: await getConsentContext(context.db, form.id),
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, form } = await load(request, context, params.slug ?? "");
  const needsBirthDate = form.max_age !== null && !user.birth_date;
  const arrays = [
    "session",
    ...form.questions.filter((q) => q.kind === "multiple").map((q) => `q_${q.id}`),
  ];
  const formData = await request.formData();
  const parsed = parseForm(registrationSchema(form, { needsBirthDate }), formData, arrays);
  if (!parsed.ok) return invalidForm(parsed);
  return domainAction(async () => {
    const result = await register(context.db, {
      slug: form.slug,
      form,
      personId: user.id,
      person: user,
      input: toRegistrationInput(form, parsed.data),
      consent: readConsent(formData),
      appUrl: context.appUrl,
    });
    return redirect(`/me?registered=${result.id}`);
  }, { values: parsed.values });
}

export default function Register() {
  const { form, state, alreadyRegistered, needsBirthDate, membersOnly, consent } =
    useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  const busy = useNavigation().state === "submitting";
  // the summary line above the form, and each field's own message
  const errors: Record<string, string> =
    result && !result.ok ? { _form: result.message ?? "", ...result.errors } : {};
  const values = result?.values ?? {};
  const one = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : "");
  const many = (name: string) => (Array.isArray(values[name]) ? (values[name] as string[]) : []);
  const anyFull =
    (form.capacity !== null && form.taken >= form.capacity) ||
    form.courses.some((c) => c.capacity !== null && c.taken >= c.capacity);

  const header = (
    <>
      <p className="small">
        <Link to={`/events/${form.slug}`}>← イベントの詳細へ</Link>
      </p>
      <h1>{form.title}</h1>
      <p className="muted">{formatRange(form.starts_at, form.ends_at)}</p>
    </>
  );
  if (alreadyRegistered) {
    return (
      <section>
        {header}
        <p className="notice">このイベントには申込済みです。</p>
        <Link to="/me" className="button">
          マイページで申込内容を見る
        </Link>
      </section>
    );
  }
  if (membersOnly) {
    return (
      <section>
        {header}
        <p className="notice notice--warn" role="status">
          {membersOnly.message}
        </p>
        {membersOnly.code === "members_only" ? (
          <Link to={`/profile?next=${encodeURIComponent(`/events/${form.slug}/register`)}`} className="button">
            プロフィールで所属単組を登録する
          </Link>
        ) : null}
      </section>
    );
  }
  if (state !== "open") {
    return (
      <section>
        {header}
        <p className="notice notice--warn">現在、このイベントの申込は受け付けていません。</p>
      </section>
    );
  }
  return (
    <section>
      {header}
      <Form method="post" className="form" noValidate>
        <FormError message={errors._form} />

        {form.courses.length > 0 ? (
          <fieldset aria-describedby={errors.course ? "course-error" : undefined}>
            <legend>
              {form.kind === "online_seminar" ? "参加するコース" : "参加する分科会"}
              <span className="required">必須</span>
            </legend>
            {form.courses.map((c) => {
              const left = c.capacity === null ? null : Math.max(0, c.capacity - c.taken);
              return (
                <label key={c.id} className="choice">
                  <input
                    type="radio"
                    name="course"
                    value={c.id}
                    defaultChecked={one("course") === String(c.id)}
                    required
                  />
                  <span>
                    <strong>
                      {c.code} {c.title}
                    </strong>
                    {c.audience ? (
                      <span className="small muted" style={{ display: "block" }}>
                        {c.audience}
                      </span>
                    ) : null}
                    {c.facilitator ? (
                      <span className="small" style={{ display: "block" }}>
                        ファシリテーター: {c.facilitator}
                      </span>
                    ) : null}
                    {c.adviser ? (
                      <span className="small" style={{ display: "block" }}>
                        アドバイザー: {c.adviser}
                      </span>
                    ) : null}
                    <span className="small" style={{ display: "block" }}>
                      {c.allocation === "waitlist_only" ? (
                        <span className="seats seats--few">
                          抽選・調整のため、いったんキャンセル待ちで受け付けます
                        </span>
                      ) : (
                        <SeatsLeft left={left} />
                      )}
                    </span>
                  </span>
                </label>
              );
            })}
            {errors.course ? (
              <p className="error" id="course-error" role="alert">
                {errors.course}
              </p>
            ) : null}
          </fieldset>
        ) : null}

        {form.sessions.length > 0 ? (
          <fieldset aria-describedby={errors.session ? "session-error" : undefined}>
            <legend>参加する日程・企画</legend>
            {form.sessions.map((s) => {
              const left = s.capacity === null ? null : Math.max(0, s.capacity - s.taken);
              return (
                <label key={s.id} className={`choice${s.optional ? "" : " choice--disabled"}`}>
                  <input
                    type="checkbox"
                    name={s.optional ? "session" : undefined}
                    value={s.id}
                    defaultChecked={!s.optional || many("session").includes(String(s.id))}
                    disabled={!s.optional}
                    aria-invalid={s.optional && errors.session ? true : undefined}
                    aria-describedby={s.optional && errors.session ? "session-error" : undefined}
                  />
                  <span>
                    <strong>{s.title}</strong>
                    <span className="small" style={{ display: "block" }}>
                      {formatRange(s.starts_at, s.ends_at)}
                      {s.optional ? "(希望者のみ)" : "(全員参加)"}
                    </span>
                    {s.capacity !== null ? (
                      <span className="small" style={{ display: "block" }}>
                        <SeatsLeft left={left} />
                      </span>
                    ) : null}
                  </span>
                </label>
              );
            })}
            {errors.session ? (
              <p className="error" id="session-error" role="alert">
                {errors.session}
              </p>
            ) : null}
          </fieldset>
        ) : null}

        {form.questions.map((q) => {
          const name = `q_${q.id}`;
          const options = q.options as string[];
          if (q.kind === "text") {
            return (
              <Field
                key={q.id}
                id={name}
                label={q.label}
                required={q.required}
                error={errors[name]}
              >
                <textarea
                  {...describedBy(name, errors[name])}
                  name={name}
                  rows={3}
                  defaultValue={one(name)}
                  maxLength={1000}
                />
              </Field>
            );
          }
          return (
            <fieldset key={q.id} aria-describedby={errors[name] ? `${name}-error` : undefined}>
              <legend>
                {q.label}
                {q.required ? (
                  <span className="required">必須</span>
                ) : (
                  <span className="optional">任意</span>
                )}
              </legend>
              {options.map((option) => (
                <label key={option} className="choice">
                  <input
                    type={q.kind === "single" ? "radio" : "checkbox"}
                    name={name}
                    value={option}
                    defaultChecked={
                      q.kind === "single" ? one(name) === option : many(name).includes(option)
                    }
                  />
                  <span>{option}</span>
                </label>
              ))}
              {errors[name] ? (
                <p className="error" id={`${name}-error`} role="alert">
                  {errors[name]}
                </p>
              ) : null}
            </fieldset>
          );
        })}

        {needsBirthDate ? (
          <Field
            id="birth_date"
            label="生年月日"
            required
            error={errors.birth_date}
            hint={`このイベントは初日(${formatDate(form.starts_at)})時点で${form.max_age}歳以下の方が対象です。`}
          >
            <input
              {...describedBy("birth_date", errors.birth_date, "hint")}
              type="date"
              name="birth_date"
              defaultValue={one("birth_date")}
              required
            />
          </Field>
        ) : null}

        <Field id="dietary_needs" label="食事の配慮(アレルギー等)" error={errors.dietary_needs}>
          <textarea
            {...describedBy("dietary_needs", errors.dietary_needs)}
            name="dietary_needs"
            rows={2}
            maxLength={500}
            defaultValue={one("dietary_needs")}
          />
        </Field>
        <Field
          id="accessibility_needs"
          label="配慮が必要なこと(車いす・手話通訳等)"
          error={errors.accessibility_needs}
        >
          <textarea
            {...describedBy("accessibility_needs", errors.accessibility_needs)}
            name="accessibility_needs"
            rows={2}
            maxLength={500}
            defaultValue={one("accessibility_needs")}
          />
        </Field>

        <ConsentFieldset notice={consent.notice} purposes={consent.purposes} errors={errors} values={values} />

        <label className="choice">
          <input
            type="checkbox"
            name="waitlist"
            value="on"
            defaultChecked={result ? one("waitlist") === "on" : true}
          />
          <span>
            満席の場合はキャンセル待ちに登録する
            <span className="small muted" style={{ display: "block" }}>
              {anyFull ? "現在満席の枠があります。" : ""}
              空きが出たら申込順に繰り上げ、メールでお知らせします。
            </span>
          </span>
        </label>

        <button type="submit" className="button button--large" disabled={busy}>
          {busy ? "送信中…" : "申し込む"}
        </button>
      </Form>
    </section>
  );
}
