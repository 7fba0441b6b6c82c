import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "../domain/auth.server";
import { myDataFile } from "../domain/privacy.server";

/** GET /me/data.csv: the same as one CSV for Excel (UTF-8 with BOM). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return myDataFile(context.db, { personId: user.id, format: "csv" });
}
