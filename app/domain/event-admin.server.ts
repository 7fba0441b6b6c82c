import { sql, type Transaction } from "kysely";
import { z } from "zod";
import type { Database, DB } from "../../db/index";
import type { EventKind } from "../../db/schema";
import { WHOLE_EVENT_LIST_NAME } from "../checkin/result";
import { fromTokyoInput } from "../utils/format";
import { NO_CONTROL_CHARS, textField, rowId } from "../utils/forms";
import {
  COURSE_WORDS,
  defaultCourseWord,
  EVENT_KIND_LABELS,
  isCourseWord,
  SESSION_KIND_LABELS,
} from "../utils/labels";
import { audit } from "./audit.server";
import type { SessionUser } from "./auth.server";
import { DomainError } from "./errors.server";
import { enqueueEmail } from "./mailer.server";
import { visibleEventIds } from "./permissions.server";
import { recountTaken } from "./capacity.server";
import { forgetRegistrationForms } from "./registrations.server";
import { inTransaction } from "./transactions.server";

/**
 * Organisers set events up here: create, edit, publish, close, cancel, copy
 * for next year, and the sessions, courses and questions inside. Every change
 * is audited; a cancellation emails everyone it affects.
 */
const text = (label: string, max: number, required = true) =>
  required ? textField(label, max, { required: true }) : textField(label, max).default("");
const when = (label: string) =>
  z.string({ message: `${label}を入力してください` }).transform((v, ctx) => {
    const date = fromTokyoInput(v);
    if (!date) {
      ctx.addIssue({ code: "custom", message: `${label}を「年/月/日 時:分」で入力してください` });
      return z.NEVER;
    }
    return date;
  });
const whenOptional = (label: string) =>
  z
    .string({ message: `${label}を「年/月/日 時:分」で入力してください` })
    .optional()
    .transform((v, ctx) => {
      if (!v) return null;
      const date = fromTokyoInput(v);
      if (!date) {
        ctx.addIssue({ code: "custom", message: `${label}を「年/月/日 時:分」で入力してください` });
        return z.NEVER;
      }
      return date;
    });
const count = (label: string) =>
  z
    .string({ message: `${label}は0以上の整数で入力してください(空欄は制限なし)` })
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return null;
      const n = Number(v.normalize("NFKC"));
      if (!Number.isInteger(n) || n < 0 || n > 100_000) {
        ctx.addIssue({
          code: "custom",
          message: `${label}は0以上の整数で入力してください(空欄は制限なし)`,
        });
        return z.NEVER;
      }
      return n;
    });
const url = (label: string) =>
  z
    .string({ message: `${label}は https:// で始まるURLを入力してください` })
    .trim()
    .max(500, `${label}は500文字以内で入力してください`)
    .refine(
      (v) => v === "" || /^https:\/\/[^\s]+$/.test(v),
      `${label}は https:// で始まるURLを入力してください`,
    )
    .default("");

export const eventFormSchema = z
  .object({
    title: text("イベント名", 200),
    slug: z
      .string({ message: "URL名を入力してください" })
      .trim()
      .regex(
        /^[a-z0-9][a-z0-9-]{1,60}$/,
        "URL名は半角英小文字・数字・ハイフンで2〜61文字にしてください(例: kenshukai-21)",
      ),
    kind: z.enum(Object.keys(EVENT_KIND_LABELS) as [EventKind, ...EventKind[]], {
      message: "種別を選択してください",
    }),
    course_word: z
      .string()
      .optional()
      .refine((v) => !v || isCourseWord(v), {
        message: `「選択肢の呼び方」は${COURSE_WORDS.join("・")}から選んでください`,
      })
      .transform((v) => (v && isCourseWord(v) ? v : undefined)),
    summary: text("概要", 300, false),
    description: text("企画の説明", 5000, false),
    notes: text("お知らせ", 2000, false),
    privacy_purposes: text("このイベントでの個人情報の追加の利用目的", 2000, false),
    starts_at: when("開始日時"),
    ends_at: when("終了日時"),
    venue_name: text("会場名", 200, false),
    venue_address: text("住所", 300, false),
    venue_phone: text("電話番号", 30, false),
    venue_map_url: url("地図のURL"),
    online_label: text("オンラインの表示", 100, false),
    online_url: url("オンライン参加URL"),
    members_only: z
      .any()
      .optional()
      .transform((v) => v === "on"),
    max_age: count("年齢制限"),
    capacity: count("定員"),
    opens_at: when("申込開始日時"),
    closes_at: when("申込締切日時"),
    cancellation_deadline: whenOptional("キャンセル期限"),
  })
  .superRefine((v, ctx) => {
    if (v.ends_at < v.starts_at)
      ctx.addIssue({
        code: "custom",
        path: ["ends_at"],
        message: "終了日時は開始日時より後にしてください",
      });
    if (v.closes_at <= v.opens_at)
      ctx.addIssue({
        code: "custom",
        path: ["closes_at"],
        message: "申込締切は申込開始より後にしてください",
      });
    if (!v.venue_name && !v.online_label)
      ctx.addIssue({
        code: "custom",
        path: ["venue_name"],
        message: "会場名か、オンラインの表示(例: オンライン(Zoom))のどちらかを入力してください",
      });
  });
export type EventFormInput = z.infer<typeof eventFormSchema>;

/** The event as the edit form shows it. */
export async function getEventForEdit(db: Database, eventId: number) {
  const event = await db
    .selectFrom("events")
    .leftJoin("venues", "venues.id", "events.venue_id")
    .selectAll("events")
    .select([
      "venues.name as venue_name",
      "venues.address as venue_address",
      "venues.phone as venue_phone",
      "venues.map_url as venue_map_url",
    ])
    .where("events.id", "=", eventId)
    .executeTakeFirstOrThrow();
  const window = await db
    .selectFrom("registration_windows")
    .select(["opens_at", "closes_at"])
    .where("event_id", "=", eventId)
    .orderBy("opens_at")
    .executeTakeFirst();
  const sessions = await db
    .selectFrom("event_sessions")
    .selectAll()
    .where("event_id", "=", eventId)
    .orderBy("starts_at")
    .orderBy("position")
    .execute();
  const courses = await db
    .selectFrom("courses")
    .selectAll()
    .where("event_id", "=", eventId)
    .orderBy("position")
    .execute();
  const questions = await db
    .selectFrom("event_questions")
    .selectAll()
    .where("event_id", "=", eventId)
    .orderBy("position")
    .execute();
  return { event, window, sessions, courses, questions };
}

async function upsertVenue(db: Database, input: EventFormInput): Promise<number | null> {
  if (!input.venue_name) return null;
  const existing = await db
    .selectFrom("venues")
    .select("id")
    .where("name", "=", input.venue_name)
    .where("address", "=", input.venue_address)
    .executeTakeFirst();
  if (existing) {
    await db
      .updateTable("venues")
      .set({ phone: input.venue_phone, map_url: input.venue_map_url })
      .where("id", "=", existing.id)
      .execute();
    return existing.id;
  }
  const row = await db
    .insertInto("venues")
    .values({
      name: input.venue_name,
      address: input.venue_address,
      phone: input.venue_phone,
      map_url: input.venue_map_url,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

function eventColumns(input: EventFormInput, venueId: number | null) {
  return {
    slug: input.slug,
    kind: input.kind,
    title: input.title,
    summary: input.summary,
    description: input.description,
    notes: input.notes,
    privacy_purposes: input.privacy_purposes,
    starts_at: input.starts_at,
    ends_at: input.ends_at,
    venue_id: venueId,
    online_label: input.online_label,
    online_url: input.online_url,
    members_only: input.members_only,
    max_age: input.max_age,
    capacity: input.capacity,
    cancellation_deadline: input.cancellation_deadline,
    course_word: input.course_word ?? defaultCourseWord(input.kind),
  };
}

/** A slug that another event has (its unique key), as the form shows it. */
const SLUG_TAKEN = {
  code: "invalid_input",
  field: "slug",
  message: "このURL名は既に使われています。別の名前にしてください。",
} as const;

/** A new event, as a draft, given to the organiser who made it. */
export async function createEvent(
  db: Database,
  args: { user: SessionUser; input: EventFormInput },
): Promise<number> {
  return inTransaction(
    db,
    async (trx) => {
      const venueId = await upsertVenue(trx, args.input);
      const { id } = await trx
        .insertInto("events")
        .values({
          ...eventColumns(args.input, venueId),
          organiser_organisation_id: args.user.organisation_id ?? (await hqId(trx)),
          status: "draft",
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await trx
        .insertInto("registration_windows")
        .values({
          event_id: id,
          label: "参加申込",
          opens_at: args.input.opens_at,
          closes_at: args.input.closes_at,
        })
        .execute();
      await trx
        .insertInto("checkin_lists")
        .values({ event_id: id, session_id: null, name: WHOLE_EVENT_LIST_NAME })
        .execute();
      if (args.user.role === "organiser") {
        await trx
          .insertInto("event_staff")
          .values({ event_id: id, person_id: args.user.id, role: "organiser" })
          .execute();
      }
      await audit(trx, {
        actorId: args.user.id,
        eventId: id,
        entity: "event",
        entityId: id,
        action: "create",
        detail: { title: args.input.title },
      });
      return id;
    },
    { unique: SLUG_TAKEN },
  );
}

async function hqId(db: Database): Promise<number> {
  const row = await db
    .selectFrom("organisations")
    .select("id")
    .where("kind", "=", "prefectural_hq")
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Saves the event. Lowering a capacity below the seats already taken is
 * refused with a warning unless `confirmed` (the organiser saw it).
 */
export async function updateEvent(
  db: Database,
  args: { eventId: number; actorId: string; input: EventFormInput; confirmed: boolean },
): Promise<{ warning?: string }> {
  return inTransaction(
    db,
    async (trx) => {
      const current = await trx
        .selectFrom("events")
        .select(["taken", "capacity"])
        .where("id", "=", args.eventId)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const taken = await recountTaken(trx, { table: "events", id: args.eventId });
      if (args.input.capacity !== null && args.input.capacity < taken && !args.confirmed) {
        return {
          warning: `定員(${args.input.capacity}名)が、既に確定している${taken}名を下回ります。確定済みの方はそのままです。よろしければ「この内容で保存する」を押してください。`,
        };
      }
      const venueId = await upsertVenue(trx, args.input);
      await trx
        .updateTable("events")
        .set({ ...eventColumns(args.input, venueId), updated_at: sql`now()` })
        .where("id", "=", args.eventId)
        .execute();
      const window = await trx
        .selectFrom("registration_windows")
        .select("id")
        .where("event_id", "=", args.eventId)
        .orderBy("opens_at")
        .executeTakeFirst();
      if (window) {
        await trx
          .updateTable("registration_windows")
          .set({ opens_at: args.input.opens_at, closes_at: args.input.closes_at })
          .where("id", "=", window.id)
          .execute();
      } else {
        await trx
          .insertInto("registration_windows")
          .values({
            event_id: args.eventId,
            label: "参加申込",
            opens_at: args.input.opens_at,
            closes_at: args.input.closes_at,
          })
          .execute();
      }
      await audit(trx, {
        actorId: args.actorId,
        eventId: args.eventId,
        entity: "event",
        entityId: args.eventId,
        action: "update",
        detail: { capacity: { from: current.capacity, to: args.input.capacity } },
      });
      return {};
    },
    { unique: SLUG_TAKEN },
  ).finally(forgetRegistrationForms);
}

/** Publishes, closes or cancels. Cancelling cancels every live registration and emails each person. */
export async function setEventStatus(
  db: Database,
  args: {
    eventId: number;
    actorId: string;
    status: "published" | "closed" | "cancelled";
    reason?: string;
    appUrl: string;
  },
): Promise<{ notified: number }> {
  return inTransaction(db, async (trx) => {
    const event = await trx
      .selectFrom("events")
      .select(["id", "title", "status"])
      .where("id", "=", args.eventId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    await trx
      .updateTable("events")
      .set({ status: args.status, updated_at: sql`now()` })
      .where("id", "=", args.eventId)
      .execute();
    let notified = 0;
    if (args.status === "cancelled") {
      const affected = await trx
        .updateTable("registrations")
        .set({ status: "cancelled", cancelled_at: sql`now()`, updated_at: sql`now()` })
        .where("event_id", "=", args.eventId)
        .where("status", "!=", "cancelled")
        .returning(["id", "person_id"])
        .execute();
      await trx.updateTable("events").set({ taken: 0 }).where("id", "=", args.eventId).execute();
      await trx
        .updateTable("event_sessions")
        .set({ taken: 0 })
        .where("event_id", "=", args.eventId)
        .execute();
      await trx
        .updateTable("courses")
        .set({ taken: 0 })
        .where("event_id", "=", args.eventId)
        .execute();
      notified = await noticeTo(trx, {
        registrationIds: affected.map((a) => a.id),
        subject: `【中止】${event.title}`,
        body: `「${event.title}」は中止となりました。お申し込みはキャンセルされました。${args.reason ? `\n\n${args.reason}` : ""}`,
        eventTitle: event.title,
        appUrl: args.appUrl,
      });
    }
    await audit(trx, {
      actorId: args.actorId,
      eventId: args.eventId,
      entity: "event",
      entityId: args.eventId,
      action: args.status,
      detail: { from: event.status, notified },
    });
    return { notified };
  }).finally(forgetRegistrationForms);
}

/** Emails a notice to the people behind the given registrations, through the outbox. */
export async function noticeTo(
  db: Transaction<DB>,
  args: {
    registrationIds: string[];
    subject: string;
    body: string;
    eventTitle: string;
    appUrl: string;
  },
): Promise<number> {
  if (args.registrationIds.length === 0) return 0;
  const people = await db
    .selectFrom("registrations")
    .innerJoin("people", "people.id", "registrations.person_id")
    .select(["people.email", "people.family_name", "people.given_name"])
    .where("registrations.id", "in", args.registrationIds)
    .execute();
  for (const p of people) {
    await enqueueEmail(db, {
      to: p.email,
      message: {
        template: "notice",
        payload: {
          name: `${p.family_name} ${p.given_name}`.trim(),
          subject: args.subject,
          body: args.body,
          eventTitle: args.eventTitle,
          manageUrl: `${args.appUrl}/me`,
        },
      },
    });
  }
  return people.length;
}

/**
 * Copies an event for next year's edition: its sessions, courses, questions
 * and window, moved by the days between the old and the new first day. The
 * copy is a draft with no registrations.
 */
export async function copyEvent(
  db: Database,
  args: { eventId: number; user: SessionUser; newSlug: string; newStart: Date },
): Promise<number> {
  return inTransaction(
    db,
    async (trx) => {
      const e = await trx
        .selectFrom("events")
        .selectAll()
        .where("id", "=", args.eventId)
        .executeTakeFirstOrThrow();
      const shiftMs = args.newStart.getTime() - e.starts_at.getTime();
      const shift = (d: Date | null) => (d ? new Date(d.getTime() + shiftMs) : null);
      const { id } = await trx
        .insertInto("events")
        .values({
          slug: args.newSlug,
          kind: e.kind,
          title: e.title,
          summary: e.summary,
          description: e.description,
          notes: e.notes,
          privacy_purposes: e.privacy_purposes,
          organiser_organisation_id: e.organiser_organisation_id,
          starts_at: shift(e.starts_at)!,
          ends_at: shift(e.ends_at)!,
          venue_id: e.venue_id,
          online_label: e.online_label,
          online_url: "",
          status: "draft",
          members_only: e.members_only,
          max_age: e.max_age,
          capacity: e.capacity,
          cancellation_deadline: shift(e.cancellation_deadline),
          course_word: e.course_word,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      for (const w of await trx
        .selectFrom("registration_windows")
        .selectAll()
        .where("event_id", "=", e.id)
        .execute()) {
        await trx
          .insertInto("registration_windows")
          .values({
            event_id: id,
            label: w.label,
            opens_at: shift(w.opens_at)!,
            closes_at: shift(w.closes_at)!,
          })
          .execute();
      }
      const sessionMap = new Map<number, number>();
      for (const s of await trx
        .selectFrom("event_sessions")
        .selectAll()
        .where("event_id", "=", e.id)
        .execute()) {
        const row = await trx
          .insertInto("event_sessions")
          .values({
            event_id: id,
            key: s.key,
            kind: s.kind,
            title: s.title,
            description: s.description,
            starts_at: shift(s.starts_at)!,
            ends_at: shift(s.ends_at),
            venue_id: s.venue_id,
            online_url: "",
            optional: s.optional,
            capacity: s.capacity,
            position: s.position,
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        sessionMap.set(s.id, row.id);
        await trx
          .insertInto("checkin_lists")
          .values({ event_id: id, session_id: row.id, name: s.title })
          .execute();
      }
      await trx
        .insertInto("checkin_lists")
        .values({ event_id: id, session_id: null, name: WHOLE_EVENT_LIST_NAME })
        .execute();
      for (const c of await trx
        .selectFrom("courses")
        .selectAll()
        .where("event_id", "=", e.id)
        .execute()) {
        await trx
          .insertInto("courses")
          .values({
            event_id: id,
            session_id: c.session_id ? (sessionMap.get(c.session_id) ?? null) : null,
            key: c.key,
            code: c.code,
            title: c.title,
            audience: c.audience,
            facilitator: c.facilitator,
            adviser: c.adviser,
            venue_id: c.venue_id,
            capacity: c.capacity,
            allocation: c.allocation,
            position: c.position,
          })
          .execute();
      }
      for (const q of await trx
        .selectFrom("event_questions")
        .selectAll()
        .where("event_id", "=", e.id)
        .execute()) {
        await trx
          .insertInto("event_questions")
          .values({
            event_id: id,
            label: q.label,
            kind: q.kind,
            options: q.options,
            required: q.required,
            position: q.position,
          })
          .execute();
      }
      for (const p of await trx
        .selectFrom("programme_items")
        .selectAll()
        .where("event_id", "=", e.id)
        .execute()) {
        await trx
          .insertInto("programme_items")
          .values({
            event_id: id,
            session_id: p.session_id ? (sessionMap.get(p.session_id) ?? null) : null,
            starts_at: shift(p.starts_at)!,
            ends_at: shift(p.ends_at),
            title: p.title,
            speaker: p.speaker,
            description: p.description,
            position: p.position,
          })
          .execute();
      }
      if (args.user.role === "organiser") {
        await trx
          .insertInto("event_staff")
          .values({ event_id: id, person_id: args.user.id, role: "organiser" })
          .execute();
      }
      await audit(trx, {
        actorId: args.user.id,
        eventId: id,
        entity: "event",
        entityId: id,
        action: "copy",
        detail: { from: e.id },
      });
      return id;
    },
    { unique: SLUG_TAKEN },
  );
}

export const sessionFormSchema = z.object({
  kind: z.enum(
    Object.keys(SESSION_KIND_LABELS) as [
      keyof typeof SESSION_KIND_LABELS,
      ...(keyof typeof SESSION_KIND_LABELS)[],
    ],
    { message: "種類を選択してください" },
  ),
  title: text("名称", 200),
  starts_at: when("開始日時"),
  ends_at: whenOptional("終了日時"),
  optional: z
    .any()
    .optional()
    .transform((v) => v === "on"),
  capacity: count("定員"),
});

export const courseFormSchema = z.object({
  code: text("番号", 40, false),
  title: text("名称", 200),
  audience: text("対象", 300, false),
  facilitator: text("ファシリテーター", 100, false),
  adviser: text("アドバイザー", 100, false),
  capacity: count("定員"),
  allocation: z
    .enum(["first_come", "waitlist_only"], {
      message: "受付方法は「先着順」か「すべてキャンセル待ち」から選んでください",
    })
    .default("first_come"),
});

/** Adds a session (a day, plenary, 分科会 block, dinner, lodging…) with its check-in list. */
export async function addSession(
  db: Database,
  args: { eventId: number; actorId: string; input: z.infer<typeof sessionFormSchema> },
) {
  await inTransaction(db, async (trx) => {
    const position = await trx
      .selectFrom("event_sessions")
      .select(sql<number>`count(*)::int`.as("n"))
      .where("event_id", "=", args.eventId)
      .executeTakeFirstOrThrow();
    const row = await trx
      .insertInto("event_sessions")
      .values({
        event_id: args.eventId,
        key: `s-${Date.now().toString(36)}`,
        ...args.input,
        position: position.n,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("checkin_lists")
      .values({ event_id: args.eventId, session_id: row.id, name: args.input.title })
      .execute();
    await audit(trx, {
      actorId: args.actorId,
      eventId: args.eventId,
      entity: "session",
      entityId: row.id,
      action: "create",
      detail: { title: args.input.title },
    });
  }).finally(forgetRegistrationForms);
}

/** Adds a breakout course or 分科会. */
export async function addCourse(
  db: Database,
  args: { eventId: number; actorId: string; input: z.infer<typeof courseFormSchema> },
) {
  await inTransaction(db, async (trx) => {
    const position = await trx
      .selectFrom("courses")
      .select(sql<number>`count(*)::int`.as("n"))
      .where("event_id", "=", args.eventId)
      .executeTakeFirstOrThrow();
    const breakout = await trx
      .selectFrom("event_sessions")
      .select("id")
      .where("event_id", "=", args.eventId)
      .where("kind", "=", "breakout")
      .executeTakeFirst();
    const row = await trx
      .insertInto("courses")
      .values({
        event_id: args.eventId,
        key: `c-${Date.now().toString(36)}`,
        session_id: breakout?.id ?? null,
        ...args.input,
        position: position.n,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await audit(trx, {
      actorId: args.actorId,
      eventId: args.eventId,
      entity: "course",
      entityId: row.id,
      action: "create",
      detail: { title: args.input.title },
    });
  }).finally(forgetRegistrationForms);
}

/**
 * Changes a course's capacity; below the seats taken it warns first unless
 * `confirmed`. Cancelling a course emails everyone who chose it.
 */
export async function updateCourse(
  db: Database,
  args: {
    eventId: number;
    courseId: number;
    actorId: string;
    capacity: number | null;
    cancel: boolean;
    confirmed: boolean;
    appUrl: string;
  },
): Promise<{ warning?: string; notified?: number }> {
  return inTransaction(db, async (trx) => {
    const course = await trx
      .selectFrom("courses")
      .selectAll()
      .where("id", "=", args.courseId)
      .where("event_id", "=", args.eventId)
      .forUpdate()
      .executeTakeFirst();
    if (!course) throw new DomainError("not_found");
    if (args.cancel) {
      await trx
        .updateTable("courses")
        .set({ status: "cancelled" })
        .where("id", "=", course.id)
        .execute();
      const affected = await trx
        .selectFrom("registrations")
        .select("id")
        .where("course_id", "=", course.id)
        .where("status", "!=", "cancelled")
        .execute();
      const event = await trx
        .selectFrom("events")
        .select("title")
        .where("id", "=", args.eventId)
        .executeTakeFirstOrThrow();
      const notified = await noticeTo(trx, {
        registrationIds: affected.map((a) => a.id),
        subject: `【コース中止】${event.title}`,
        body: `お申し込みの「${course.code} ${course.title}」は中止となりました。マイページから別のコースへの変更をお願いします。`,
        eventTitle: event.title,
        appUrl: args.appUrl,
      });
      await audit(trx, {
        actorId: args.actorId,
        eventId: args.eventId,
        entity: "course",
        entityId: course.id,
        action: "cancel",
        detail: { notified },
      });
      return { notified };
    }
    const taken = await recountTaken(trx, { table: "courses", id: course.id });
    if (args.capacity !== null && args.capacity < taken && !args.confirmed) {
      return {
        warning: `定員(${args.capacity}名)が、既に確定している${taken}名を下回ります。よろしければもう一度「保存」を押してください。`,
      };
    }
    await trx
      .updateTable("courses")
      .set({ capacity: args.capacity })
      .where("id", "=", course.id)
      .execute();
    await audit(trx, {
      actorId: args.actorId,
      eventId: args.eventId,
      entity: "course",
      entityId: course.id,
      action: "capacity",
      detail: { from: course.capacity, to: args.capacity },
    });
    return {};
  }).finally(forgetRegistrationForms);
}

export const messageSchema = z.object({
  subject: text("件名", 150).refine(
    (v) => !/[\r\n]/.test(v),
    "件名は改行を入れずに1行で入力してください",
  ),
  body: text("本文", 5000),
  status: z
    .enum(["confirmed", "waitlisted", "all"], {
      message: "送信先は一覧から選んでください(確定した申込者・キャンセル待ちの方・全員)",
    })
    .default("confirmed"),
  // "すべて" or a course that is gone: everyone of the chosen status
  course: rowId().optional().catch(undefined),
});

/**
 * Emails the attendees — all, or a filtered group — through the outbox, in
 * one transaction. A 単組 secretary reaches only their own union.
 */
export async function messageAttendees(
  db: Database,
  args: {
    eventId: number;
    actorId: string;
    unionId: number | null;
    input: z.infer<typeof messageSchema>;
    appUrl: string;
  },
): Promise<number> {
  return inTransaction(db, async (trx) => {
    const event = await trx
      .selectFrom("events")
      .select("title")
      .where("id", "=", args.eventId)
      .executeTakeFirstOrThrow();
    let query = trx
      .selectFrom("registrations")
      .innerJoin("people", "people.id", "registrations.person_id")
      .select("registrations.id")
      .where("registrations.event_id", "=", args.eventId)
      .where("registrations.status", "!=", "cancelled");
    if (args.input.status !== "all")
      query = query.where("registrations.status", "=", args.input.status);
    if (args.input.course) query = query.where("registrations.course_id", "=", args.input.course);
    if (args.unionId !== null) query = query.where("people.organisation_id", "=", args.unionId);
    const ids = (await query.execute()).map((r) => r.id);
    const sent = await noticeTo(trx, {
      registrationIds: ids,
      subject: `【${event.title}】${args.input.subject}`,
      body: args.input.body,
      eventTitle: event.title,
      appUrl: args.appUrl,
    });
    await audit(trx, {
      actorId: args.actorId,
      eventId: args.eventId,
      entity: "event",
      entityId: args.eventId,
      action: "message",
      detail: {
        subject: args.input.subject,
        recipients: sent,
        status: args.input.status,
        course: args.input.course ?? null,
      },
    });
    return sent;
  });
}

/** The edit page's smaller forms. */
export const statusSchema = z.object({
  status: z.enum(["published", "closed", "cancelled"], {
    message:
      "公開状態を選んでください(公開する・申込受付を終了する・中止する)。画面を再読み込みして、ボタンから操作してください。",
  }),
  reason: z
    .string({ message: "申込者へのお知らせ(理由など)を入力してください" })
    .trim()
    .max(1000, "申込者へのお知らせ(理由など)は1000文字以内で入力してください")
    .regex(NO_CONTROL_CHARS, "申込者へのお知らせ(理由など)に使えない文字が含まれています")
    .default(""),
});
export const copySchema = z.object({
  new_slug: z
    .string({ message: "新しいURL名を入力してください" })
    .trim()
    .min(1, "新しいURL名を入力してください")
    .regex(
      /^[a-z0-9][a-z0-9-]{1,60}$/,
      "新しいURL名は半角英小文字・数字・ハイフンで2〜61文字にしてください(例: kenshukai-21)",
    ),
  new_start: z
    .string({ message: "新しい開始日時を入力してください" })
    .min(1, "新しい開始日時を入力してください")
    .refine(
      (v) => fromTokyoInput(v) !== undefined,
      "新しい開始日時を「年/月/日 時:分」で入力してください",
    ),
});
const COURSE_ID =
  "定員を変えるコース・分科会が指定されていません。画面を再読み込みして、一覧のコース・分科会から操作してください。";
export const courseUpdateSchema = z.object({
  course_id: rowId(COURSE_ID),
  capacity: courseFormSchema.shape.capacity,
  cancel: z
    .any()
    .optional()
    .transform((v) => v === "on"),
  confirmed: z
    .any()
    .optional()
    .transform((v) => v === "on"),
});

// ---------------------------------------------------------------------------
// The staff's list of events, and one event's header
// ---------------------------------------------------------------------------

/**
 * The events a staff member may open, with live counts, in the order an
 * organiser works through them: upcoming ones soonest first, then finished
 * ones latest first (as the public catalogue). A 単組 secretary sees every
 * event, counted for their own union only.
 */
export async function listStaffEvents(db: Database, user: SessionUser, now: Date = new Date()) {
  const ids = await visibleEventIds(db, user);
  if (ids !== null && ids.length === 0) return [];
  let query = db
    .selectFrom("events")
    .leftJoin("registrations", (join) => {
      const on = join.onRef("registrations.event_id", "=", "events.id");
      return user.role === "secretary" && user.organisation_id
        ? on.on("registrations.person_id", "in", (eb) =>
            eb
              .selectFrom("people")
              .select("people.id")
              .where("people.organisation_id", "=", user.organisation_id),
          )
        : on;
    })
    .select((eb) => [
      "events.id",
      "events.slug",
      "events.title",
      "events.kind",
      "events.status",
      "events.starts_at",
      "events.ends_at",
      "events.capacity",
      eb.fn
        .count<string>("registrations.id")
        .filterWhere("registrations.status", "=", "confirmed")
        .as("confirmed"),
      eb.fn
        .count<string>("registrations.id")
        .filterWhere("registrations.status", "=", "waitlisted")
        .as("waitlisted"),
    ])
    .groupBy("events.id")
    .orderBy("events.starts_at", "desc");
  if (ids !== null) query = query.where("events.id", "in", ids);
  const rows = (await query.execute()).map((r) => ({
    ...r,
    confirmed: Number(r.confirmed),
    waitlisted: Number(r.waitlisted),
    finished: new Date(r.ends_at) < now,
  }));
  return [...rows.filter((r) => !r.finished).reverse(), ...rows.filter((r) => r.finished)];
}

/** The header facts of one event for the staff pages. */
export function getStaffEvent(db: Database, eventId: number) {
  return db
    .selectFrom("events")
    .select(["id", "slug", "title", "kind", "status", "starts_at", "ends_at", "capacity", "taken"])
    .where("id", "=", eventId)
    .executeTakeFirstOrThrow();
}
