import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import iconv from "iconv-lite";
import { sql } from "kysely";
import type { Database } from "../../db/index";
import { loadDemoData } from "../../db/seed/load";
import { startTestApp } from "../support/app";
import { createTestDatabase } from "../support/db";
import { browserLike, CONSENT_FIELDS, createMember, signIn } from "../support/factories";

/**
 * ARCHITECTURE.md rule 5 against a corpus of hostile and broken input
 * (tests/reliability/corpus/*.jsonl, one case a line), sent over HTTP to every
 * form and API route. Each case must get a 4xx with a clear message or a safe
 * result, never a 5xx nor a stack trace, and must change no data unless it
 * says which tables it may change ("changes": valid by design).
 *
 * A case: { id, route, method?, as?, form? | json? | body? | multipart?, query?,
 * headers?, origin?, bearer?, expect: { status, text?, notText?, location?,
 * changes? } }. Strings may hold {var} (see `vars` below) and the macros
 * {{repeat:TEXT:N}} and {{nul}}. RECORD=1 prints what each case got.
 */

type Case = {
  id: string;
  route: string;
  method?: "GET" | "POST";
  as?: Actor;
  query?: Record<string, string | string[]>;
  form?: Record<string, string | string[]>;
  json?: unknown;
  body?: { contentType?: string; text?: string; base64?: string };
  multipart?: {
    fields?: Record<string, string>;
    files?: {
      field?: string;
      filename: string;
      type?: string;
      text?: string;
      encoding?: "utf8" | "shift_jis" | "utf16le";
      base64?: string;
      bytes?: number;
    }[];
  };
  headers?: Record<string, string>;
  /** "same" (the default for POST), "foreign", "none", or an Origin header as is */
  origin?: string;
  referer?: string;
  bearer?: string;
  expect: {
    status: number | number[];
    text?: string | string[];
    notText?: string | string[];
    location?: string;
    changes?: string[];
  };
};

type Actor =
  | "anon"
  | "member"
  | "other_member"
  | "fresh_member"
  | "fresh_member_no_birth"
  | "admin"
  | "organiser"
  | "secretary"
  | "reception";

const here = path.dirname(fileURLToPath(import.meta.url));
const corpusDir = path.join(here, "corpus");
const cases: (Case & { file: string })[] = readdirSync(corpusDir)
  .filter((f) => f.endsWith(".jsonl"))
  .sort()
  .flatMap((file) =>
    readFileSync(path.join(corpusDir, file), "utf8")
      .split("\n")
      .filter((line) => line.trim() && !line.startsWith("//"))
      .map((line) => ({ ...(JSON.parse(line) as Case), file })),
  );

const STACK_TRACE =
  /\bat \S+ \(?\S*\.(?:js|ts|tsx|mjs|cjs):\d+|node_modules\/|ZodError|TypeError:|SyntaxError:/;

/** Every table a hostile input could change, as a fingerprint of its rows. */
const WATCHED = [
  "registrations",
  "registration_sessions",
  "people",
  "events",
  "event_sessions",
  "courses",
  "event_questions",
  "outbound_emails",
  "login_tokens",
  "checkins",
  "api_tokens",
  "webhooks",
  "export_presets",
  "materials",
  "reports",
  "working_groups",
  "working_group_members",
  "group_meetings",
  "meeting_rsvps",
  "recruitment_applications",
] as const;

async function fingerprint(db: Database): Promise<Record<string, string>> {
  const parts = WATCHED.map(
    (t) =>
      // An API call stamps its token's last_used_at; that is all it may change.
      `select '${t}' as t, count(*)::text || ':' || coalesce(md5(string_agg((to_jsonb(x) - 'last_used_at')::text, '|' order by x::text)), '') as f from ${t} x`,
  );
  const { rows } = await sql<{
    t: string;
    f: string;
  }>`${sql.raw(parts.join(" union all "))}`.execute(db);
  return Object.fromEntries(rows.map((r) => [r.t, r.f]));
}

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Database;
let app: Awaited<ReturnType<typeof startTestApp>>;
const cookies = {} as Record<
  Exclude<Actor, "anon" | "fresh_member" | "fresh_member_no_birth">,
  string
>;
const vars: Record<string, string> = {};

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  await loadDemoData(db);
  // One proxy in front (TRUST_PROXY=1): each case is its own client by its X-Forwarded-For.
  app = await startTestApp(db, { trustProxy: 1 });

  const staff = await db
    .selectFrom("people")
    .select(["id", "email", "organisation_id"])
    .where("email", "in", [
      "admin@example.jp",
      "organiser@example.jp",
      "secretary@example.jp",
      "reception@example.jp",
    ])
    .execute();
  for (const p of staff) {
    cookies[p.email.split("@")[0] as "admin" | "organiser" | "secretary" | "reception"] =
      await signIn(db, p.id);
  }

  // Two members, each registered for the online seminar; the other one in another 単組.
  const seminar = await db
    .selectFrom("events")
    .select(["id", "slug"])
    .where("slug", "=", "online-seminar-next")
    .executeTakeFirstOrThrow();
  const course = await db
    .selectFrom("courses")
    .select("id")
    .where("event_id", "=", seminar.id)
    .orderBy("position")
    .execute();
  const question = await db
    .selectFrom("event_questions")
    .select(["id", "label"])
    .where("event_id", "=", seminar.id)
    .orderBy("position")
    .execute();
  const registerForm = {
    course: String(course[0]!.id),
    [`q_${question[0]!.id}`]: "単組・職場で取り組んだことがある",
    waitlist: "on",
    ...CONSENT_FIELDS,
  };
  const registered: Record<string, string> = {};
  const emails: Record<string, string> = {};
  for (const [key, union] of [
    ["member", "fukushima-shi"],
    ["other_member", "koriyama-shi"],
  ] as const) {
    const m = await createMember(db, { union });
    emails[key] = m.email;
    cookies[key] = await signIn(db, m.id);
    const r = await browserLike(app.url, cookies[key]).post(
      "/events/online-seminar-next/register",
      registerForm,
    );
    registered[key] = r.headers.get("location")?.match(/registered=(\d+)/)?.[1] ?? "";
  }
  const tickets = await db
    .selectFrom("registrations")
    .select(["id", "ticket_secret", "ticket_code"])
    .where("id", "in", Object.values(registered))
    .execute();
  const mine = tickets.find((t) => t.id === registered.member)!;
  const theirs = tickets.find((t) => t.id === registered.other_member)!;

  // The event the organiser is not given, and another event's session and course.
  const notGiven = await db
    .selectFrom("events")
    .select(["id", "slug"])
    .where(
      "id",
      "not in",
      db
        .selectFrom("event_staff")
        .innerJoin("people", "people.id", "event_staff.person_id")
        .select("event_staff.event_id")
        .where("people.email", "=", "organiser@example.jp"),
    )
    .orderBy("id")
    .executeTakeFirstOrThrow();
  const otherCourse = await db
    .selectFrom("courses")
    .select(["id", "event_id"])
    .where("event_id", "!=", seminar.id)
    .orderBy("id")
    .executeTakeFirstOrThrow();
  const otherSession = await db
    .selectFrom("event_sessions")
    .select("id")
    .where("event_id", "!=", seminar.id)
    .orderBy("id")
    .executeTakeFirstOrThrow();
  const group = await db
    .selectFrom("working_groups")
    .select("id")
    .orderBy("id")
    .executeTakeFirstOrThrow();
  const meeting = await db
    .selectFrom("group_meetings")
    .select("id")
    .orderBy("id")
    .executeTakeFirstOrThrow();
  // The desk's check-in lists exist once its page has been opened.
  await browserLike(app.url, cookies.admin).get("/checkin/online-seminar-next");
  const list = await db
    .selectFrom("checkin_lists")
    .select("id")
    .where("event_id", "=", seminar.id)
    .where("session_id", "is", null)
    .executeTakeFirstOrThrow();
  const otherList = await db
    .selectFrom("checkin_lists")
    .select("id")
    .where("event_id", "!=", seminar.id)
    .orderBy("id")
    .executeTakeFirst();

  const unions = await db
    .selectFrom("organisations")
    .select(["id", "code"])
    .where("code", "in", ["fukushima-shi", "koriyama-shi", "fukushima"])
    .execute();
  const union = (code: string) => String(unions.find((u) => u.code === code)?.id);
  // A draft: published events are the only ones a visitor may see.
  const draft = await db
    .insertInto("events")
    .values({
      slug: "corpus-draft",
      kind: "study_session",
      title: "下書きのイベント",
      organiser_organisation_id: Number(union("fukushima")),
      starts_at: new Date("2031-01-01T01:00:00Z"),
      ends_at: new Date("2031-01-01T03:00:00Z"),
      status: "draft",
      online_label: "オンライン",
    })
    .returning("slug")
    .executeTakeFirstOrThrow();

  // API tokens, made as a person would: on /admin/api, read once from the page.
  const token = async (cookie: string) => {
    const html = await (
      await browserLike(app.url, cookie).post("/admin/api", { intent: "token", name: "corpus" })
    ).text();
    return html.match(/jk_[A-Za-z0-9_-]{20,}/)?.[0] ?? "";
  };

  Object.assign(vars, {
    slug: seminar.slug,
    eventId: String(seminar.id),
    notGivenEventId: String(notGiven.id),
    notGivenSlug: notGiven.slug,
    courseId: String(course[0]!.id),
    otherCourseId: String(otherCourse.id),
    otherSessionId: String(otherSession.id),
    questionId: String(question[0]!.id),
    myRegistrationId: registered.member,
    otherRegistrationId: registered.other_member,
    ticketSecret: mine.ticket_secret,
    alteredTicketSecret:
      mine.ticket_secret.slice(0, -1) + (mine.ticket_secret.endsWith("A") ? "B" : "A"),
    ticketCode: mine.ticket_code,
    otherTicketSecret: theirs.ticket_secret,
    checkinListId: String(list.id),
    otherCheckinListId: String(otherList?.id ?? 999999),
    groupId: String(group.id),
    meetingId: String(meeting.id),
    memberEmail: emails.member,
    otherMemberEmail: emails.other_member,
    unionId: union("fukushima-shi"),
    otherUnionId: union("koriyama-shi"),
    prefecturalHqId: union("fukushima"),
    draftSlug: draft.slug,
    adminToken: await token(cookies.admin),
    secretaryToken: await token(cookies.secretary),
  });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await database?.drop();
});

function expand(value: string): string {
  return value
    .replace(/\{\{repeat:([\s\S]*?):(\d+)\}\}/g, (_, text: string, n: string) =>
      text.repeat(Number(n)),
    )
    .replace(/\{\{nul\}\}/g, "\u0000")
    .replace(/\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole);
}

function expandDeep(value: unknown): unknown {
  if (typeof value === "string") return expand(value);
  if (Array.isArray(value)) return value.map(expandDeep);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [expand(k), expandDeep(v)]));
  }
  return value;
}

function fileBytes(file: NonNullable<NonNullable<Case["multipart"]>["files"]>[number]): Buffer {
  if (file.base64 !== undefined) return Buffer.from(file.base64, "base64");
  if (file.bytes !== undefined) return Buffer.alloc(file.bytes, "a");
  const text = expand(file.text ?? "");
  if (file.encoding === "shift_jis" || file.encoding === "utf16le") {
    return iconv.encode(text, file.encoding);
  }
  return Buffer.from(text, "utf8");
}

let clientNumber = 0;

/** The Cookie header of the case's actor; a fresh member is made for each case that asks. */
async function cookieFor(c: Case): Promise<string | undefined> {
  const actor = c.as ?? "anon";
  if (actor === "anon") return undefined;
  if (actor === "fresh_member") return signIn(db, (await createMember(db)).id);
  if (actor === "fresh_member_no_birth") {
    return signIn(db, (await createMember(db, { birthDate: null })).id);
  }
  return cookies[actor];
}

async function send(c: Case, cookie: string | undefined): Promise<Response> {
  const method =
    c.method ?? (c.form || c.json !== undefined || c.body || c.multipart ? "POST" : "GET");
  const url = new URL(app.url + expand(c.route));
  for (const [k, v] of Object.entries(c.query ?? {})) {
    for (const one of Array.isArray(v) ? v : [v]) url.searchParams.append(expand(k), expand(one));
  }
  const headers = new Headers();
  // A client of its own for each case, so that rate limits are not what answers.
  headers.set("X-Forwarded-For", `10.8.${Math.floor(++clientNumber / 250)}.${clientNumber % 250}`);
  if (cookie) headers.set("Cookie", cookie);
  if (c.bearer !== undefined) headers.set("Authorization", expand(c.bearer));
  const origin = c.origin ?? (method === "POST" ? "same" : "none");
  if (origin === "same") headers.set("Origin", app.url);
  else if (origin === "foreign") headers.set("Origin", "https://evil.example");
  else if (origin !== "none") headers.set("Origin", origin);
  if (c.referer) headers.set("Referer", expand(c.referer));
  let body: BodyInit | undefined;
  if (c.form) {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(c.form)) {
      for (const one of Array.isArray(v) ? v : [v]) form.append(expand(k), expand(one));
    }
    body = form;
  } else if (c.json !== undefined) {
    headers.set("Content-Type", "application/json");
    body = JSON.stringify(expandDeep(c.json));
  } else if (c.body) {
    if (c.body.contentType) headers.set("Content-Type", c.body.contentType);
    body =
      c.body.base64 !== undefined
        ? Buffer.from(c.body.base64, "base64")
        : expand(c.body.text ?? "");
  } else if (c.multipart) {
    const form = new FormData();
    for (const [k, v] of Object.entries(c.multipart.fields ?? {})) form.append(k, expand(v));
    for (const file of c.multipart.files ?? []) {
      form.append(
        file.field ?? "file",
        new Blob([new Uint8Array(fileBytes(file))], {
          type: file.type ?? "application/octet-stream",
        }),
        expand(file.filename),
      );
    }
    body = form;
  }
  for (const [k, v] of Object.entries(c.headers ?? {})) headers.set(k, expand(v));
  return fetch(url, { method, headers, body, redirect: "manual" });
}

/** The messages a page shows beside a form, or the body's start, for RECORD=1. */
function messages(body: string): string {
  const found = [
    ...body.matchAll(/class="(?:error|notice notice--error|form-error)[^"]*"[^>]*>([\s\S]*?)<\//g),
    ...body.matchAll(/role="alert"[^>]*>([\s\S]*?)<\//g),
    ...body.matchAll(/<h1>([\s\S]*?)<\/h1>/g),
  ].map((m) => m[1]!.replace(/<[^>]+>/g, "").trim());
  return (found.length ? [...new Set(found)].join(" / ") : body.replace(/\s+/g, " ")).slice(0, 160);
}

describe("hostile and broken input, against every form and API route", () => {
  it(`${cases.length} cases from tests/reliability/corpus: each gets a 4xx with a clear message or a safe result, no 5xx, no stack trace, no data changed`, async () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    const failures: string[] = [];
    const retried: string[] = [];
    const statuses: Record<string, number> = {};
    let changedByDesign = 0;
    let before = await fingerprint(db);
    for (const c of cases) {
      let response: Response;
      let text: string;
      const cookie = await cookieFor(c);
      if (c.as?.startsWith("fresh_member")) before = await fingerprint(db);
      try {
        response = await send(c, cookie).catch(async (error) => {
          // A kept-alive connection the server closed after an early answer to
          // the case before (a body it refused unread): once more, on a new one.
          retried.push(`${c.id} (${String(error)})`);
          return send(c, cookie);
        });
        text = await response.text();
      } catch (error) {
        failures.push(`${c.id}: no answer (${String(error)})`);
        continue;
      }
      const after = await fingerprint(db);
      const changed = WATCHED.filter((t) => before[t] !== after[t]);
      before = after;
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      if (changed.length) changedByDesign++;
      if (process.env.RECORD) {
        console.log(
          `${c.id}\t${response.status}\t${response.headers.get("location") ?? ""}\t${changed.join(",")}\t${messages(text)}`,
        );
      }
      const problems: string[] = [];
      const want = Array.isArray(c.expect.status) ? c.expect.status : [c.expect.status];
      if (!want.includes(response.status))
        problems.push(`status ${response.status}, expected ${want.join("|")}`);
      if (response.status >= 500) problems.push("a 5xx");
      if (STACK_TRACE.test(text)) problems.push("a stack trace in the body");
      for (const t of [c.expect.text ?? []].flat()) {
        if (!text.includes(expand(t))) problems.push(`no "${t}" in the body`);
      }
      for (const t of [c.expect.notText ?? []].flat()) {
        if (text.includes(expand(t))) problems.push(`"${t}" in the body`);
      }
      if (c.expect.location !== undefined) {
        const location = response.headers.get("location") ?? "";
        if (!location.startsWith(expand(c.expect.location))) problems.push(`location ${location}`);
      }
      const unexpected = changed.filter((t) => !(c.expect.changes ?? []).includes(t));
      if (unexpected.length) problems.push(`changed ${unexpected.join(", ")}`);
      if (problems.length)
        failures.push(`${c.id} (${c.file}): ${problems.join("; ")} — ${messages(text)}`);
    }
    const byFile = new Map<string, number>();
    for (const c of cases) byFile.set(c.file, (byFile.get(c.file) ?? 0) + 1);
    console.log(
      `bad input: ${cases.length} cases (${[...byFile].map(([f, n]) => `${f} ${n}`).join(", ")}); ` +
        `answers: ${Object.entries(statuses)
          .map(([s, n]) => `${n} × ${s}`)
          .join(
            ", ",
          )}; ${changedByDesign} changed data, as their case allows; ${failures.length} failures` +
        (retried.length ? `; sent again on a new connection: ${retried.join(", ")}` : ""),
    );
    expect(failures).toEqual([]);
  }, 300_000);
});
