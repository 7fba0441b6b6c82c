import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { RsvpChoices } from "../components/group-meetings";
import { meetingNumberLabel, placeText, RSVP_LABELS } from "../utils/working-groups";
import { answerRsvpByLink, getRsvpLink } from "../domain/working-groups/rsvp.server";
import { type ActionResult, answer, domainAction } from "../utils/action.server";
import { formatDateTime, formatRange } from "../utils/format";

export const meta: MetaFunction = () => [
  { title: "出欠の回答 | 自治研イベント" },
  { name: "robots", content: "noindex" },
  // The token is in the URL: never send it to another site.
  { name: "referrer", content: "same-origin" },
];

/**
 * The page an emailed RSVP link opens, without signing in. Opening it changes
 * nothing (mail scanners open links too); one press of 出席 / 欠席 / 未定
 * answers, and the page then confirms the answer and can change it.
 */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const link = await getRsvpLink(context.db, { token: params.token ?? "" });
  if (!link) return { link: null };
  return {
    link: {
      name: link.name,
      title: link.title,
      starts_at: link.starts_at,
      ends_at: link.ends_at,
      place_kind: link.place_kind,
      place_name: link.place_name,
      venue_address: link.venue_address,
      note: link.note,
      groups: link.groups,
      answer: link.answer,
      answered_at: link.answered_at,
      closed: link.closed,
    },
  };
}

// Spelled out, not imported: module-level code must not touch a .server import.
const schema = z.object({ answer: z.enum(["yes", "no", "maybe"]) });

export async function action({ request, params, context }: ActionFunctionArgs) {
  const parsed = schema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success)
    return answer({
      ok: false,
      code: "invalid_input",
      message: "出席・欠席・未定のいずれかを押してください。",
    });
  const { answer: rsvp } = parsed.data;
  return domainAction(async () => {
    await answerRsvpByLink(context.db, { token: params.token ?? "", answer: rsvp });
    return { ok: true, values: { answer: rsvp } };
  });
}

function rsvpAnswer(value: unknown): "yes" | "no" | "maybe" | undefined {
  const parsed = schema.shape.answer.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export default function AnswerByLink() {
  const { link } = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  const answered = result?.ok ? rsvpAnswer(result.values?.answer) : undefined;
  if (!link) {
    return (
      <section>
        <h1>出欠の回答</h1>
        <p className="notice notice--error" role="alert">
          この出欠回答リンクは無効か、期限切れです。ログインしてマイページから回答してください。
        </p>
        <p>
          <Link className="button" to="/me#group-meetings">
            マイページを開く
          </Link>
        </p>
      </section>
    );
  }
  const current = answered ?? link.answer;
  const groupsLine = link.groups.map((g) => meetingNumberLabel(g, g.number)).join("・");
  return (
    <section>
      <h1>{result?.ok ? "出欠の回答を受け付けました" : "出欠の回答"}</h1>
      <p>{link.name} 様</p>
      {result?.ok ? (
        <p className="notice notice--ok" role="status">
          「{link.title}」に<strong>{answered ? RSVP_LABELS[answered] : ""}</strong>
          と回答しました。変更する場合は、下のボタンを押し直してください。
        </p>
      ) : null}
      {result && !result.ok ? (
        <p className="notice notice--error" role="alert">
          {result.message}
        </p>
      ) : null}
      <div className="card meeting">
        <h2 className="meeting__title">{link.title}</h2>
        <p>{formatRange(link.starts_at, link.ends_at)}</p>
        <p>
          {placeText(link)}
          {link.venue_address ? `(${link.venue_address})` : ""}
        </p>
        {link.note ? <p className="small muted">{link.note}</p> : null}
        {groupsLine !== link.title ? <p className="small muted">{groupsLine}</p> : null}
        <p>
          現在の回答: <strong>{current ? RSVP_LABELS[current] : "未回答"}</strong>
          {!result && link.answered_at ? (
            <span className="small muted">({formatDateTime(link.answered_at)})</span>
          ) : null}
        </p>
      </div>
      {link.closed ? (
        <p className="notice notice--warn">
          この会合は既に始まっているため、出欠の回答・変更はできません。
        </p>
      ) : (
        <Form method="post" className="rsvp rsvp--large" aria-label="出欠を回答する">
          <RsvpChoices answer={current} />
        </Form>
      )}
      <p className="small muted">
        この画面はメールのリンクから開いています。ほかの方には転送しないでください。
      </p>
    </section>
  );
}
