/** `npm run db:migrate`: brings the database up to date. */
import { migrateToLatest } from "../db/index";
import { openDatabase } from "./database";

const database = await openDatabase();
const result = await migrateToLatest(database.db);
for (const r of result.results ?? []) console.log(`${r.migrationName}: ${r.status}`);
if (!result.results?.length) console.log("マイグレーションは最新です。");
await database.close();
