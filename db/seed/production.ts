import { DEMO_PASSWORDS, verifyPassword } from "../../app/domain/passwords.server";
import type { Database } from "../index";
import { type DemoLogin, loadDemoData } from "./load";

/**
 * What `npm start` does with the data before it serves. Outside production:
 * the demo data on first run. In production: never the demo data, and no
 * start at all while any account still has a demo password (found by
 * checking every stored password hash against the known demo passwords, so a
 * renamed demo account is caught too). Refusing, it says why in Japanese,
 * closes the database and exits with status 1.
 */
export async function prepareStartData(
  database: { db: Database; close: () => Promise<void> },
  env: { NODE_ENV: string },
): Promise<{ loaded: boolean; logins: DemoLogin[] }> {
  if (env.NODE_ENV !== "production") return loadDemoData(database.db);
  const withDemoPassword = await findDemoPasswords(database.db);
  if (withDemoPassword.length > 0) {
    console.error(
      [
        "本番環境(NODE_ENV=production)では起動できません。デモ用のパスワードのままのアカウントがあります:",
        ...withDemoPassword.map((email) => `  ${email}`),
        "デモデータの入ったデータベースは本番に使わないでください。空のデータベースで起動し、",
        "「npm run admin:create -- メールアドレス」で最初の管理者を作成してください(README「本番運用を始める」)。",
      ].join("\n"),
    );
    await database.close();
    process.exit(1);
  }
  const admin = await database.db
    .selectFrom("people")
    .select("id")
    .where("role", "=", "admin")
    .where("disabled_at", "is", null)
    .executeTakeFirst();
  if (!admin) {
    console.log(
      "管理者がまだいません。「npm run admin:create -- メールアドレス」で最初の管理者を作成してください。",
    );
  }
  return { loaded: false, logins: [] };
}

/** The email of every account whose password is a demo password. */
export async function findDemoPasswords(db: Database): Promise<string[]> {
  const people = await db
    .selectFrom("people")
    .select(["email", "password_hash"])
    .where("password_hash", "is not", null)
    .orderBy("email")
    .execute();
  const found: string[] = [];
  for (const person of people) {
    for (const demo of DEMO_PASSWORDS) {
      if (await verifyPassword(demo, person.password_hash ?? "")) {
        found.push(person.email);
        break;
      }
    }
  }
  return found;
}
