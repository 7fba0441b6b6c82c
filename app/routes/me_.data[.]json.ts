import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "../domain/auth.server";
import { myDataFile } from "../domain/privacy.server";

/** GET /me/data.json: everything held about the signed-in person, as JSON. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return myDataFile(context.db, { personId: user.id, format: "json" });
}
