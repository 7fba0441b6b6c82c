import { sql } from "kysely";
import type { Database } from "../../db/index";

/** How long /healthz waits for the database before it answers 503. */
const HEALTH_WAIT_MS = 1_000;

const probes = new WeakMap<Database, Promise<boolean>>();

/**
 * True when the database answers a trivial query within 1 s, so that
 * /healthz answers within 2 s whatever the database does (a hung server
 * included). Checks that arrive while one is under way share it: a load
 * balancer polling a hung database holds at most one connection.
 */
export async function databaseAnswers(db: Database): Promise<boolean> {
  let probe = probes.get(db);
  if (!probe) {
    probe = sql`select 1`.execute(db).then(
      () => true,
      () => false,
    );
    probes.set(db, probe);
    void probe.finally(() => {
      if (probes.get(db) === probe) probes.delete(db);
    });
  }
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), HEALTH_WAIT_MS);
  });
  try {
    return await Promise.race([probe, late]);
  } finally {
    clearTimeout(timer);
  }
}
