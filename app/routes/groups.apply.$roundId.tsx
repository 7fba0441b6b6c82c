import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { describedBy, Field, FormError } from "../components/field";
import { groupTitle } from "../utils/working-groups";
import { requireMember } from "../domain/auth.server";
import {
  applicationSchema,
  applyToRound,
  getApplicationForm,
} from "../domain/working-groups/recruitment.server";
import { formatDateTime } from "../utils/format";
import { parseForm, parseRowId } from "../utils/forms";
import { type ActionResult, domainAction, invalidForm, notFound } from "../utils/action.server";
import { formErrors } from "../utils/action-result";

export const meta: MetaFunction = () => [{ title: "専門部会員募集 | 自治研イベント" }];

/** 専門部会員募集: a member chooses groups in order of preference and says why. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireMember(request, context);
  const form = await getApplicationForm(context.db, {
    roundId: parseRowId(params.roundId) ?? 0,
    personId: user.id,
  });
  if (!form) notFound("専門部会員の募集");
  return form;
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireMember(request, context);
  const form = await getApplicationForm(context.db, {
    roundId: parseRowId(params.roundId) ?? 0,
    personId: user.id,
  });
  if (!form) notFound("専門部会員の募集");
  const schema = applicationSchema(
    form.round,
    form.groups.map((g) => g.id),
  );
  const parsed = parseForm(schema, await request.formData());
  if (!parsed.ok) return invalidForm(parsed);
  return domainAction(
    async () => {
      await applyToRound(context.db, {
        roundId: form.round.id,
        personId: user.id,
        choices: parsed.data.choices,
        motivation: parsed.data.motivation,
      });
      return { ok: true, values: parsed.values };
    },
    { values: parsed.values },
  );
}

export default function Apply() {
  const { round, groups, application, open } = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  const errors = formErrors(result);
  const ranks = Array.from({ length: round.max_choices }, (_, i) => i + 1);
  const value = (name: string) => {
    const submitted = result?.values?.[name];
    if (typeof submitted === "string") return submitted;
    if (name === "motivation") return application?.motivation ?? "";
    const rank = Number(name.replace("choice_", ""));
    const choice = application?.choices.find((c) => c.rank === rank);
    return choice ? String(choice.group_id) : "";
  };
  return (
    <section>
      <p className="small">
        <Link className="back-link" to="/groups">
          ← 専門部会の一覧
        </Link>
      </p>
      <h1>{round.title}</h1>
      {round.description ? <p className="description">{round.description}</p> : null}
      <p className="small">
        受付期間: {formatDateTime(round.opens_at)}〜{formatDateTime(round.closes_at)}
      </p>
      {result?.ok ? (
        <p className="notice notice--ok" role="status">
          応募を受け付けました。結果は募集締切後にメールでお知らせします。締切までは内容を変更できます。
        </p>
      ) : application && !result ? (
        <p className="notice" role="status">
          応募済みです(最終更新 {formatDateTime(application.updated_at)}
          )。締切までは内容を変更できます。
        </p>
      ) : null}
      {!open && errors._form ? <FormError message={errors._form} /> : null}
      {!open ? (
        <p className="notice notice--warn">
          {round.results_sent_at
            ? "この募集の結果は通知済みです。"
            : "現在は応募を受け付けていません(受付期間外)。"}
        </p>
      ) : null}
      <h2>募集する専門部会</h2>
      <ul className="stack" style={{ listStyle: "none", padding: 0 }}>
        {groups.map((g) => (
          <li key={g.id} className="card">
            <h3>{groupTitle(g)}</h3>
            {g.topics.length > 0 ? <p className="small">{g.topics.join(" / ")}</p> : null}
          </li>
        ))}
      </ul>
      {open ? (
        <Form method="post" className="form" noValidate>
          <h2>応募フォーム</h2>
          <FormError errors={errors} />
          {ranks.map((rank) => {
            const name = `choice_${rank}`;
            return (
              <Field
                key={name}
                id={name}
                label={`第${rank}希望`}
                required={rank === 1}
                error={errors[name]}
              >
                <select {...describedBy(name, errors[name])} name={name} defaultValue={value(name)}>
                  <option value="">{rank === 1 ? "選んでください" : "(希望しない)"}</option>
                  {groups.map((g) => (
                    <option key={g.id} value={g.id}>
                      {groupTitle(g)}
                    </option>
                  ))}
                </select>
              </Field>
            );
          })}
          <Field
            id="motivation"
            label="応募の動機"
            required
            hint="400字以内。関心のあるテーマや、職場での経験などをお書きください。"
            error={errors.motivation}
          >
            <textarea
              {...describedBy("motivation", errors.motivation, "hint")}
              name="motivation"
              rows={6}
              maxLength={400}
              defaultValue={value("motivation")}
            />
          </Field>
          <button type="submit" className="button button--large">
            {application ? "応募内容を更新する" : "応募する"}
          </button>
        </Form>
      ) : null}
    </section>
  );
}
