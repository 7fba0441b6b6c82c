/**
 * The app in N processes on one port (node:cluster), for the benchmarks'
 * WEB_CONCURRENCY runs: `serve-cluster.ts <database url> <port> <N>`. Prints
 * "ready" once every process listens; the processes end with this one.
 */
import cluster from "node:cluster";
import { createApp, loadBuild, serverSettings } from "../../app/server";
import { createDb } from "../../db/index";

const [url, port, count] = process.argv.slice(2) as [string, string, string];
process.env.NODE_ENV = "production";

if (cluster.isPrimary) {
  let listening = 0;
  for (let i = 0; i < Number(count); i++) {
    cluster.fork().on("message", (m) => {
      if (m === "listening" && ++listening === Number(count)) console.log("ready");
    });
  }
  const stop = () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
} else {
  const app = createApp({
    db: createDb(url),
    build: await loadBuild(),
    appUrl: "http://127.0.0.1",
    devMail: true,
  });
  serverSettings(app.listen(Number(port), "127.0.0.1", () => process.send?.("listening")));
  process.on("disconnect", () => process.exit(0));
}
