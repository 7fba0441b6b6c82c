import type { AppLoadContext } from "@remix-run/node";
import type { Database } from "../../../db/index";
import { parseRowId } from "../../utils/forms";
import type { SessionUser } from "../auth.server";
import { DomainError } from "../errors.server";
import { requireStaff } from "../permissions.server";
import { notFound } from "../../utils/action.server";

/**
 * 専門部会 (working groups): who may manage what. The concept is split by
 * what a newcomer looks for: groups.server.ts (the list, a group's page,
 * rosters), meetings.server.ts (meetings and their emails), rsvp.server.ts
 * (answers), attendance.server.ts (who came, and its download) and
 * recruitment.server.ts (専門部会員募集 every other year).
 *
 * Who may do what: anyone sees the groups, their themes and their meeting
 * dates; only a roster member (or a manager) sees the roster, the ZOOM link
 * and their own answers; only an admin, or an organiser of the group's
 * organisation, manages a group.
 */

// ---------------------------------------------------------------------------
// Permission
// ---------------------------------------------------------------------------

/** An admin, or an organiser; others get a 403 (the staff frame already asked for staff). */
export async function requireGroupManager(
  request: Request,
  context: AppLoadContext,
): Promise<SessionUser> {
  const user = await requireStaff(request, context);
  if (user.role !== "admin" && user.role !== "organiser") {
    throw new Response("専門部会の管理は、県本部の管理者・主催担当のみが行えます。", {
      status: 403,
    });
  }
  return user;
}

/** True when `user` manages groups of this organisation: an admin, or its organiser. */
export function managesOrganisation(user: SessionUser, organisationId: number): boolean {
  if (user.role === "admin") return true;
  return user.role === "organiser" && user.organisation_id === organisationId;
}

/** The group when `user` may manage it, else undefined (a route answers 404). */
export async function getManagedGroup(db: Database, args: { user: SessionUser; groupId: number }) {
  if (!Number.isSafeInteger(args.groupId) || args.groupId <= 0) return undefined;
  const group = await db
    .selectFrom("working_groups")
    .selectAll()
    .where("id", "=", args.groupId)
    .executeTakeFirst();
  if (!group || !managesOrganisation(args.user, group.organisation_id)) return undefined;
  return group;
}

/** The group of a manager's page (by the route's id), or a 404. */
export async function requireManagedGroup(
  request: Request,
  context: AppLoadContext,
  groupId: string | undefined,
) {
  const user = await requireGroupManager(request, context);
  const group = await getManagedGroup(context.db, { user, groupId: parseRowId(groupId) ?? 0 });
  if (!group) notFound();
  // who opened it, for the audit of downloads (attendanceFileResponse)
  return { ...group, managerId: user.id };
}

export async function requireManagedGroups(trx: Database, user: SessionUser, groupIds: number[]) {
  const groups = await trx
    .selectFrom("working_groups")
    .select(["id", "organisation_id", "name", "theme"])
    .where("id", "in", groupIds.length > 0 ? groupIds : [0])
    .execute();
  if (groups.length !== new Set(groupIds).size) throw new DomainError("not_found");
  for (const g of groups) {
    if (!managesOrganisation(user, g.organisation_id)) throw new DomainError("not_found");
  }
  return groups;
}
