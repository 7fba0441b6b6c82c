/** `npm run db:seed`: loads the demo data into an empty database. */
import { migrateToLatest } from "../db/index";
import { loadDemoData } from "../db/seed/load";
import { openDatabase } from "./database";

const database = await openDatabase();
await migrateToLatest(database.db);
const result = await loadDemoData(database.db);
console.log(
  result.loaded ? "デモデータを読み込みました。" : "イベントが既にあるため、何もしませんでした。",
);
await database.close();
