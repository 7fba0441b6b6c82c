/**
 * One app process, as production runs it behind a load balancer: the built
 * app (`remix build` output) on DATABASE_URL, listening on PORT (0 = any free
 * port). Prints `listening on <port>` once it accepts requests. SIGTERM stops
 * it cleanly; the tests also kill it with SIGKILL to play a crash.
 *
 *   DATABASE_URL=postgres://… PORT=3001 node --import tsx tests/support/serve-app.ts
 */
import type { AddressInfo } from "node:net";
import { createApp, loadBuild } from "../../app/server";
import { createDb } from "../../db/index";

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error("DATABASE_URL is required");
const port = Number(process.env.PORT ?? 0);

const db = createDb(databaseUrl);
const build = await loadBuild();
const server = createApp({
  db,
  build,
  appUrl: process.env.APP_URL ?? `http://127.0.0.1:${port}`,
  devMail: false,
}).listen(port, "127.0.0.1", () => {
  console.log(`listening on ${(server.address() as AddressInfo).port}`);
});

function shutdown() {
  server.close();
  server.closeAllConnections();
  void db.destroy().then(() => process.exit(0));
}
process.on("SIGTERM", shutdown);
// Spawned by a test (with an IPC channel): never outlive it.
if (process.send) process.on("disconnect", shutdown);
