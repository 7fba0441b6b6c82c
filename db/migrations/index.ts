import type { Migration } from "kysely";
import * as m0001 from "./0001_initial";
import * as m0002 from "./0002_organisers";
import * as m0003 from "./0003_checkin";
import * as m0004 from "./0004_export_presets";
import * as m0005 from "./0005_groups_materials_reports";
import * as m0006 from "./0006_api";
import * as m0007 from "./0007_staff_accounts";
import * as m0008 from "./0008_membership";
import * as m0009 from "./0009_security";
import * as m0010 from "./0010_faults";
import * as m0011 from "./0011_personal_data";
import * as m0013 from "./0013_course_word";

/** Every migration, by name; listed statically so that bundles and scripts share one list. */
export const migrations: Record<string, Migration> = {
  "0001_initial": m0001,
  "0002_organisers": m0002,
  "0003_checkin": m0003,
  "0004_export_presets": m0004,
  "0005_groups_materials_reports": m0005,
  "0006_api": m0006,
  "0007_staff_accounts": m0007,
  "0008_membership": m0008,
  "0009_security": m0009,
  "0010_faults": m0010,
  "0011_personal_data": m0011,
  "0013_course_word": m0013,
};
