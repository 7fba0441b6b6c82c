/**
 * Every route of the app, opened in Chromium at 390×844 by each role that
 * can see it, and at 1280×800 by the first of them. A page fails on a
 * console error, a page error, a page that never hydrates, a 5xx (of the
 * page or anything it loads), a horizontal scroll on a phone, a missing
 * <title> or <h1>, or an axe-core WCAG 2.1 AA violation (at the phone's
 * width: the markup and colours are the same at both, only two grids
 * widen). The list of routes is checked against app/routes:
 * a new route file without an entry here fails the suite
 * (docs/decisions/021-every-route-test.md).
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { register } from "../../app/domain/registrations.server";
import { loadDemoData } from "../../db/seed/load";
import { startTestApp } from "../support/app";
import { hasChromium, launchBrowser } from "../support/browser";
import { createTestDatabase } from "../support/db";
import { CONSENT, eventIdOf, seminarForm, signInAs, registrationInput } from "../support/factories";

const shots = path.join(import.meta.dirname, "screenshots");
const routesDir = path.join(import.meta.dirname, "../../app/routes");
const axeSource = readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
);

const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 800 },
} as const;
type Viewport = keyof typeof VIEWPORTS;

const ROLES = {
  anonymous: null,
  member: "hanako.sato@example.jp",
  admin: "admin@example.jp",
  organiser: "organiser@example.jp",
  secretary: "secretary@example.jp",
  reception: "reception@example.jp",
} as const;
type Role = keyof typeof ROLES;

/** Ids from the demo data (and the few rows this file adds), for dynamic segments. */
type Ids = {
  eventId: number;
  eventSlug: string;
  /** an event the reception account is not staff of */
  otherSlug: string;
  registrationId: string;
  groupId: number;
  meetingId: number;
  roundId: number;
  unionId: number;
  staffId: string;
  mailId: string;
  materialId: number;
  reportId: number;
  reportEventId: number;
  rsvpToken: string;
};

type Entry = {
  path: (ids: Ids) => string;
  /** who opens it; each gets the status below */
  as: Role[];
  /** the final status after redirects (default 200) */
  status?: number | Partial<Record<Role, number>>;
  /** not a page (a file, JSON, a redirect-only route): fetched, not rendered */
  resource?: "GET" | "POST";
  /** kept as tests/e2e/screenshots/route-<shot>-<viewport>.png */
  shot?: string;
  /** what the <title> must say, where it is not the route's own (an error page) */
  title?: RegExp;
};

const STAFF: Role[] = ["admin", "organiser"];

/** One entry per file in app/routes. */
const ROUTES: Record<string, Entry> = {
  "$.tsx": {
    path: () => "/no-such-page",
    as: ["anonymous"],
    status: 404,
    shot: "404",
    title: /^ページが見つかりません \| /,
  },
  "_index.tsx": { path: () => "/", as: ["anonymous", "member"], shot: "catalogue" },
  "admin._index.tsx": {
    path: () => "/admin",
    as: ["admin", "organiser", "secretary", "reception"],
    shot: "admin",
  },
  "admin.account.tsx": { path: () => "/admin/account", as: ["organiser"] },
  "admin.api.tsx": { path: () => "/admin/api", as: STAFF, shot: "admin-api" },
  "admin.events.$id._index.tsx": {
    path: (i) => `/admin/events/${i.eventId}`,
    as: [...STAFF, "secretary"],
    shot: "dashboard",
  },
  "admin.events.$id.attendees.tsx": {
    path: (i) => `/admin/events/${i.eventId}/attendees`,
    as: [...STAFF, "secretary"],
    shot: "attendees",
  },
  "admin.events.$id.attendees_.$registrationId.tsx": {
    path: (i) => `/admin/events/${i.eventId}/attendees/${i.registrationId}`,
    as: STAFF,
  },
  "admin.events.$id.attendees_.import.tsx": {
    path: (i) => `/admin/events/${i.eventId}/attendees/import`,
    as: STAFF,
  },
  "admin.events.$id.attendees_.new.tsx": {
    path: (i) => `/admin/events/${i.eventId}/attendees/new`,
    as: [...STAFF, "secretary"],
  },
  "admin.events.$id.audit.tsx": { path: (i) => `/admin/events/${i.eventId}/audit`, as: STAFF },
  "admin.events.$id.edit.tsx": {
    path: (i) => `/admin/events/${i.eventId}/edit`,
    as: STAFF,
    shot: "event-edit",
  },
  "admin.events.$id.export.tsx": {
    path: (i) => `/admin/events/${i.eventId}/export`,
    as: STAFF,
    shot: "export",
  },
  "admin.events.$id.message.tsx": { path: (i) => `/admin/events/${i.eventId}/message`, as: STAFF },
  "admin.events.$id.staff.tsx": { path: (i) => `/admin/events/${i.eventId}/staff`, as: STAFF },
  "admin.events.$id.tsx": { path: (i) => `/admin/events/${i.eventId}`, as: ["organiser"] },
  "admin.events_.new.tsx": { path: () => "/admin/events/new", as: STAFF, shot: "event-new" },
  "admin.groups.$id._index.tsx": { path: (i) => `/admin/groups/${i.groupId}`, as: STAFF },
  "admin.groups.$id.attendance.tsx": {
    path: (i) => `/admin/groups/${i.groupId}/attendance`,
    as: STAFF,
  },
  "admin.groups.$id.attendance[.]csv.ts": {
    path: (i) => `/admin/groups/${i.groupId}/attendance.csv`,
    as: ["organiser"],
    resource: "GET",
  },
  "admin.groups.$id.attendance[.]xlsx.ts": {
    path: (i) => `/admin/groups/${i.groupId}/attendance.xlsx`,
    as: ["organiser"],
    resource: "GET",
  },
  "admin.groups.$id.meetings.$meetingId.tsx": {
    path: (i) => `/admin/groups/${i.groupId}/meetings/${i.meetingId}`,
    as: STAFF,
  },
  "admin.groups._index.tsx": { path: () => "/admin/groups", as: STAFF },
  "admin.groups.recruitment.$roundId.tsx": {
    path: (i) => `/admin/groups/recruitment/${i.roundId}`,
    as: STAFF,
  },
  "admin.privacy.tsx": { path: () => "/admin/privacy", as: ["admin"] },
  "admin.reports.$eventId.tsx": { path: (i) => `/admin/reports/${i.reportEventId}`, as: STAFF },
  "admin.reports._index.tsx": { path: () => "/admin/reports", as: STAFF },
  "admin.staff.$id.tsx": { path: (i) => `/admin/staff/${i.staffId}`, as: ["admin"] },
  "admin.staff._index.tsx": { path: () => "/admin/staff", as: ["admin"] },
  "admin.tsx": { path: () => "/admin", as: ["anonymous"], status: 200 },
  "admin.unions.$id.tsx": { path: (i) => `/admin/unions/${i.unionId}`, as: ["admin", "secretary"] },
  "admin.unions._index.tsx": { path: () => "/admin/unions", as: ["admin"] },
  "admin_.events.$id.export[.]csv.ts": {
    path: (i) => `/admin/events/${i.eventId}/export.csv`,
    as: ["organiser"],
    resource: "GET",
  },
  "admin_.events.$id.export[.]pdf.ts": {
    path: (i) => `/admin/events/${i.eventId}/export.pdf`,
    as: ["organiser"],
    resource: "GET",
  },
  "admin_.events.$id.export[.]xlsx.ts": {
    path: (i) => `/admin/events/${i.eventId}/export.xlsx`,
    as: ["organiser"],
    resource: "GET",
  },
  "admin_.forgot-password.tsx": { path: () => "/admin/forgot-password", as: ["anonymous"] },
  "admin_.login.tsx": { path: () => "/admin/login", as: ["anonymous"], shot: "admin-login" },
  "admin_.login_.enrol.tsx": { path: () => "/admin/login/enrol", as: ["anonymous"] },
  "admin_.login_.totp.tsx": { path: () => "/admin/login/totp", as: ["anonymous"] },
  "admin_.set-password.tsx": { path: () => "/admin/set-password?token=unknown", as: ["anonymous"] },
  "api.v1.checkins.ts": {
    path: () => "/api/v1/checkins",
    as: ["anonymous"],
    resource: "POST",
    status: 401,
  },
  "api.v1.events.$id.registrations.ts": {
    path: (i) => `/api/v1/events/${i.eventId}/registrations`,
    as: ["anonymous"],
    resource: "GET",
    status: 401,
  },
  "api.v1.events.ts": {
    path: () => "/api/v1/events",
    as: ["anonymous"],
    resource: "GET",
    status: 401,
  },
  "api.v1.registrations.$id.ts": {
    path: (i) => `/api/v1/registrations/${i.registrationId}`,
    as: ["anonymous"],
    resource: "GET",
    status: 401,
  },
  "checkin.$eventSlug.counts.ts": {
    path: (i) => `/checkin/${i.eventSlug}/counts`,
    as: ["reception"],
    resource: "GET",
  },
  "checkin.$eventSlug.manifest[.]webmanifest.ts": {
    path: (i) => `/checkin/${i.eventSlug}/manifest.webmanifest`,
    as: ["reception"],
    resource: "GET",
  },
  "checkin.$eventSlug.roster.ts": {
    path: (i) => `/checkin/${i.eventSlug}/roster`,
    as: ["reception"],
    resource: "GET",
  },
  "checkin.$eventSlug.scan.ts": {
    path: (i) => `/checkin/${i.eventSlug}/scan`,
    as: ["reception"],
    resource: "POST",
    status: 422,
  },
  "checkin.$eventSlug.sync.ts": {
    path: (i) => `/checkin/${i.eventSlug}/sync`,
    as: ["reception"],
    resource: "POST",
    status: 422,
  },
  "checkin.$eventSlug.tsx": {
    path: (i) => `/checkin/${i.eventSlug}`,
    as: ["reception", "organiser"],
    shot: "desk",
  },
  "checkin.$eventSlug.undo.ts": {
    path: (i) => `/checkin/${i.eventSlug}/undo`,
    as: ["organiser"],
    resource: "POST",
    status: 422,
  },
  "checkin.vendor.$file.ts": {
    path: () => "/checkin/vendor/jsqr.js",
    as: ["anonymous"],
    resource: "GET",
  },
  "dev.mail.$id.tsx": { path: (i) => `/dev/mail/${i.mailId}`, as: ["anonymous"], resource: "GET" },
  "dev.mail.tsx": { path: () => "/dev/mail", as: ["anonymous"] },
  "dev.mail[.]json.ts": { path: () => "/dev/mail.json", as: ["anonymous"], resource: "GET" },
  "events.$slug.tsx": {
    path: (i) => `/events/${i.eventSlug}`,
    as: ["anonymous", "member"],
    shot: "event",
  },
  "events.$slug_.register.tsx": {
    path: () => "/events/zenkoku-40-shimane/register",
    as: ["member"],
    shot: "register",
  },
  "groups.$id.tsx": { path: (i) => `/groups/${i.groupId}`, as: ["anonymous", "member"] },
  "groups._index.tsx": { path: () => "/groups", as: ["anonymous", "member"], shot: "groups" },
  "groups.answer.$token.tsx": { path: (i) => `/groups/answer/${i.rsvpToken}`, as: ["anonymous"] },
  "groups.apply.$roundId.tsx": { path: (i) => `/groups/apply/${i.roundId}`, as: ["member"] },
  "groups.rsvp.tsx": { path: () => "/groups/rsvp", as: ["member"], resource: "GET" },
  "healthz.ts": { path: () => "/healthz", as: ["anonymous"], resource: "GET" },
  "login.tsx": { path: () => "/login", as: ["anonymous"], shot: "login" },
  "login_.verify.tsx": { path: () => "/login/verify?token=unknown", as: ["anonymous"] },
  "logout.tsx": { path: () => "/logout", as: ["member"], resource: "GET" },
  "materials.$id.tsx": {
    path: (i) => `/materials/${i.materialId}`,
    as: ["member"],
    resource: "GET",
  },
  "materials._index.tsx": { path: () => "/materials", as: ["anonymous", "member"] },
  "materials.new.tsx": { path: () => "/materials/new", as: STAFF },
  "me.tsx": { path: () => "/me", as: ["member"], shot: "me" },
  "me_.data.tsx": { path: () => "/me/data", as: ["member"] },
  "me_.data[.]csv.ts": { path: () => "/me/data.csv", as: ["member"], resource: "GET" },
  "me_.data[.]json.ts": { path: () => "/me/data.json", as: ["member"], resource: "GET" },
  "me_.data_.deleted.tsx": { path: () => "/me/data/deleted", as: ["anonymous"] },
  "me_.registrations.$id.event[.]ics.ts": {
    path: (i) => `/me/registrations/${i.registrationId}/event.ics`,
    as: ["member"],
    resource: "GET",
  },
  "privacy.tsx": { path: () => "/privacy", as: ["anonymous"] },
  "profile.tsx": { path: () => "/profile", as: ["member"], shot: "profile" },
  // the demo reports have no file: a 404 in Japanese, not a 500
  "reports.$id.file.ts": {
    path: (i) => `/reports/${i.reportId}/file`,
    as: ["admin"],
    resource: "GET",
    status: 404,
  },
  "reports._index.tsx": { path: () => "/reports", as: ["anonymous", "member"] },
  "reports.new.tsx": { path: () => "/reports/new", as: ["member"] },
};

/** Pages reached on purpose that are not the route's own (a refusal, a sign-in). */
const EXTRA: { name: string; entry: Entry }[] = [
  {
    name: "the reception desk of an event the account does not work",
    entry: {
      path: (i) => `/checkin/${i.otherSlug}`,
      as: ["reception"],
      status: 403,
      shot: "desk-403",
      title: /^権限がありません \| /,
    },
  },
  {
    name: "the registration form of an event the member is already registered for",
    entry: { path: () => "/events/online-seminar-next/register", as: ["member"] },
  },
];

const statusFor = (entry: Entry, role: Role) =>
  typeof entry.status === "object" ? (entry.status[role] ?? 200) : (entry.status ?? 200);

/** The global that axe-core's injected source defines. */
type AxeGlobal = {
  axe: { run: (context: Document, options: object) => Promise<{ violations: AxeViolation[] }> };
};
type AxeViolation = { id: string; impact: string; help: string; nodes: { target: string[] }[] };

describe.skipIf(!hasChromium)("every route in Chromium, at both widths, as each role", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let browser: Browser;
  let ids: Ids;
  const contexts = new Map<string, BrowserContext>();

  beforeAll(async () => {
    database = await createTestDatabase();
    const { db } = database;
    await loadDemoData(db);
    const [appStarted, browserStarted] = await Promise.all([startTestApp(db), launchBrowser()]);
    app = appStarted;
    browser = browserStarted;

    const eventSlug = "kenshukai-20";
    const eventId = await eventIdOf(db, eventSlug);
    const hanako = await db
      .selectFrom("people")
      .select(["id", "organisation_id"])
      .where("email", "=", ROLES.member)
      .executeTakeFirstOrThrow();
    const course = await db
      .selectFrom("courses")
      .select("id")
      .where("event_id", "=", eventId)
      .where("key", "=", "bunkakai-2")
      .executeTakeFirstOrThrow();
    const registered = await register(db, {
      slug: eventSlug,
      personId: hanako.id,
      input: registrationInput(course.id),
      appUrl: app.url,
      consent: CONSENT,
    });
    // A second registration whose cancellation deadline has passed: /me says so, and whom to tell.
    const seminar = await seminarForm(db, { slug: "online-seminar-next" });
    await register(db, {
      slug: "online-seminar-next",
      personId: hanako.id,
      input: registrationInput(Number(seminar.form.course), {
        answers: Object.fromEntries(
          Object.entries(seminar.form)
            .filter(([key]) => key.startsWith("q_"))
            .map(([key, value]) => [key.slice(2), value]),
        ),
        joinWaitlist: true,
      }),
      appUrl: app.url,
      consent: CONSENT,
    });
    await db
      .updateTable("events")
      .set({ cancellation_deadline: new Date(Date.now() - 3_600_000) })
      .where("id", "=", seminar.eventId)
      .execute();
    const group = await db
      .selectFrom("working_groups")
      .select(["id", "organisation_id", "term"])
      .orderBy("id")
      .executeTakeFirstOrThrow();
    const meeting = await db
      .selectFrom("group_meetings")
      .innerJoin("group_meeting_groups", "group_meeting_groups.meeting_id", "group_meetings.id")
      .select("group_meetings.id")
      .where("group_meeting_groups.group_id", "=", group.id)
      .orderBy("group_meetings.starts_at", "desc")
      .executeTakeFirstOrThrow();
    const round = await db
      .insertInto("recruitment_rounds")
      .values({
        organisation_id: group.organisation_id,
        term: group.term,
        title: "専門部会員募集(試験)",
        opens_at: new Date(Date.now() - 86_400_000),
        closes_at: new Date(Date.now() + 14 * 86_400_000),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const rsvpToken = randomBytes(24).toString("base64url");
    const member = await db
      .selectFrom("working_group_members")
      .select("person_id")
      .where("group_id", "=", group.id)
      .executeTakeFirstOrThrow();
    await db
      .insertInto("meeting_rsvp_links")
      .values({
        token_hash: createHash("sha256").update(rsvpToken).digest("hex"),
        meeting_id: meeting.id,
        person_id: member.person_id,
        expires_at: new Date(Date.now() + 30 * 86_400_000),
      })
      .execute();
    const report = await db
      .selectFrom("reports")
      .select(["id", "event_id"])
      .orderBy("id")
      .executeTakeFirstOrThrow();
    const material = await db
      .selectFrom("materials")
      .select("id")
      .orderBy("id")
      .executeTakeFirstOrThrow();
    const mail = await db
      .selectFrom("outbound_emails")
      .select("id")
      .orderBy("id")
      .executeTakeFirstOrThrow();
    const staff = await db
      .selectFrom("people")
      .select("id")
      .where("email", "=", ROLES.reception)
      .executeTakeFirstOrThrow();
    const union = await db
      .selectFrom("organisations")
      .select("id")
      .where("code", "=", "fukushima-shi")
      .executeTakeFirstOrThrow();
    ids = {
      eventId,
      eventSlug,
      otherSlug: "online-seminar-next",
      registrationId: registered.id,
      groupId: group.id,
      meetingId: meeting.id,
      roundId: round.id,
      unionId: union.id,
      staffId: staff.id,
      mailId: String(mail.id),
      materialId: material.id,
      reportId: report.id,
      reportEventId: report.event_id,
      rsvpToken,
    };

    for (const [role, email] of Object.entries(ROLES) as [Role, string | null][]) {
      const cookie = email ? (await signInAs(db, email)).split("=") : null;
      for (const [name, viewport] of Object.entries(VIEWPORTS) as [
        Viewport,
        (typeof VIEWPORTS)[Viewport],
      ][]) {
        const context = await browser.newContext({
          viewport,
          locale: "ja-JP",
          timezoneId: "Asia/Tokyo",
        });
        if (cookie)
          await context.addCookies([{ name: cookie[0]!, value: cookie[1]!, url: app.url }]);
        contexts.set(`${role}/${name}`, context);
      }
    }
  });
  /** Every problem of every page, also in test-results/every-route.txt (vitest folds alike failures). */
  const found: string[] = [];
  afterAll(async () => {
    mkdirSync(path.join(import.meta.dirname, "../../test-results"), { recursive: true });
    writeFileSync(
      path.join(import.meta.dirname, "../../test-results/every-route.txt"),
      found.join("\n"),
    );
    writeFileSync(
      path.join(import.meta.dirname, "../../test-results/every-route-timings.txt"),
      timings.join("\n"),
    );
    await browser?.close();
    await app?.close();
    await database?.drop();
  });

  it("serves the favicon every browser asks for, and every page links it", async () => {
    const response = await fetch(`${app.url}/favicon.ico`);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).subarray(0, 4)).toEqual(
      Buffer.from([0, 0, 1, 0]),
    );
    expect(await (await fetch(app.url)).text()).toContain('<link rel="icon" href="/favicon.ico"');
  });

  it("has an entry for every route file in app/routes, and none for a file that is gone", () => {
    const files = readdirSync(routesDir)
      .filter((f) => /\.tsx?$/.test(f))
      .sort();
    expect(Object.keys(ROUTES).sort()).toEqual(files);
  });

  /**
   * At most PAGES_AT_ONCE pages load at a time, whatever vitest runs at once:
   * more only makes the two cores of a CI machine thrash.
   */
  const PAGES_AT_ONCE = 3;
  let running = 0;
  const waiting: (() => void)[] = [];
  async function slot<T>(fn: () => Promise<T>): Promise<T> {
    if (running >= PAGES_AT_ONCE) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await fn();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  }
  const timings: string[] = [];
  /**
   * axe-core's WCAG 2.1 A/AA violations on the page, one line each. Run at
   * the phone's width only: app/styles.css changes two grid layouts at other
   * widths and nothing else (no colour, no element shown or hidden), and no
   * script renders by width, so the desktop width would check the same
   * markup again (decision 021).
   */
  async function axeViolations(page: Page): Promise<string[]> {
    await page.evaluate(axeSource);
    const violations = (await page.evaluate(() =>
      (window as unknown as AxeGlobal).axe
        .run(document, {
          runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
          resultTypes: ["violations"],
        })
        .then((r: { violations: AxeViolation[] }) =>
          r.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target })),
          })),
        ),
    )) as AxeViolation[];
    return violations.map(
      (v) =>
        `axe ${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
    );
  }

  /**
   * The widths a route is opened at by a role: a phone's by every role (the
   * members' device, where a page is tightest), and a desktop's by the first
   * role only (the same markup at a wider layout: what differs by role is
   * seen at the phone's width); an endpoint that is not a page, once.
   */
  function viewportsFor(entry: Entry, role: Role): Viewport[] {
    if (entry.resource) return ["desktop"];
    return role === entry.as[0] ? ["phone", "desktop"] : ["phone"];
  }

  /** Opens one page; returns what is wrong with it, and its title. */
  async function check(entry: Entry, role: Role, viewport: Viewport, label: string) {
    const context = contexts.get(`${role}/${viewport}`)!;
    const url = app.url + entry.path(ids);
    const expected = statusFor(entry, role);
    const problems: string[] = [];
    if (entry.resource) {
      const response =
        entry.resource === "POST"
          ? await context.request.post(url, {
              headers: { Origin: app.url },
              data: {},
              failOnStatusCode: false,
            })
          : await context.request.get(url, { failOnStatusCode: false, maxRedirects: 0 });
      const status = response.status();
      const ok = status === expected || (expected === 200 && status >= 200 && status < 400);
      if (!ok) problems.push(`status ${status}, expected ${expected}`);
      return { problems, title: null };
    }

    const page: Page = await context.newPage();
    const t0 = performance.now();
    const lap = (what: string) =>
      timings.push(`${label} ${what} ${Math.round(performance.now() - t0)}ms`);
    try {
      page.on("console", (message) => {
        if (message.type() !== "error") return;
        // The document's own expected status (a 403, a 404) is no fault.
        if (
          expected !== 200 &&
          message.location().url === url &&
          /status of \d{3}/.test(message.text())
        )
          return;
        problems.push(`console: ${message.text()} (${message.location().url})`);
      });
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      page.on("response", (response) => {
        if (response.status() >= 500) problems.push(`${response.status()} from ${response.url()}`);
      });
      const response = await page.goto(url, { waitUntil: "load" });
      if (response?.status() !== expected)
        problems.push(`status ${response?.status()}, expected ${expected}`);
      const hydrated = await page
        .waitForSelector("html[data-hydrated]", { state: "attached", timeout: 20_000 })
        .then(() => true)
        .catch(() => false);
      if (!hydrated) problems.push("never hydrated (no html[data-hydrated])");
      lap("hydrated");

      const facts = await page.evaluate(() => ({
        title: document.title.trim(),
        h1: [...document.querySelectorAll("h1")].map((h) => h.textContent?.trim() ?? ""),
        overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        // Tap targets under 44×44 px; a link inside a sentence is exempt (WCAG 2.5.5),
        // and so is a checkbox or radio whose label is the target.
        small: [
          ...document.querySelectorAll<HTMLElement>(
            "a[href], button, select, input, summary, textarea",
          ),
        ]
          .filter((el) => {
            const box = el.getBoundingClientRect();
            if (box.width === 0 || box.height === 0 || el.closest(".visually-hidden, .skip-link"))
              return false;
            if (el.matches("input[type=checkbox], input[type=radio]")) {
              // its label is the target; one alone (a cell of a table) is at least 24 px (WCAG 2.5.8)
              return !el.closest("label") && (box.width < 23.5 || box.height < 23.5);
            }
            if (el.matches("input[type=hidden]")) return false;
            const parent = el.parentElement;
            if (el.tagName === "A" && parent && window.getComputedStyle(el).display === "inline") {
              const around = [...parent.childNodes]
                .filter((n) => n !== el)
                .map((n) => n.textContent ?? "")
                .join("")
                .trim();
              if (around.length > 0 && !/^[|・、()()]*$/.test(around)) return false;
            }
            return box.height < 44 - 0.5 || box.width < 44 - 0.5;
          })
          .slice(0, 5)
          .map((el) => {
            const box = el.getBoundingClientRect();
            return `${el.tagName.toLowerCase()} "${(el.textContent ?? "").trim().slice(0, 20)}" ${Math.round(box.width)}×${Math.round(box.height)}`;
          }),
        fonts: [
          ...document.querySelectorAll<HTMLElement>(
            "input:not([type=checkbox]):not([type=radio]):not([type=hidden]), select, textarea",
          ),
        ]
          .filter((el) => Number.parseFloat(window.getComputedStyle(el).fontSize) < 16)
          .slice(0, 3)
          .map(
            (el) =>
              `${el.tagName.toLowerCase()}[name=${el.getAttribute("name")}] ${window.getComputedStyle(el).fontSize}`,
          ),
        wide: [...document.querySelectorAll("body *")]
          .filter(
            (el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1,
          )
          .filter((el) => !el.closest(".table-wrap, .tabs, [data-scroll]"))
          .slice(0, 3)
          .map(
            (el) =>
              `${el.tagName.toLowerCase()}.${[...el.classList].join(".")} "${el.textContent?.slice(0, 30)}"`,
          ),
      }));
      if (!facts.title) problems.push("no <title>");
      if (entry.title && !entry.title.test(facts.title))
        problems.push(`title "${facts.title}", expected ${entry.title}`);
      if (facts.h1.length !== 1 || !facts.h1[0])
        problems.push(`expected one <h1> with text, found ${JSON.stringify(facts.h1)}`);
      if (viewport === "phone" && facts.small.length > 0)
        problems.push(`tap targets under 44×44 px: ${facts.small.join("; ")}`);
      if (facts.fonts.length > 0)
        problems.push(`inputs under 16 px (iPhones zoom in): ${facts.fonts.join("; ")}`);
      if (viewport === "phone" && facts.overflow > 0) {
        problems.push(
          `scrolls sideways by ${facts.overflow}px on a phone: ${facts.wide.join("; ")}`,
        );
      }

      lap("measured");
      if (viewport === "phone") problems.push(...(await axeViolations(page)));
      lap("axe");
      if (entry.shot && role === entry.as[0]) {
        await page.screenshot({
          path: path.join(shots, `route-${entry.shot}-${viewport}.png`),
          fullPage: true,
        });
      }
      // a page that sent the visitor elsewhere (a sign-in) is that other page
      const same = new URL(page.url()).pathname === new URL(url).pathname;
      return { problems, title: same ? facts.title : null };
    } catch (error) {
      problems.push(`${label}: ${(error as Error).message}`);
      return { problems, title: null };
    } finally {
      await page.close();
    }
  }

  const titles = new Map<string, string>();
  const all = [...Object.entries(ROUTES).map(([file, entry]) => ({ name: file, entry })), ...EXTRA];
  for (const { name, entry } of all) {
    it.concurrent(`${name}: ${entry.resource ? "answers" : "renders cleanly"} for ${entry.as.join(", ")}`, {
      timeout: 180_000,
    }, async () => {
      const results = await Promise.all(
        entry.as.flatMap((role) =>
          viewportsFor(entry, role).map(async (viewport) => {
            const label = `${entry.path(ids)} as ${role} (${viewport})`;
            const { problems, title } = await slot(() => check(entry, role, viewport, label));
            if (title && statusFor(entry, role) === 200) titles.set(`${name} as ${role}`, title);
            return problems.map((p) => `${label}: ${p}`);
          }),
        ),
      );
      found.push(...results.flat());
      expect(results.flat()).toEqual([]);
    });
  }

  it("gives each page a title of its own", () => {
    const byTitle = new Map<string, string[]>();
    for (const [page, title] of titles) byTitle.set(title, [...(byTitle.get(title) ?? []), page]);
    // a layout route and its index page are one page
    const shared = [...byTitle].filter(
      ([, pages]) => new Set(pages.map((p) => p.replace(/(\._index)?\.tsx as .*$/, ""))).size > 1,
    );
    expect(shared).toEqual([]);
  });
});
