import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { endSession, sessionCookie } from "../domain/auth.server";

export async function action({ request, context }: ActionFunctionArgs) {
  await endSession(context.db, request);
  return redirect("/", {
    headers: { "Set-Cookie": await sessionCookie.serialize("", { maxAge: 0 }) },
  });
}

export function loader() {
  return redirect("/");
}
