import { randomBytes } from "node:crypto";
import { type ExpressionBuilder, type Selectable, sql, type Transaction } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import { z } from "zod";
import { compiledQuery } from "../../db/compiled";
import type { Database, DB } from "../../db/index";
import type { RegistrationStatus, WebhookTopic } from "../../db/schema";
import { eventIcs } from "../../emails/ics";
import type {
  EmailEvent,
  EmailMessage,
  RegistrationEmail,
  RegistrationEmailKind,
} from "../../emails/types";
import { eventFormat } from "../utils/event-format";
import { tokyoParts } from "../utils/format";
import { rowId, textField } from "../utils/forms";
import { courseWord } from "../utils/labels";
import { webhookBodyAround, webhookJobs, webhookJobsCte } from "./webhooks.server";
import { auditCte } from "./audit.server";
import { newToken } from "./auth.server";
import {
  lockEventCapacity,
  lockRegistration,
  promoteWaitlisted as promoteWaiting,
  releaseSeats,
  seatsOf,
  takeSeats,
} from "./capacity.server";
import { DomainError, ERROR_MESSAGES, type ErrorCode } from "./errors.server";
import { emailJobCtes, enqueueEmail } from "./mailer.server";
import { isConfirmedMember, membersOnlyRefusal } from "./membership.server";
import { consentColumns, noticeInForce, type RegistrationConsent } from "./privacy.server";
import { inTransaction } from "./transactions.server";

type Trx = Transaction<DB>;

// ---------------------------------------------------------------------------
// The form, built from the event
// ---------------------------------------------------------------------------

/**
 * What the registration form needs to know about an event. Outside a
 * transaction it comes from a per-process cache at most FORM_TTL_MS old
 * (concurrent readers share one query): at the opening minute of a
 * convention every registration reads the same form. A change made through
 * this process (event-admin) clears it at once; another process sees it
 * within FORM_TTL_MS, as its page cache does (docs/decisions/023-speed.md).
 * Nothing is decided on it: registerWith reads the form afresh when given a
 * cached one, and takeSeats reads and locks the capacity rows.
 */
export function getRegistrationForm(db: Database, slug: string) {
  if (db.isTransaction) return readRegistrationForm(db, slug);
  const now = performance.now();
  const cached = formCache.get(slug);
  if (cached && now - cached.at < FORM_TTL_MS) return cached.form;
  if (formCache.size >= 1000) formCache.clear();
  const form = readRegistrationForm(db, slug).then((read) => {
    if (read) fromCache.add(read);
    return read;
  });
  formCache.set(slug, { at: now, form });
  form.catch(() => formCache.delete(slug));
  return form;
}

const FORM_TTL_MS = 1_000;
/** Forms that came from the cache: registerWith reads its own (a window may have just closed). */
const fromCache = new WeakSet<object>();
const formCache = new Map<string, { at: number; form: ReturnType<typeof readRegistrationForm> }>();

/** Clears the cached forms of this process: an event, session, course or window changed. */
export function forgetRegistrationForms(): void {
  formCache.clear();
}

async function readRegistrationForm(db: Database, slug: string) {
  const [event] = await registrationFormQuery(db, { slug });
  return event;
}

/** Read for every registration, inside its transaction: compiled once (db/compiled.ts). */
const registrationFormQuery = compiledQuery((db, args: { slug: string }) =>
  db
    .selectFrom("events")
    .select((eb) => [
      "events.id",
      "events.slug",
      "events.kind",
      "events.title",
      "events.starts_at",
      "events.ends_at",
      "events.status",
      "events.members_only",
      "events.max_age",
      "events.capacity",
      "events.taken",
      "events.cancellation_deadline",
      "events.course_word",
      "events.venue_id",
      "events.online_label",
      jsonArrayFrom(
        eb
          .selectFrom("event_sessions")
          .select([
            "id",
            "kind",
            "title",
            "starts_at",
            "ends_at",
            "optional",
            "capacity",
            "taken",
            "description",
          ])
          .whereRef("event_sessions.event_id", "=", "events.id")
          .where("event_sessions.status", "=", "active")
          .orderBy("starts_at")
          .orderBy("position"),
      ).as("sessions"),
      jsonArrayFrom(
        eb
          .selectFrom("courses")
          .select([
            "id",
            "code",
            "title",
            "audience",
            "facilitator",
            "adviser",
            "capacity",
            "taken",
            "allocation",
          ])
          .whereRef("courses.event_id", "=", "events.id")
          .where("courses.status", "=", "active")
          .orderBy("position"),
      ).as("courses"),
      jsonArrayFrom(
        eb
          .selectFrom("event_questions")
          .select(["id", "label", "kind", "options", "required"])
          .whereRef("event_questions.event_id", "=", "events.id")
          .orderBy("position"),
      ).as("questions"),
      jsonArrayFrom(
        eb
          .selectFrom("registration_windows")
          .select(["id", "label", "opens_at", "closes_at"])
          .whereRef("registration_windows.event_id", "=", "events.id")
          .orderBy("opens_at"),
      ).as("windows"),
    ])
    .where("slug", "=", args.slug)
    .where("status", "!=", "draft"),
);

export type RegistrationForm = NonNullable<Awaited<ReturnType<typeof readRegistrationForm>>>;

const SESSION_CHOICE = "参加する日程・企画は、表示されている「希望者のみ」の中から選んでください";

/**
 * A refusal about seats or choices in the event's own word for a course
 * (分科会, コース, …): the messages table says コース, as most events do.
 */
function seatRefusal(
  code: ErrorCode,
  event: { course_word?: string | null },
  options: { field?: string; note?: string } = {},
): DomainError {
  const word = courseWord(event);
  return new DomainError(code, {
    field: options.field,
    message: `${ERROR_MESSAGES[code].replaceAll("コース", word)}${options.note ?? ""}`,
  });
}

/**
 * The zod schema of one event's form: its course choice, optional sessions,
 * own questions, needs, and a birth date where the event has an age limit and
 * the member has none on file.
 */
export function registrationSchema(form: RegistrationForm, options: { needsBirthDate: boolean }) {
  // Built once per form object: the route's form comes from the one-second
  // cache, so a burst of registrations shares one schema (building one, and
  // zod compiling its parser on first use, was ~8% of a registration's CPU).
  let schemas = schemaCache.get(form);
  if (!schemas) {
    schemas = new Map();
    schemaCache.set(form, schemas);
  }
  let schema = schemas.get(options.needsBirthDate);
  if (!schema) {
    schema = buildRegistrationSchema(form, options);
    schemas.set(options.needsBirthDate, schema);
  }
  return schema;
}

const schemaCache = new WeakMap<
  RegistrationForm,
  Map<boolean, ReturnType<typeof buildRegistrationSchema>>
>();

function buildRegistrationSchema(form: RegistrationForm, options: { needsBirthDate: boolean }) {
  const courseIds = form.courses.map((c) => c.id);
  const optionalIds = form.sessions.filter((s) => s.optional).map((s) => s.id);
  const questionShape: Record<string, z.ZodType> = {};
  for (const q of form.questions) {
    const key = `q_${q.id}`;
    const options = q.options as string[];
    if (q.kind === "text") {
      const base = textField(q.label, 1000);
      questionShape[key] = q.required
        ? base.min(1, `「${q.label}」に回答してください`)
        : base.optional().default("");
    } else if (q.kind === "single") {
      const choice = z
        .string({ message: `「${q.label}」を選択してください` })
        .refine(
          (v) => v === "" || options.includes(v),
          `「${q.label}」は表示されている選択肢から選んでください`,
        );
      questionShape[key] = q.required
        ? choice.refine((v) => v !== "", `「${q.label}」を選択してください`)
        : choice.optional().default("");
    } else {
      const many = z
        .array(
          z
            .string()
            .refine(
              (v) => options.includes(v),
              `「${q.label}」は表示されている選択肢から選んでください`,
            ),
        )
        .max(options.length);
      questionShape[key] = q.required
        ? many.min(1, `「${q.label}」を1つ以上選択してください`)
        : many.default([]);
    }
  }
  const chooseCourse = `参加する${courseWord(form)}を選択してください`;
  return z.object({
    course:
      courseIds.length > 0
        ? rowId(chooseCourse).refine((v) => courseIds.includes(v), chooseCourse)
        : z
            .any()
            .optional()
            .transform(() => null),
    session: z
      .array(rowId(SESSION_CHOICE).refine((v) => optionalIds.includes(v), SESSION_CHOICE))
      .default([]),
    ...questionShape,
    // An online event has no meal to cater for: the form does not ask, and nothing sent is kept.
    dietary_needs:
      eventFormat(form) === "online"
        ? z
            .any()
            .optional()
            .transform(() => "")
        : textField("食事の配慮", 500).optional().default(""),
    accessibility_needs: textField("配慮が必要なこと", 500).optional().default(""),
    birth_date: options.needsBirthDate
      ? z
          .string({ message: "生年月日を入力してください" })
          .regex(/^\d{4}-\d{2}-\d{2}$/, "生年月日を入力してください")
          .refine(
            (v) => !Number.isNaN(Date.parse(v)) && v > "1900-01-01" && Date.parse(v) < Date.now(),
            "生年月日が正しくありません",
          )
      : z
          .any()
          .optional()
          .transform(() => undefined),
    waitlist: z
      .any()
      .optional()
      .transform((v) => v === "on" || v === "1" || v === "true"),
  });
}

export type RegistrationInput = {
  courseId: number | null;
  optionalSessionIds: number[];
  answers: Record<string, string | string[]>;
  dietaryNeeds: string;
  accessibilityNeeds: string;
  birthDate?: string;
  joinWaitlist: boolean;
};

/** The parsed form in the domain's terms. */
export function toRegistrationInput(
  form: RegistrationForm,
  data: Record<string, unknown>,
): RegistrationInput {
  const answers: Record<string, string | string[]> = {};
  for (const q of form.questions) {
    const v = data[`q_${q.id}`];
    if (typeof v === "string" || Array.isArray(v)) answers[String(q.id)] = v as string | string[];
  }
  return {
    courseId: (data.course as number | null) ?? null,
    optionalSessionIds: (data.session as number[]) ?? [],
    answers,
    dietaryNeeds: String(data.dietary_needs ?? ""),
    accessibilityNeeds: String(data.accessibility_needs ?? ""),
    birthDate: typeof data.birth_date === "string" ? data.birth_date : undefined,
    joinWaitlist: Boolean(data.waitlist),
  };
}

// ---------------------------------------------------------------------------
// Seats
// ---------------------------------------------------------------------------

/** Gives freed seats to the people waiting (capacity.server.ts), each recorded and emailed. */
function promoteWaitlisted(trx: Trx, eventId: number, appUrl: string): Promise<string[]> {
  return promoteWaiting(trx, eventId, (registrationId) =>
    recordRegistrationChange(trx, {
      registrationId,
      eventId,
      actorId: null,
      action: "promoted",
      detail: {},
      email: "promoted",
      appUrl,
    }),
  );
}

// ---------------------------------------------------------------------------
// Registering, changing, cancelling
// ---------------------------------------------------------------------------

const TICKET_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/** 256 random bits for the QR; never derived from an id. */
const newTicketSecret = newToken;

/** A short code to read aloud at the desk, e.g. "K7MX-3QPA-W9": 60 random bits. */
function newTicketCode(): string {
  const bytes = randomBytes(12);
  const chars = [...bytes].map((b) => TICKET_ALPHABET[b % 32]).join("");
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
}

/** Age on `onDate` (YYYY-MM-DD), by calendar, as a person counts it. */
function ageOn(birthDate: string, onDate: { year: number; month: number; day: number }): number {
  const [y, m, d] = birthDate.split("-").map(Number) as [number, number, number];
  const beforeBirthday = onDate.month < m || (onDate.month === m && onDate.day < d);
  return onDate.year - y - (beforeBirthday ? 1 : 0);
}

type EligiblePerson = Pick<
  Selectable<DB["people"]>,
  "birth_date" | "profile_completed_at" | "membership_status"
>;

/**
 * Whether this person may register for this form now, whatever they chose:
 * the event is published and its window open, their profile is complete,
 * members-only and age limits hold. Throws the refusal's DomainError; returns
 * the birth date to keep (the stored one, else the one given on the form).
 * Reads nothing, so a route, an import or a transfer can ask it first.
 */
export function assertEligible(
  person: EligiblePerson,
  form: Pick<RegistrationForm, "status" | "windows" | "members_only" | "max_age" | "starts_at">,
  options: { birthDate?: string | null; now: Date },
): { birthDate: string | null } {
  const { now } = options;
  if (form.status !== "published") throw new DomainError("event_not_open");
  const windowOpen = form.windows.some(
    (w) => new Date(w.opens_at) <= now && now < new Date(w.closes_at),
  );
  if (!windowOpen) throw new DomainError("window_closed");
  if (!person.profile_completed_at) throw new DomainError("profile_required");
  const refusal = form.members_only ? membersOnlyRefusal(person) : undefined;
  if (refusal) throw new DomainError(refusal);
  const birthDate = person.birth_date ?? options.birthDate ?? null;
  if (form.max_age !== null) {
    if (!birthDate) throw new DomainError("birth_date_required", { field: "birth_date" });
    if (ageOn(birthDate, tokyoParts(form.starts_at)) > form.max_age) {
      throw new DomainError("age_limit", {
        field: "birth_date",
        message: `このイベントは初日時点で${form.max_age}歳以下の方が対象のため、申し込めません。`,
      });
    }
  }
  return { birthDate };
}

export type RegisterResult = {
  id: string;
  status: RegistrationStatus;
  waitlistPosition: number | null;
};

/**
 * Registers a person for an event.
 *
 * Guarantees: the window is open, the person has no live registration for
 * the event, members-only and age limits hold, and a seat is taken in the same
 * transaction as the registration, so nothing oversells. When a seat is full,
 * the person goes on the waitlist if they agreed to, else `*_full`. The email
 * is queued in the same transaction. Refuses with a DomainError and writes
 * nothing.
 */
export async function register(db: Database, args: RegisterArgs): Promise<RegisterResult> {
  return inTransaction(db, (trx) => registerWith(trx, args), { unique: "already_registered" });
}

export type RegisterArgs = {
  slug: string;
  personId: string;
  input: RegistrationInput;
  /**
   * consent to the privacy notice in force, and to the needs where any are
   * filled in (privacy.server.ts); without it nothing is written
   */
  consent: RegistrationConsent;
  appUrl: string;
  /** the staff member registering on someone's behalf */
  actorId?: string;
  /** a 単組 secretary's registrations count against the union's seats */
  enforceQuota?: boolean;
  /** the form the route already read, so it is not read twice */
  form?: RegistrationForm;
  /** the person as the route already read them (the signed-in member), likewise */
  person?: Pick<
    Selectable<DB["people"]>,
    "id" | "organisation_id" | "birth_date" | "profile_completed_at" | "membership_status"
  >;
  now?: Date;
};

/** register() inside the caller's transaction, so a CSV import is all or nothing. */
export async function registerWith(trx: Trx, args: RegisterArgs): Promise<RegisterResult> {
  // A cached form may be a second old: a window that just closed, an event
  // just cancelled. Registering decides on the form as it is now.
  const form =
    args.form && !fromCache.has(args.form) ? args.form : await getRegistrationForm(trx, args.slug);
  if (!form) throw new DomainError("not_found");
  const person =
    args.person?.id === args.personId
      ? args.person
      : await trx
          .selectFrom("people")
          .select([
            "id",
            "organisation_id",
            "birth_date",
            "profile_completed_at",
            "membership_status",
          ])
          .where("id", "=", args.personId)
          .executeTakeFirst();
  if (!person) throw new DomainError("not_found");
  const { birthDate } = assertEligible(person, form, {
    birthDate: args.input.birthDate,
    now: args.now ?? new Date(),
  });

  // An online event has no meal to cater for: whatever a form, a CSV import
  // or the API sends for one is not kept (nor asks for the needs consent).
  const input =
    eventFormat(form) === "online" && args.input.dietaryNeeds !== ""
      ? { ...args.input, dietaryNeeds: "" }
      : args.input;
  const course = form.courses.find((c) => c.id === input.courseId);
  const sessionIds = form.sessions
    .filter((s) => !s.optional || input.optionalSessionIds.includes(s.id))
    .map((s) => s.id);
  // One statement: the privacy notice in force, the person's registration at
  // the event locked, and what a new registration's email says (read before
  // the seats: from the seats to COMMIT, the rows of the 分科会, and of the
  // event and sessions with a limit, are locked against every other
  // registration for them, so a confirmed seat holds them for three round
  // trips: the seats, one write, COMMIT; decision 023).
  const reads = (
    await registrationReadsQuery(trx, {
      eventId: form.id,
      personId: person.id,
      courseId: course?.id ?? 0,
      sessionIds,
    })
  )[0];
  if (!reads) throw new Error(`registerWith: event ${form.id} or person ${person.id} is gone`);
  const {
    notice_version,
    existing_id,
    existing_status,
    existing_created_at,
    existing_ticket_code,
    ...mail
  } = reads;
  const consent = consentColumns(args.consent, input, notice_version);
  if (form.courses.length > 0 && !course) {
    throw seatRefusal("course_unavailable", form, { field: "course" });
  }
  const existing =
    existing_id === null
      ? undefined
      : {
          id: existing_id,
          status: existing_status as RegistrationStatus,
          created_at: existing_created_at as Date,
          ticket_code: existing_ticket_code as string,
        };
  if (existing && existing.status !== "cancelled") throw new DomainError("already_registered");
  if (args.enforceQuota && person.organisation_id !== null) {
    await checkUnionQuota(trx, form.id, person.organisation_id);
  }
  if (!person.birth_date && birthDate) {
    await trx
      .updateTable("people")
      .set({ birth_date: birthDate })
      .where("id", "=", person.id)
      .execute();
  }
  const waitlistOnly = course?.allocation === "waitlist_only";
  const full = waitlistOnly
    ? "course_full"
    : await takeSeats(
        trx,
        { eventId: form.id, sessionIds, courseId: course?.id ?? null },
        {
          unlimited: {
            event: form.capacity === null,
            sessions: new Set(form.sessions.filter((s) => s.capacity === null).map((s) => s.id)),
            course: course?.capacity === null,
          },
        },
      );
  if (full && !input.joinWaitlist && !waitlistOnly) {
    throw seatRefusal(full, form, {
      field: full === "course_full" ? "course" : full === "session_full" ? "session" : undefined,
    });
  }
  const status: RegistrationStatus = full ? "waitlisted" : "confirmed";
  const values = {
    status,
    ticket_secret: newTicketSecret(),
    ticket_code: newTicketCode(),
    course_id: course?.id ?? null,
    dietary_needs: input.dietaryNeeds,
    accessibility_needs: input.accessibilityNeeds,
    answers: input.answers,
    ...consent,
    personal_data_removed_at: null,
    registered_by: args.actorId ?? null,
    waitlisted_at: full ? sql<Date>`clock_timestamp()` : null,
    confirmed_at: full ? null : sql<Date>`now()`,
    cancelled_at: null,
    updated_at: sql<Date>`now()`,
  };
  // Registering again after a cancellation reuses the row (one per person
  // and event) but starts clean: a new ticket (the old QR and code no longer
  // match), the time of this registration, and no check-in of the old one.
  // What the cancelled registration was stays in its history.
  const previous = existing ? await clearCancelled(trx, existing) : undefined;
  const change = {
    eventId: form.id,
    actorId: args.actorId ?? person.id,
    action: status === "confirmed" ? "registered" : "waitlisted",
    detail: {
      course_id: course?.id ?? null,
      session_ids: sessionIds,
      ...(previous ? { previous } : {}),
    },
    email: status === "confirmed" ? ("confirmed" as const) : ("waitlisted" as const),
    appUrl: args.appUrl,
  };
  const created = { status, courseId: course?.id ?? null };
  if (existing) {
    const row = await trx
      .updateTable("registrations")
      .set({ ...values, created_at: sql<Date>`now()` })
      .where("id", "=", existing.id)
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx.deleteFrom("registration_sessions").where("registration_id", "=", row.id).execute();
    if (sessionIds.length > 0) {
      await trx
        .insertInto("registration_sessions")
        .values(sessionIds.map((session_id) => ({ registration_id: row.id, session_id })))
        .execute();
    }
    await recordRegistrationChange(trx, {
      ...change,
      registrationId: row.id,
      webhook: { topic: "registration.created", data: { registrationId: row.id, ...created } },
    });
    return {
      id: row.id,
      status,
      waitlistPosition: status === "waitlisted" ? await waitlistPosition(trx, row.id) : null,
    };
  }
  const source = {
    ...mail,
    status,
    ticket_secret: values.ticket_secret,
    ticket_code: values.ticket_code,
  };
  const confirmed = status === "confirmed";
  // The registration, its sessions, its history, webhooks and (with a seat)
  // its email: one statement, what recordRegistrationChange writes included.
  const insert = trx
    .insertInto("registrations")
    .values({ ...values, event_id: form.id, person_id: person.id })
    .returning("id");
  const { ctes, jobs } = changeCtes(
    {
      ...change,
      webhook: { topic: "registration.created", data: { registrationId: "", ...created } },
    },
    confirmed ? registrationEmailOf(source, change.email, args.appUrl, null) : undefined,
  );
  const { rows } = await sql<{ id: string }>`with registration as (${insert}),
    sessions as (
      insert into registration_sessions (registration_id, session_id)
      select registration.id, unnest(${sessionIds}::int[]) from registration
    ), ${sql.join(ctes, sql`, `)}
    select registration.id, ${jobs} as jobs from registration`.execute(trx);
  const id = rows[0]?.id;
  if (!id) throw new Error("registerWith: no registration written");
  if (confirmed) return { id, status, waitlistPosition: null };
  // On the waitlist the email tells the place in line, known once the row is written.
  const position = await waitlistPosition(trx, id);
  await enqueueEmail(trx, registrationEmailOf(source, change.email, args.appUrl, position));
  return { id, status, waitlistPosition: position };
}

/**
 * Removes what a cancelled registration left on its row before the person
 * registers again (its check-ins), and returns what it was, for the history
 * entry of the new registration.
 */
async function clearCancelled(
  trx: Trx,
  existing: { id: string; created_at: Date; ticket_code: string },
): Promise<{ registered_at: string; ticket_code: string; checkins: unknown[] }> {
  const checkins = await trx
    .deleteFrom("checkins")
    .where("registration_id", "=", existing.id)
    .returning(["checkin_list_id", "checked_in_at", "desk"])
    .execute();
  return {
    registered_at: existing.created_at.toISOString(),
    ticket_code: existing.ticket_code,
    checkins: checkins.map((c) => ({
      list_id: c.checkin_list_id,
      at: c.checked_in_at.toISOString(),
      desk: c.desk,
    })),
  };
}

/**
 * A 単組 secretary may fill only the seats the organiser gave their union.
 * The quota row is locked, so two secretaries' imports cannot both take the
 * last seat.
 */
async function checkUnionQuota(trx: Trx, eventId: number, organisationId: number) {
  const quota = await trx
    .selectFrom("union_quotas")
    .select("seats")
    .where("event_id", "=", eventId)
    .where("organisation_id", "=", organisationId)
    .forUpdate()
    .executeTakeFirst();
  if (!quota) return;
  const used = await trx
    .selectFrom("registrations")
    .innerJoin("people", "people.id", "registrations.person_id")
    .select(sql<number>`count(*)::int`.as("n"))
    .where("registrations.event_id", "=", eventId)
    .where("people.organisation_id", "=", organisationId)
    .where("registrations.status", "!=", "cancelled")
    .executeTakeFirstOrThrow();
  if (used.n >= quota.seats) {
    throw new DomainError("quota_full", {
      message: `単組の割当枠(${quota.seats}名)に達しています。追加が必要な場合は県本部へご相談ください。`,
    });
  }
}

/**
 * 1 for the first in line; null when not waitlisted. The line is the one
 * promoteWaitlisted serves: those waiting before this person (by
 * waitlisted_at, then id) for what keeps this person waiting — the whole event
 * when the event is full, else this person's course when it is full, else the
 * full sessions they chose. Two full courses have a line each. Those in a
 * キャンセル待ちのみ course are confirmed by the organiser, not promoted, and
 * count only in their own course's line.
 */
export async function waitlistPosition(
  db: Database,
  registrationId: string,
): Promise<number | null> {
  const { rows } = await sql<{ position: number }>`
    with me as (
      select r.id, r.event_id, r.course_id, r.waitlisted_at, c.allocation,
        coalesce(e.capacity is not null and e.taken >= e.capacity, false) as event_full,
        coalesce(c.capacity is not null and c.taken >= c.capacity, false) or c.allocation = 'waitlist_only' as course_full
      from registrations r
      join events e on e.id = r.event_id
      left join courses c on c.id = r.course_id
      where r.id = ${registrationId} and r.status = 'waitlisted'
    ), full_sessions as (
      select rs.session_id from registration_sessions rs
      join event_sessions s on s.id = rs.session_id
      where rs.registration_id = ${registrationId} and s.capacity is not null and s.taken >= s.capacity
    )
    select (count(r.id) + 1)::int as position
    from me
    left join registrations r
      on r.event_id = me.event_id and r.status = 'waitlisted'
      and (r.waitlisted_at, r.id) < (me.waitlisted_at, me.id)
      and (
        case
          when me.allocation = 'waitlist_only' then r.course_id = me.course_id
          when me.event_full then true
          when me.course_full then r.course_id = me.course_id
          when exists (select 1 from full_sessions) then exists (
            select 1 from registration_sessions rs
            where rs.registration_id = r.id and rs.session_id in (select session_id from full_sessions))
          else true
        end
      )
      and (me.allocation = 'waitlist_only' or not exists (
        select 1 from courses rc where rc.id = r.course_id and rc.allocation = 'waitlist_only'))
    group by me.id
  `.execute(db);
  return rows[0]?.position ?? null;
}

/**
 * Cancels a registration. A member may cancel only their own, and only until
 * the event's cancellation deadline (an organiser passes `override`). A held
 * seat is freed and given to the first in line, in the same transaction.
 */
export async function cancelRegistration(
  db: Database,
  args: {
    registrationId: string;
    personId?: string;
    /** set when staff act: the registration must be of this event, and it is audited */
    eventId?: number;
    actorId: string;
    appUrl: string;
    override?: boolean;
    now?: Date;
  },
): Promise<{ promoted: string[] }> {
  const now = args.now ?? new Date();
  return await inTransaction(db, async (trx) => {
    const reg = await ownedRegistration(trx, args.registrationId, args.personId, args.eventId);
    const event = await trx
      .selectFrom("events")
      .select(["cancellation_deadline", "starts_at"])
      .where("id", "=", reg.event_id)
      .executeTakeFirstOrThrow();
    const deadline = event.cancellation_deadline ?? event.starts_at;
    if (!args.override && now > deadline) throw new DomainError("cancellation_closed");
    await lockEventCapacity(trx, reg.event_id);
    const current = await lockRegistration(trx, { id: reg.id });
    if (!current) throw new DomainError("not_found");
    if (current.status === "cancelled") throw new DomainError("already_cancelled");
    if (current.status === "confirmed") {
      await releaseSeats(trx, await seatsOf(trx, reg.id, reg.event_id, current.course_id));
    }
    await trx
      .updateTable("registrations")
      .set({ status: "cancelled", cancelled_at: sql`now()`, updated_at: sql`now()` })
      .where("id", "=", reg.id)
      .execute();
    await recordRegistrationChange(trx, {
      registrationId: reg.id,
      eventId: reg.event_id,
      actorId: args.actorId,
      action: "cancelled",
      detail: { previous: current.status },
      audit: args.eventId !== undefined ? { action: "cancel" } : undefined,
      email: "cancelled",
      webhook: {
        topic: "registration.cancelled",
        data: { registrationId: reg.id, previousStatus: current.status },
      },
      appUrl: args.appUrl,
    });
    const promoted =
      current.status === "confirmed" ? await promoteWaitlisted(trx, reg.event_id, args.appUrl) : [];
    return { promoted };
  });
}

/**
 * An organiser gives a waitlisted person a seat. Capacity holds unless they
 * explicitly override it. Audited, and the person is emailed.
 */
export async function confirmWaitlisted(
  db: Database,
  args: {
    registrationId: string;
    eventId: number;
    actorId: string;
    appUrl: string;
    override?: boolean;
  },
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const reg = await ownedRegistration(trx, args.registrationId, undefined, args.eventId);
    await lockEventCapacity(trx, reg.event_id);
    const current = await lockRegistration(trx, { id: reg.id });
    if (!current) throw new DomainError("not_found");
    if (current.status !== "waitlisted") throw new DomainError("not_waitlisted");
    const full = await takeSeats(trx, await seatsOf(trx, reg.id, reg.event_id, current.course_id), {
      force: args.override,
    });
    if (full) {
      const event = await trx
        .selectFrom("events")
        .select("course_word")
        .where("id", "=", reg.event_id)
        .executeTakeFirstOrThrow();
      throw seatRefusal(full, event, {
        note: "(定員を超えて確定する場合は「定員を超えても確定する」にチェックしてください)",
      });
    }
    await trx
      .updateTable("registrations")
      .set({ status: "confirmed", confirmed_at: sql`now()`, updated_at: sql`now()` })
      .where("id", "=", reg.id)
      .execute();
    await recordRegistrationChange(trx, {
      registrationId: reg.id,
      eventId: reg.event_id,
      actorId: args.actorId,
      action: "confirmed_by_organiser",
      detail: { override: Boolean(args.override) },
      audit: { action: "confirm" },
      email: "promoted",
      appUrl: args.appUrl,
    });
  });
}

/**
 * Changes the course and optional sessions. A confirmed registration keeps its
 * seats unless the new choice has room (`course_full` / `session_full`
 * otherwise, and nothing changes); seats it gives up go to the waitlist.
 * A session id that is not an optional session of this event is refused
 * (`session_unavailable`), never quietly dropped. When the choice is what the
 * registration already has, nothing is written and no email is sent
 * (`changed: false`).
 */
export async function changeRegistration(
  db: Database,
  args: {
    registrationId: string;
    personId?: string;
    /** set when staff act: the registration must be of this event, and it is audited */
    eventId?: number;
    actorId: string;
    courseId: number | null;
    /** the optional sessions wanted; omitted, the registration keeps the ones it has */
    optionalSessionIds?: number[];
    appUrl: string;
    /** staff only: past the deadline, and past a full capacity */
    override?: boolean;
    now?: Date;
  },
): Promise<{ promoted: string[]; changed: boolean }> {
  const now = args.now ?? new Date();
  return await inTransaction(db, async (trx) => {
    const reg = await ownedRegistration(trx, args.registrationId, args.personId, args.eventId);
    const slug = await trx
      .selectFrom("events")
      .select("slug")
      .where("id", "=", reg.event_id)
      .executeTakeFirstOrThrow();
    const form = await getRegistrationForm(trx, slug.slug);
    if (!form) throw new DomainError("not_found");
    const deadline = form.cancellation_deadline ?? form.starts_at;
    if (args.eventId === undefined && now > new Date(deadline)) {
      throw new DomainError("cancellation_closed");
    }
    const course = form.courses.find((c) => c.id === args.courseId);
    if (form.courses.length > 0 && !course)
      throw seatRefusal("course_unavailable", form, { field: "course" });
    const optionalIds = new Set(form.sessions.filter((s) => s.optional).map((s) => s.id));
    if (args.optionalSessionIds?.some((id) => !optionalIds.has(id)))
      throw new DomainError("session_unavailable", { field: "session" });

    await lockEventCapacity(trx, reg.event_id);
    const current = await lockRegistration(trx, { id: reg.id });
    if (!current) throw new DomainError("not_found");
    if (current.status === "cancelled") throw new DomainError("already_cancelled");
    const before = await seatsOf(trx, reg.id, reg.event_id, current.course_id);
    const wanted = args.optionalSessionIds ?? before.sessionIds.filter((id) => optionalIds.has(id));
    const sessionIds = form.sessions
      .filter((s) => !s.optional || wanted.includes(s.id))
      .map((s) => s.id);
    const unchanged =
      (course?.id ?? null) === current.course_id &&
      sessionIds.length === new Set(before.sessionIds).size &&
      sessionIds.every((id) => before.sessionIds.includes(id));
    if (unchanged) return { promoted: [], changed: false };
    if (current.status === "confirmed") {
      await releaseSeats(trx, before);
      const full = await takeSeats(
        trx,
        { eventId: reg.event_id, sessionIds, courseId: course?.id ?? null },
        { force: args.override },
      );
      if (full)
        throw seatRefusal(full, form, { field: full === "course_full" ? "course" : "session" });
    }
    await trx
      .updateTable("registrations")
      .set({ course_id: course?.id ?? null, updated_at: sql`now()` })
      .where("id", "=", reg.id)
      .execute();
    await trx.deleteFrom("registration_sessions").where("registration_id", "=", reg.id).execute();
    if (sessionIds.length > 0) {
      await trx
        .insertInto("registration_sessions")
        .values(sessionIds.map((session_id) => ({ registration_id: reg.id, session_id })))
        .execute();
    }
    await recordRegistrationChange(trx, {
      registrationId: reg.id,
      eventId: reg.event_id,
      actorId: args.actorId,
      action: "changed",
      detail: {
        from: { course_id: current.course_id, session_ids: before.sessionIds },
        to: { course_id: course?.id ?? null, session_ids: sessionIds },
      },
      audit:
        args.eventId !== undefined
          ? {
              action: "change",
              detail: {
                course_id: course?.id ?? null,
                session_ids: sessionIds,
                override: Boolean(args.override),
              },
            }
          : undefined,
      email: "changed",
      appUrl: args.appUrl,
    });
    const promoted =
      current.status === "confirmed" ? await promoteWaitlisted(trx, reg.event_id, args.appUrl) : [];
    return { promoted, changed: true };
  });
}

/**
 * The registration, if it exists and belongs to the person (a member acting)
 * or to the event (staff acting, already checked by getEventAccess).
 */
async function ownedRegistration(
  trx: Trx,
  registrationId: string,
  personId?: string,
  eventId?: number,
) {
  if (!/^\d{1,18}$/.test(registrationId)) throw new DomainError("not_found");
  let query = trx
    .selectFrom("registrations")
    .select(["id", "event_id", "person_id"])
    .where("id", "=", registrationId);
  if (personId !== undefined) query = query.where("person_id", "=", personId);
  if (eventId !== undefined) query = query.where("event_id", "=", eventId);
  const reg = await query.executeTakeFirst();
  if (!reg) throw new DomainError("not_found");
  return reg;
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

/** The columns of the event, the person and the venue that a registration's email says. */
const EMAIL_COLUMNS = [
  "events.slug",
  "events.title",
  "events.starts_at",
  "events.ends_at",
  "events.online_label",
  "events.online_url",
  "events.cancellation_deadline",
  "events.course_word",
  "events.members_only",
  "people.membership_status",
  "people.family_name",
  "people.given_name",
  "people.email",
  "venues.name as venue_name",
  "venues.address as venue_address",
  "venues.map_url as venue_map_url",
] as const;

/** The course as emails and lists name it: 「A1 自治体DX」, or null without one. */
const courseLabel = sql<
  string | null
>`case when courses.id is null then null else trim(courses.code || ' ' || courses.title) end`.as(
  "course_label",
);

/** One registration with what its ticket, email and /me need. */
function registrationDetails(db: Database) {
  return db
    .selectFrom("registrations")
    .innerJoin("events", "events.id", "registrations.event_id")
    .innerJoin("people", "people.id", "registrations.person_id")
    .leftJoin("venues", "venues.id", "events.venue_id")
    .leftJoin("courses", "courses.id", "registrations.course_id")
    .select((eb) => [
      "registrations.id",
      "registrations.status",
      "registrations.ticket_secret",
      "registrations.ticket_code",
      "registrations.course_id",
      "registrations.dietary_needs",
      "registrations.accessibility_needs",
      "registrations.created_at",
      "events.id as event_id",
      "events.kind",
      "events.venue_id",
      "events.status as event_status",
      ...EMAIL_COLUMNS,
      eb
        .selectFrom("organisations")
        .select("organisations.name")
        .whereRef("organisations.id", "=", "events.organiser_organisation_id")
        .as("organiser_name"),
      courseLabel,
      jsonArrayFrom(
        eb
          .selectFrom("registration_sessions")
          .innerJoin("event_sessions", "event_sessions.id", "registration_sessions.session_id")
          .select([
            "event_sessions.id",
            "event_sessions.title",
            "event_sessions.optional",
            "event_sessions.starts_at",
          ])
          .whereRef("registration_sessions.registration_id", "=", "registrations.id")
          .orderBy("event_sessions.starts_at"),
      ).as("sessions"),
      programmeOf(eb),
    ]);
}

/** The event's programme (its emails and calendar files list it), for a query over `events`. */
function programmeOf(eb: ExpressionBuilder<DB, "events">) {
  return jsonArrayFrom(
    eb
      .selectFrom("programme_items")
      .select(["programme_items.starts_at", "programme_items.title", "programme_items.speaker"])
      .whereRef("programme_items.event_id", "=", "events.id")
      .orderBy("programme_items.starts_at")
      .orderBy("programme_items.position"),
  ).as("programme");
}

/** A member's registrations, latest event first. Filters by the owner. */
export async function listMyRegistrations(db: Database, personId: string) {
  const rows = await registrationDetails(db)
    .where("registrations.person_id", "=", personId)
    .orderBy("events.starts_at", "desc")
    .execute();
  const withPositions = [];
  for (const row of rows) {
    withPositions.push({
      ...row,
      // The Zoom link and the ticket go only to confirmed registrants.
      online_url: mayJoinOnline(row) ? row.online_url : "",
      membership_pending: row.members_only && membersOnlyRefusal(row) !== undefined,
      ticket_secret: row.status === "confirmed" ? row.ticket_secret : "",
      waitlist_position: row.status === "waitlisted" ? await waitlistPosition(db, row.id) : null,
    });
  }
  return withPositions;
}

/** What changed in a registration, for recordRegistrationChange. */
export type RegistrationChange = {
  registrationId: string;
  eventId: number;
  /** who acted: the person, a staff member, or null (the system: a promotion) */
  actorId: string | null;
  /** the history entry: its action and detail */
  action: string;
  detail: Record<string, unknown>;
  /** when staff acted: the audit entry (its detail defaults to the history's) */
  audit?: { action: string; detail?: Record<string, unknown> };
  /** the email the member gets, as the registration stands after the change */
  email?: RegistrationEmailKind;
  /** the webhook deliveries to queue */
  webhook?: { topic: WebhookTopic; data: Record<string, unknown> };
  appUrl: string;
};

/**
 * The one recorder of a registration change, as pretix's log_action: the
 * history entry, the audit entry, the email and the webhooks, all in the
 * caller's transaction (they commit with the change or not at all), in one
 * statement after the read the email needs. Every change to a registration
 * goes through here, so none forgets a side effect.
 */
export async function recordRegistrationChange(trx: Trx, change: RegistrationChange) {
  const email = change.email
    ? await registrationEmail(trx, change.registrationId, change.email, change.appUrl)
    : undefined;
  const { ctes, jobs } = changeCtes(change, email);
  await sql`with ${sql.join(ctes, sql`, `)} select ${jobs} as jobs`.execute(trx);
}

/**
 * recordRegistrationChange's statement, as CTEs for the caller's statement,
 * and `jobs`, which the statement must select (a job's CTE runs only when
 * read). The registration is `change.registrationId`, or, without one, the
 * row the statement's own CTE `registration` inserts (the webhook's body
 * gets its id there). `email` is the message the change sends, if any.
 */
function changeCtes(
  change: Omit<RegistrationChange, "registrationId"> & { registrationId?: string },
  email: { to: string; message: EmailMessage } | undefined,
) {
  const inserted = change.registrationId === undefined;
  const id = inserted ? sql<string>`(select id from registration)` : sql`${change.registrationId}`;
  const ctes = [
    sql`history as (
      insert into registration_history (registration_id, actor_person_id, action, detail)
      values (${id}, ${change.actorId}, ${change.action}, ${change.detail}::jsonb)
    )`,
  ];
  const reads = [sql`0`];
  if (change.audit) {
    if (change.registrationId === undefined) {
      throw new Error("changeCtes: an audit entry needs the registration's id");
    }
    ctes.push(
      auditCte({
        actorId: change.actorId,
        eventId: change.eventId,
        entity: "registration",
        entityId: change.registrationId,
        action: change.audit.action,
        detail: change.audit.detail ?? change.detail,
      }),
    );
  }
  if (email) {
    ctes.push(emailJobCtes(email));
    reads.push(sql`(select count(*) from email_job)`);
  }
  if (change.webhook) {
    const cause = { eventId: change.eventId, ...change.webhook };
    if (inserted) {
      const [before = "", after = ""] = webhookBodyAround(cause, ["registrationId"]);
      ctes.push(
        sql`webhook_jobs as (${webhookJobs({
          ...cause,
          body: sql<string>`${before}::text || to_json(registration.id::text)::text || ${after}::text`,
          from: sql`registration`,
        })})`,
      );
    } else {
      ctes.push(webhookJobsCte(cause));
    }
    reads.push(sql`(select count(*) from webhook_jobs)`);
  }
  return { ctes, jobs: sql.join(reads, sql` + `) };
}

/** Read for every registration's email: compiled once (db/compiled.ts). */
const registrationByIdQuery = compiledQuery((db, args: { registrationId: string }) =>
  registrationDetails(db).where("registrations.id", "=", args.registrationId),
);

/** The registration email of `kind`, as the registration stands now. */
async function registrationEmail(
  trx: Trx,
  registrationId: string,
  kind: RegistrationEmailKind,
  appUrl: string,
) {
  const [r] = await registrationByIdQuery(trx, { registrationId });
  if (!r) throw new Error(`registration ${registrationId} not found`);
  const position = r.status === "waitlisted" ? await waitlistPosition(trx, r.id) : null;
  return registrationEmailOf(r, kind, appUrl, position);
}

/** What a registration's email is made of (registrationDetails' row, or newRegistrationMail's). */
type EmailSource = Pick<
  Details,
  | "status"
  | "ticket_secret"
  | "ticket_code"
  | "family_name"
  | "given_name"
  | "email"
  | "course_label"
  | "title"
  | "slug"
  | "starts_at"
  | "ends_at"
  | "venue_name"
  | "venue_address"
  | "venue_map_url"
  | "online_label"
  | "online_url"
  | "members_only"
  | "membership_status"
  | "course_word"
  | "cancellation_deadline"
  | "programme"
> & { sessions: { title: string }[] };

/** The registration email of `kind` for the registration `r` describes. */
function registrationEmailOf(
  r: EmailSource,
  kind: RegistrationEmailKind,
  appUrl: string,
  waitlistPosition: number | null,
) {
  const confirmed = r.status === "confirmed";
  const payload: RegistrationEmail = {
    kind,
    name: `${r.family_name} ${r.given_name}`.trim(),
    event: toEmailEvent(r),
    ticketSecret: confirmed && kind !== "cancelled" ? r.ticket_secret : undefined,
    ticketCode: r.ticket_code,
    course: r.course_label ?? undefined,
    sessions: r.sessions.map((s) => s.title),
    waitlistPosition: r.status === "waitlisted" ? (waitlistPosition ?? undefined) : undefined,
    manageUrl: `${appUrl}/me`,
  };
  return { to: r.email, message: { template: "registration" as const, payload } };
}

/**
 * A registration's reads after its form, in one statement (registerWith):
 * the privacy notice in force; the person's registration at the event,
 * locked (`existing_*`, null without one); and registrationDetails' columns
 * that an email needs, for a registration not yet written: the event, the
 * person, the course and the sessions it will have. Read before its seats
 * are taken, so that the rows of a popular 分科会 stay locked for as few
 * round trips as possible.
 */
const registrationReadsQuery = compiledQuery(
  (db, a: { eventId: number; personId: string; courseId: number; sessionIds: number[] }) =>
    db
      .with(
        (cte) => cte("existing").materialized(),
        // the person's registration at the event, locked (4 of the lock order)
        (qc) =>
          qc
            .selectFrom("registrations")
            .select(["id", "status", "created_at", "ticket_code"])
            .where("event_id", "=", a.eventId)
            .where("person_id", "=", a.personId)
            .forUpdate(),
      )
      .selectFrom("events")
      .innerJoin("people", (j) => j.on("people.id", "=", a.personId))
      .leftJoin("venues", "venues.id", "events.venue_id")
      .leftJoin("courses", (j) =>
        j.on("courses.id", "=", a.courseId).onRef("courses.event_id", "=", "events.id"),
      )
      // one row at most (a person has one registration at an event)
      .leftJoin("existing", (j) => j.onTrue())
      .select((eb) => [
        ...EMAIL_COLUMNS,
        courseLabel,
        jsonArrayFrom(
          eb
            .selectFrom("event_sessions")
            .select(["event_sessions.title"])
            .where(sql<boolean>`event_sessions.id = any(${a.sessionIds}::int[])`)
            .whereRef("event_sessions.event_id", "=", "events.id")
            .orderBy("event_sessions.starts_at"),
        ).as("sessions"),
        programmeOf(eb),
        noticeInForce(db).as("notice_version"),
        "existing.id as existing_id",
        "existing.status as existing_status",
        "existing.created_at as existing_created_at",
        "existing.ticket_code as existing_ticket_code",
      ])
      .where("events.id", "=", a.eventId),
);

type Details = Awaited<
  ReturnType<ReturnType<typeof registrationDetails>["executeTakeFirstOrThrow"]>
>;

/**
 * The Zoom link goes to a confirmed seat, and, at a members-only event, only
 * while the person is a confirmed member of their 単組.
 */
function mayJoinOnline(r: Pick<Details, "status" | "members_only" | "membership_status">): boolean {
  return r.status === "confirmed" && (!r.members_only || isConfirmedMember(r));
}

/** The event as emails and calendars show it; the Zoom link only for a confirmed seat. */
function toEmailEvent(r: EmailSource): EmailEvent {
  return {
    title: r.title,
    slug: r.slug,
    startsAt: new Date(r.starts_at).toISOString(),
    endsAt: new Date(r.ends_at).toISOString(),
    venueName: r.venue_name ?? "",
    venueAddress: r.venue_address ?? "",
    mapUrl: r.venue_map_url ?? "",
    onlineLabel: r.online_label,
    onlineUrl: mayJoinOnline(r) && r.online_url ? r.online_url : undefined,
    courseWord: courseWord(r),
    cancellationDeadline: r.cancellation_deadline
      ? new Date(r.cancellation_deadline).toISOString()
      : undefined,
    programme: r.programme.map((p) => ({
      startsAt: p.starts_at,
      title: p.title,
      speaker: p.speaker,
    })),
  };
}

/** The member's own registration as an .ics calendar file, or undefined. */
export async function registrationIcs(
  db: Database,
  args: { personId: string; registrationId: string; appUrl: string },
): Promise<string | undefined> {
  if (!/^\d{1,18}$/.test(args.registrationId)) return undefined;
  const r = await registrationDetails(db)
    .where("registrations.id", "=", args.registrationId)
    .where("registrations.person_id", "=", args.personId)
    .where("registrations.status", "!=", "cancelled")
    .executeTakeFirst();
  return r ? eventIcs(toEmailEvent(r), { manageUrl: `${args.appUrl}/me` }) : undefined;
}
