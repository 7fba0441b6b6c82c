/**
 * `npm run admin:create -- someone@example.jp`: the first administrator (or
 * an administrator locked out). Creates or re-enables the account and prints
 * a one-time link to set its password, valid 24 hours; run again, it prints
 * a new link and the old one stops working. Nothing is emailed: the link is
 * for the person running the command.
 */
import { createFirstAdmin, FIRST_ADMIN_HOURS } from "../app/domain/staff.server";
import { DomainError } from "../app/domain/errors.server";
import { parseEnv } from "../app/env.server";
import { migrateToLatest } from "../db/index";
import { openDatabase } from "./database";

const email = process.argv.slice(2).find((a) => !a.startsWith("-"));
if (!email) {
  console.error("使い方: npm run admin:create -- メールアドレス");
  process.exit(2);
}
const env = parseEnv();
const database = await openDatabase();
try {
  await migrateToLatest(database.db);
  const { path, created } = await createFirstAdmin(database.db, { email });
  console.log(
    created
      ? `管理者 ${email} を作成しました。`
      : `${email} を管理者にしました(パスワードを設定し直すリンクを発行しました)。`,
  );
  console.log(
    `次のリンクを開いて、${FIRST_ADMIN_HOURS}時間以内にパスワードを設定してください(1回だけ使えます):`,
  );
  console.log(`\n  ${env.APP_URL}${path}\n`);
  if (!created) console.log("以前に発行したリンクは使えなくなりました。");
} catch (error) {
  if (error instanceof DomainError) {
    console.error(error.message);
    process.exitCode = 1;
  } else throw error;
} finally {
  await database.close();
}
