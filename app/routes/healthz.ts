import type { LoaderFunctionArgs } from "@remix-run/node";
import { databaseAnswers } from "../domain/health.server";

/** 200 {"ok":true} when the database answers; 503 otherwise, for load balancers. */
export async function loader({ context }: LoaderFunctionArgs) {
  if (await databaseAnswers(context.db)) return Response.json({ ok: true });
  return Response.json({ ok: false, error: "データベースに接続できません" }, { status: 503 });
}
