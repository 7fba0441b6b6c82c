import { type ExpressionBuilder, sql, type Transaction } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import { z } from "zod";
import type { Database, DB } from "../../../db/index";
import { fromTokyoInput } from "../../utils/format";
import { parseRowId, textField } from "../../utils/forms";
import { groupTitle } from "../../utils/working-groups";
import { audit } from "../audit.server";
import type { SessionUser } from "../auth.server";
import { DomainError } from "../errors.server";
import { enqueueEmail } from "../mailer.server";
import { personName } from "../people.server";
import { inTransaction } from "../transactions.server";
import { managesOrganisation } from "./access.server";

/** 専門部会員募集: a round every other year, ranked applications, assignment and the results email. */

type Trx = Transaction<DB>;

const text = textField;

// ---------------------------------------------------------------------------
// Recruitment (専門部会員募集)
// ---------------------------------------------------------------------------

const dateTimeLocal = (label: string) =>
  z
    .string({ message: `${label}を入力してください` })
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, `${label}を入力してください`)
    .transform((v, ctx) => {
      const date = fromTokyoInput(v);
      if (!date) {
        ctx.addIssue({ code: "custom", message: `${label}が正しくありません` });
        return z.NEVER;
      }
      return date;
    });

export const roundSchema = z
  .object({
    term: text("年次", 40).min(1, "募集する年次を入力してください(例: 第20年次)"),
    title: text("募集名", 100).min(1, "募集名を入力してください"),
    description: text("案内文", 2000).optional().default(""),
    opens_at: dateTimeLocal("受付開始"),
    closes_at: dateTimeLocal("受付締切"),
    max_choices: z.coerce
      .number({ message: "希望の数を選んでください" })
      .int()
      .min(1, "希望の数は1〜5で選んでください")
      .max(5, "希望の数は1〜5で選んでください"),
  })
  .refine((v) => v.closes_at > v.opens_at, {
    path: ["closes_at"],
    message: "受付締切は受付開始より後にしてください",
  });

/** Opens a 専門部会員募集 for the groups of one term. */
export async function createRound(
  db: Database,
  args: { actor: SessionUser; input: z.infer<typeof roundSchema> },
): Promise<number> {
  const organisationId = args.actor.organisation_id;
  const groups = await db
    .selectFrom("working_groups")
    .select(["id", "organisation_id"])
    .where("term", "=", args.input.term)
    .execute();
  const mine = groups.filter((g) => managesOrganisation(args.actor, g.organisation_id));
  if (mine.length === 0) {
    throw new DomainError("invalid_input", {
      field: "term",
      message: `${args.input.term}の専門部会がありません。先に専門部会を追加してください。`,
    });
  }
  return inTransaction(db, async (trx) => {
    const row = await trx
      .insertInto("recruitment_rounds")
      .values({
        organisation_id: mine[0]?.organisation_id ?? organisationId ?? 0,
        term: args.input.term,
        title: args.input.title,
        description: args.input.description,
        opens_at: args.input.opens_at,
        closes_at: args.input.closes_at,
        max_choices: args.input.max_choices,
        created_by: args.actor.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await audit(trx, {
      actorId: args.actor.id,
      eventId: null,
      entity: "recruitment_round",
      entityId: row.id,
      action: "create",
      detail: { term: args.input.term, title: args.input.title },
    });
    return row.id;
  });
}

function roundGroups(db: Database, round: { organisation_id: number; term: string }) {
  return db
    .selectFrom("working_groups")
    .select(["id", "number", "name", "theme", "topics"])
    .where("organisation_id", "=", round.organisation_id)
    .where("term", "=", round.term)
    .orderBy("number")
    .execute();
}

/** One round by id, or undefined for an id that is not one. */
async function findRound(db: Database, roundId: number) {
  if (!Number.isSafeInteger(roundId) || roundId <= 0) return undefined;
  return db
    .selectFrom("recruitment_rounds")
    .selectAll()
    .where("id", "=", roundId)
    .executeTakeFirst();
}

/** An application's choices, in rank order, as a JSON column. */
function rankedChoices(eb: ExpressionBuilder<DB, "recruitment_applications">) {
  return jsonArrayFrom(
    eb
      .selectFrom("recruitment_choices")
      .select(["rank", "group_id"])
      .whereRef("recruitment_choices.application_id", "=", "recruitment_applications.id")
      .orderBy("rank"),
  ).as("choices");
}

/** Rounds open now, for the /groups page. */
export function listOpenRounds(db: Database, now: Date = new Date()) {
  return db
    .selectFrom("recruitment_rounds")
    .select(["id", "title", "term", "opens_at", "closes_at", "description"])
    .where("opens_at", "<=", now)
    .where("closes_at", ">", now)
    .where("results_sent_at", "is", null)
    .orderBy("closes_at")
    .execute();
}

/** Every round of the groups the user manages, newest first, with counts. */
export async function listManagedRounds(db: Database, user: SessionUser) {
  let query = db
    .selectFrom("recruitment_rounds")
    .select((eb) => [
      "recruitment_rounds.id",
      "recruitment_rounds.title",
      "recruitment_rounds.term",
      "recruitment_rounds.opens_at",
      "recruitment_rounds.closes_at",
      "recruitment_rounds.results_sent_at",
      eb
        .selectFrom("recruitment_applications")
        .select(sql<number>`count(*)::int`.as("n"))
        .whereRef("recruitment_applications.round_id", "=", "recruitment_rounds.id")
        .as("applications"),
    ])
    .orderBy("recruitment_rounds.opens_at", "desc");
  if (user.role !== "admin") {
    query = query.where("recruitment_rounds.organisation_id", "=", user.organisation_id ?? 0);
  }
  return query.execute();
}

/** A round as an applicant sees it: the groups on offer and their own application. */
export async function getApplicationForm(
  db: Database,
  args: { roundId: number; personId: string; now?: Date },
) {
  const now = args.now ?? new Date();
  const round = await findRound(db, args.roundId);
  if (!round) return undefined;
  const groups = await roundGroups(db, round);
  const application = await db
    .selectFrom("recruitment_applications")
    .select((eb) => [
      "recruitment_applications.id",
      "recruitment_applications.motivation",
      "recruitment_applications.updated_at",
      rankedChoices(eb),
    ])
    .where("round_id", "=", round.id)
    .where("person_id", "=", args.personId)
    .executeTakeFirst();
  const open = round.opens_at <= now && now < round.closes_at && !round.results_sent_at;
  return { round, groups, application, open };
}

/** The application form's schema for one round: up to max_choices ranked groups. */
export function applicationSchema(round: { max_choices: number }, groupIds: number[]) {
  const choice = z
    .string()
    .optional()
    .default("")
    .refine((v) => v === "" || groupIds.includes(parseRowId(v) ?? 0), "一覧から選んでください")
    .transform((v) => (v === "" ? null : (parseRowId(v) ?? null)));
  const shape: Record<string, typeof choice> = {};
  for (let rank = 1; rank <= round.max_choices; rank++) shape[`choice_${rank}`] = choice;
  return z
    .object({
      ...shape,
      motivation: text("応募の動機", 400).min(1, "応募の動機を入力してください(400字以内)"),
    })
    .superRefine((v, ctx) => {
      const values = v as Record<string, unknown>;
      const picked: number[] = [];
      for (let rank = 1; rank <= round.max_choices; rank++) {
        const g = values[`choice_${rank}`] as number | null;
        if (g === null) continue;
        if (picked.includes(g)) {
          ctx.addIssue({
            code: "custom",
            path: [`choice_${rank}`],
            message: "同じ専門部会を複数の希望に選ぶことはできません",
          });
        }
        picked.push(g);
      }
      if (values.choice_1 === null) {
        ctx.addIssue({ code: "custom", path: ["choice_1"], message: "第1希望を選んでください" });
      }
    })
    .transform((v) => {
      const values = v as Record<string, unknown>;
      const choices: number[] = [];
      for (let rank = 1; rank <= round.max_choices; rank++) {
        const g = values[`choice_${rank}`] as number | null;
        if (g !== null) choices.push(g);
      }
      return { choices, motivation: v.motivation };
    });
}

/**
 * Applies (or changes an application) to a round while it is open: the
 * choices, in order, must be distinct groups of the round's term.
 */
export async function applyToRound(
  db: Database,
  args: { roundId: number; personId: string; choices: number[]; motivation: string; now?: Date },
): Promise<void> {
  const form = await getApplicationForm(db, {
    roundId: args.roundId,
    personId: args.personId,
    now: args.now,
  });
  if (!form) throw new DomainError("not_found");
  if (!form.open) throw new DomainError("recruitment_closed");
  const offered = new Set(form.groups.map((g) => g.id));
  const choices = args.choices.slice(0, form.round.max_choices);
  if (
    choices.length === 0 ||
    new Set(choices).size !== choices.length ||
    !choices.every((c) => offered.has(c))
  ) {
    throw new DomainError("invalid_input", { field: "choice_1" });
  }
  await inTransaction(db, async (trx) => {
    const app = await trx
      .insertInto("recruitment_applications")
      .values({ round_id: form.round.id, person_id: args.personId, motivation: args.motivation })
      .onConflict((oc) =>
        oc
          .columns(["round_id", "person_id"])
          .doUpdateSet({ motivation: args.motivation, updated_at: sql`now()` }),
      )
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx.deleteFrom("recruitment_choices").where("application_id", "=", app.id).execute();
    await trx
      .insertInto("recruitment_choices")
      .values(choices.map((group_id, i) => ({ application_id: app.id, rank: i + 1, group_id })))
      .execute();
  });
}

/** A round for its organiser: every application with its choices and assignment. */
export async function getRoundForManager(
  db: Database,
  args: { user: SessionUser; roundId: number },
) {
  const round = await findRound(db, args.roundId);
  if (!round || !managesOrganisation(args.user, round.organisation_id)) return undefined;
  const groups = await roundGroups(db, round);
  const applications = await db
    .selectFrom("recruitment_applications")
    .innerJoin("people", "people.id", "recruitment_applications.person_id")
    .leftJoin("organisations", "organisations.id", "people.organisation_id")
    .select((eb) => [
      "recruitment_applications.id",
      "recruitment_applications.motivation",
      "recruitment_applications.assigned_group_id",
      "recruitment_applications.created_at",
      "people.id as person_id",
      personName.as("name"),
      "people.workplace",
      "organisations.name as union_name",
      rankedChoices(eb),
    ])
    .where("recruitment_applications.round_id", "=", round.id)
    .orderBy("recruitment_applications.created_at")
    .orderBy("recruitment_applications.id")
    .execute();
  const assignedCount = new Map<number, number>();
  for (const a of applications) {
    if (a.assigned_group_id !== null) {
      assignedCount.set(a.assigned_group_id, (assignedCount.get(a.assigned_group_id) ?? 0) + 1);
    }
  }
  return {
    round,
    groups: groups.map((g) => ({ ...g, assigned: assignedCount.get(g.id) ?? 0 })),
    applications,
  };
}

async function lockRoundForAssignment(trx: Trx, user: SessionUser, roundId: number) {
  const round = await trx
    .selectFrom("recruitment_rounds")
    .selectAll()
    .where("id", "=", roundId)
    .forUpdate()
    .executeTakeFirst();
  if (!round || !managesOrganisation(user, round.organisation_id)) {
    throw new DomainError("not_found");
  }
  if (round.results_sent_at) throw new DomainError("results_already_sent");
  return round;
}

/**
 * Assigns one applicant to a group of the round (or to none). Any group of the
 * round may be chosen, not only the applicant's choices. Refused once the
 * results are sent.
 */
export async function assignApplicant(
  db: Database,
  args: { actor: SessionUser; roundId: number; applicationId: string; groupId: number | null },
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const round = await lockRoundForAssignment(trx, args.actor, args.roundId);
    if (args.groupId !== null) {
      const offered = await roundGroups(trx, round);
      if (!offered.some((g) => g.id === args.groupId)) {
        throw new DomainError("invalid_input", {
          field: "group",
          message: "この募集の専門部会から選んでください。",
        });
      }
    }
    const updated = await trx
      .updateTable("recruitment_applications")
      .set({ assigned_group_id: args.groupId, updated_at: sql`now()` })
      .where("id", "=", /^\d{1,18}$/.test(args.applicationId) ? args.applicationId : "0")
      .where("round_id", "=", round.id)
      .returning("id")
      .executeTakeFirst();
    if (!updated) throw new DomainError("not_found");
  });
}

/** Assigns every applicant not yet assigned to their first choice; returns how many. */
export async function assignFirstChoices(
  db: Database,
  args: { actor: SessionUser; roundId: number },
): Promise<number> {
  return inTransaction(db, async (trx) => {
    const round = await lockRoundForAssignment(trx, args.actor, args.roundId);
    const result = await trx
      .updateTable("recruitment_applications")
      .set((eb) => ({
        assigned_group_id: eb
          .selectFrom("recruitment_choices")
          .select("recruitment_choices.group_id")
          .whereRef("recruitment_choices.application_id", "=", "recruitment_applications.id")
          .where("recruitment_choices.rank", "=", 1),
        updated_at: sql`now()`,
      }))
      .where("round_id", "=", round.id)
      .where("assigned_group_id", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  });
}

/**
 * Sends every applicant their result and puts those assigned on their group's
 * roster, in one transaction; afterwards the round is closed to changes.
 * Sent once: a second call is refused with `results_already_sent`.
 */
export async function announceResults(
  db: Database,
  args: { actor: SessionUser; roundId: number; appUrl: string },
): Promise<{ assigned: number; notAssigned: number }> {
  return inTransaction(db, async (trx) => {
    const round = await lockRoundForAssignment(trx, args.actor, args.roundId);
    const groups = new Map((await roundGroups(trx, round)).map((g) => [g.id, g]));
    const applications = await trx
      .selectFrom("recruitment_applications")
      .innerJoin("people", "people.id", "recruitment_applications.person_id")
      .select((eb) => [
        "recruitment_applications.id",
        "recruitment_applications.assigned_group_id",
        "people.id as person_id",
        "people.email",
        personName.as("name"),
        jsonArrayFrom(
          eb
            .selectFrom("recruitment_choices")
            .select(["rank", "group_id"])
            .whereRef("recruitment_choices.application_id", "=", "recruitment_applications.id")
            .orderBy("rank"),
        ).as("choices"),
      ])
      .where("recruitment_applications.round_id", "=", round.id)
      .orderBy("recruitment_applications.id")
      .execute();
    let assigned = 0;
    for (const a of applications) {
      const group = a.assigned_group_id !== null ? groups.get(a.assigned_group_id) : undefined;
      if (group) {
        assigned++;
        await trx
          .insertInto("working_group_members")
          .values({ group_id: group.id, person_id: a.person_id })
          .onConflict((oc) => oc.columns(["group_id", "person_id"]).doNothing())
          .execute();
      }
      await enqueueEmail(trx, {
        to: a.email,
        message: {
          template: "recruitment_result",
          payload: {
            name: a.name,
            roundTitle: round.title,
            assignedGroup: group ? groupTitle(group) : null,
            choices: a.choices.map((c) => {
              const g = groups.get(c.group_id);
              return g ? groupTitle(g) : "";
            }),
            groupUrl: group ? `${args.appUrl}/groups/${group.id}` : `${args.appUrl}/groups`,
          },
        },
      });
    }
    await trx
      .updateTable("recruitment_rounds")
      .set({ results_sent_at: sql`now()` })
      .where("id", "=", round.id)
      .execute();
    await audit(trx, {
      actorId: args.actor.id,
      eventId: null,
      entity: "recruitment_round",
      entityId: round.id,
      action: "announce",
      detail: { assigned, not_assigned: applications.length - assigned },
    });
    return { assigned, notAssigned: applications.length - assigned };
  });
}
