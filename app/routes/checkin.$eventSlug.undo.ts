import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { checkinApi, parseCheckinBody, undoCheckin } from "../domain/checkin.server";

const schema = z.object({
  checkin: z.string().regex(/^\d{1,18}$/, "取り消す受付記録の指定が正しくありません"),
});

/** POST: an organiser or admin takes a check-in back (reception may not). */
export function action({ request, params, context }: ActionFunctionArgs) {
  return checkinApi(request, context, params.eventSlug, async (access) => {
    const input = await parseCheckinBody(request, schema);
    const undone = await undoCheckin(context.db, { access, checkinId: input.checkin });
    return { undone: true, ...undone };
  });
}
