import { type Kysely, sql } from "kysely";

/**
 * The job-queue workers each app process runs, so that the next start (of
 * any process) can free the jobs of a process that died: graphile-worker
 * would otherwise keep them locked for 4 hours. `owner` is the process's
 * key; a live process holds a session advisory lock on it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table queue_workers (
    worker_id text primary key,
    owner integer not null,
    started_at timestamptz not null default now()
  )`.execute(db);
  await sql`create index queue_workers_owner_idx on queue_workers(owner)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table queue_workers`.execute(db);
}
