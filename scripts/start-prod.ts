/**
 * `npm run start:prod`: serves what `npm run build` built, with no rebuild,
 * on DATABASE_URL (never an embedded PostgreSQL). Migrations run first under
 * an advisory lock, so several nodes starting together migrate once. With
 * WEB_CONCURRENCY=N, N app processes share the port (node:cluster); the
 * primary only supervises: it restarts a process that dies and passes
 * SIGTERM on. See docs/deploy.md and docs/decisions/017-several-nodes.md.
 */
import cluster from "node:cluster";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { envAtStart } from "../app/env.server";
import { migrateUnderLock, startNode } from "./production";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const env = envAtStart();
const tag = cluster.isPrimary ? `[${process.pid}]` : `[${process.pid} #${cluster.worker?.id}]`;
const log = (message: string) => console.log(`${new Date().toISOString()} ${tag} ${message}`);

if (!env.DATABASE_URL) {
  console.error(
    "DATABASE_URL が設定されていません。start:prod は組み込み PostgreSQL を使いません。postgres://… を指定してください(ノート PC では npm start)。",
  );
  process.exit(1);
}
if (!existsSync(path.join(root, "build", "index.js"))) {
  console.error("ビルドがありません。先に npm run build を実行してください。");
  process.exit(1);
}

if (cluster.isPrimary) {
  await migrateUnderLock(env.DATABASE_URL, log).catch((error: unknown) => {
    console.error(`マイグレーションに失敗しました: ${String(error)}`);
    process.exit(1);
  });
}

if (cluster.isPrimary && env.WEB_CONCURRENCY > 1) {
  supervise(env.WEB_CONCURRENCY);
} else {
  const node = await startNode(env, { log });
  if (cluster.isPrimary)
    log(`自治研イベント: ${env.APP_URL} (port ${node.port}) で待ち受けています。`);
  else process.send?.({ listening: node.port });
  const stop = (signal: string) =>
    void node.stop(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`停止中にエラーが発生しました: ${String(error)}`);
        process.exit(1);
      },
    );
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  // A cluster worker told to stop by its primary.
  if (cluster.isWorker) process.on("message", (m) => m === "shutdown" && stop("SIGTERM"));
}

/** N workers on one port; a worker that dies unasked is replaced. */
function supervise(count: number) {
  let stopping = false;
  let failed = false;
  let listening = 0;
  const fork = () => {
    const worker = cluster.fork();
    worker.on("message", (m: { listening?: number }) => {
      if (m?.listening && ++listening === count)
        log(
          `自治研イベント: ${env.APP_URL} (port ${m.listening}) で ${count} プロセスが待ち受けています。`,
        );
    });
  };
  for (let i = 0; i < count; i++) fork();
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (code !== 0) failed = true;
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        log("すべてのプロセスが停止しました。");
        process.exit(failed ? 1 : 0);
      }
      return;
    }
    log(`プロセス ${worker.process.pid} が終了しました (${signal ?? code})。起動し直します。`);
    setTimeout(fork, 1000);
  });
  const stopAll = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal} を受け取りました。各プロセスを停止します…`);
    for (const worker of Object.values(cluster.workers ?? {})) worker?.send("shutdown");
  };
  process.on("SIGTERM", () => stopAll("SIGTERM"));
  process.on("SIGINT", () => stopAll("SIGINT"));
}
