import type { Migration } from "kysely";
import * as m0001 from "./0001_initial";

/** Every migration, by name; listed statically so that bundles and scripts share one list. */
export const migrations: Record<string, Migration> = {
  "0001_initial": m0001,
};
