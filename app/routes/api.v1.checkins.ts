import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { apiError, requireApiEventAccess, requireApiUser } from "../domain/api.server";
import { checkIn, getWholeEventListId } from "../domain/checkin.server";
import { domainJson } from "../utils/action.server";
import { isRowId } from "../domain/permissions.server";

const body = z.object({
  eventId: z.number().int().positive(),
  ticket: z.string().min(1).max(200),
  /** a session's check-in list; the whole event's list when absent */
  listId: z.number().int().positive().optional(),
  desk: z.string().max(50).default("API"),
  nonce: z.string().min(8).max(100).optional(),
});

/** POST /api/v1/checkins {eventId, ticket, listId?, desk?, nonce?}: the same check-in as the desk. */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireApiUser(request, context);
  let input: z.infer<typeof body>;
  try {
    const parsed = body.safeParse(await request.json());
    if (!parsed.success) {
      return apiError(
        "invalid_input",
        422,
        `入力が正しくありません: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`,
      );
    }
    input = parsed.data;
  } catch {
    return apiError(
      "invalid_input",
      400,
      "JSONとして読めません。Content-Type: application/json の本文を送ってください。",
    );
  }
  const access = await requireApiEventAccess(context, {
    user,
    eventId: input.eventId,
    permission: "checkin",
  });
  const listNotFound = () => apiError("not_found", 404, "受付リストが見つかりません。");
  if (input.listId !== undefined && !isRowId(input.listId)) return listNotFound();
  // A list of another event is refused by checkIn itself (not_found).
  return domainJson(async () => {
    const result = await checkIn(context.db, {
      eventId: access.eventId,
      unionId: access.unionId,
      listId: input.listId ?? (await getWholeEventListId(context.db, access.eventId)),
      ticket: input.ticket,
      staffId: user.id,
      desk: input.desk,
      nonce: input.nonce,
    });
    return Response.json({ result });
  }, listNotFound);
}
