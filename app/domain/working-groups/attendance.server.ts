import { sql } from "kysely";
import type { Database } from "../../../db/index";
import { formatDate } from "../../utils/format";
import { audit } from "../audit.server";
import type { SessionUser } from "../auth.server";
import { DomainError } from "../errors.server";
import { downloadErrorResponse, withLongRead } from "../long-reads.server";
import { personName } from "../people.server";
import { auditPersonalDataRead } from "../privacy.server";
import { collectChunks, csvRecord, xlsxSheetChunks } from "../spreadsheets.server";
import { inTransaction } from "../transactions.server";
import { getManagedGroup } from "./access.server";

/** 専門部会 meetings: who attended, the members × meetings matrix, and its CSV/XLSX download. */

// ---------------------------------------------------------------------------
// Attendance
// ---------------------------------------------------------------------------

/**
 * Records who of the group's roster attended a meeting: those ticked
 * attended, the rest did not. Members of other groups sharing the meeting are
 * left as they are.
 */
export async function recordAttendance(
  db: Database,
  args: { actor: SessionUser; groupId: number; meetingId: number; attendedIds: string[] },
): Promise<{ attended: number; absent: number }> {
  const group = await getManagedGroup(db, { user: args.actor, groupId: args.groupId });
  if (!group) throw new DomainError("not_found");
  return inTransaction(db, async (trx) => {
    const held = await trx
      .selectFrom("group_meeting_groups")
      .select("meeting_id")
      .where("meeting_id", "=", args.meetingId)
      .where("group_id", "=", group.id)
      .executeTakeFirst();
    if (!held) throw new DomainError("not_found");
    const roster = await trx
      .selectFrom("working_group_members")
      .select("person_id")
      .where("group_id", "=", group.id)
      .orderBy("person_id")
      .execute();
    const ticked = new Set(args.attendedIds);
    let attended = 0;
    for (const { person_id } of roster) {
      const yes = ticked.has(person_id);
      if (yes) attended++;
      await trx
        .insertInto("meeting_attendance")
        .values({
          meeting_id: args.meetingId,
          person_id,
          attended: yes,
          recorded_by: args.actor.id,
        })
        .onConflict((oc) =>
          oc.columns(["meeting_id", "person_id"]).doUpdateSet({
            attended: yes,
            recorded_by: args.actor.id,
            recorded_at: sql`now()`,
          }),
        )
        .execute();
    }
    await audit(trx, {
      actorId: args.actor.id,
      eventId: null,
      entity: "group_meeting",
      entityId: args.meetingId,
      action: "attendance",
      detail: { group_id: group.id, attended, absent: roster.length - attended },
    });
    return { attended, absent: roster.length - attended };
  });
}

type AttendanceMatrix = Awaited<ReturnType<typeof getAttendanceMatrix>>;

/**
 * Members × meetings of one group. A meeting counts once attendance has been
 * taken for it (someone on this roster has a record); a member with no record
 * for such a meeting counts as absent. A member's rate is attended / counted
 * meetings, and a meeting's rate is attended / roster; null when nothing
 * counts yet.
 */
export async function getAttendanceMatrix(db: Database, args: { groupId: number }) {
  const meetings = await db
    .selectFrom("group_meeting_groups")
    .innerJoin("group_meetings", "group_meetings.id", "group_meeting_groups.meeting_id")
    .select([
      "group_meetings.id",
      "group_meeting_groups.number",
      "group_meetings.title",
      "group_meetings.starts_at",
    ])
    .where("group_meeting_groups.group_id", "=", args.groupId)
    .orderBy("group_meetings.starts_at")
    .orderBy("group_meetings.id")
    .execute();
  const members = await db
    .selectFrom("working_group_members")
    .innerJoin("people", "people.id", "working_group_members.person_id")
    .leftJoin("organisations", "organisations.id", "people.organisation_id")
    .select([
      "people.id",
      personName.as("name"),
      sql<string>`trim(people.family_name_kana || ' ' || people.given_name_kana)`.as("kana"),
      "organisations.name as union_name",
    ])
    .where("working_group_members.group_id", "=", args.groupId)
    .orderBy("people.family_name_kana")
    .orderBy("people.given_name_kana")
    .orderBy("people.id")
    .execute();
  const records = await db
    .selectFrom("meeting_attendance")
    .select(["meeting_id", "person_id", "attended"])
    .where("meeting_id", "in", meetings.length > 0 ? meetings.map((m) => m.id) : [0])
    .where("person_id", "in", members.length > 0 ? members.map((m) => m.id) : ["0"])
    .execute();
  const cell = new Map(records.map((r) => [`${r.meeting_id}:${r.person_id}`, r.attended]));
  const counted = new Set(records.map((r) => r.meeting_id));
  const rate = (n: number, d: number) => (d === 0 ? null : n / d);

  const meetingRows = meetings.map((m) => {
    const taken = counted.has(m.id);
    const attended = members.filter((p) => cell.get(`${m.id}:${p.id}`) === true).length;
    const meetingRate = taken ? rate(attended, members.length) : null;
    return { ...m, counted: taken, attended, rate: meetingRate, rate_label: percent(meetingRate) };
  });
  const countedMeetings = meetingRows.filter((m) => m.counted);
  const memberRows = members.map((p) => {
    const cells = meetings.map((m) => {
      const v = cell.get(`${m.id}:${p.id}`);
      if (v !== undefined) return v;
      return counted.has(m.id) ? false : null;
    });
    const attended = cells.filter((v) => v === true).length;
    const memberRate = rate(attended, countedMeetings.length);
    return { ...p, cells, attended, rate: memberRate, rate_label: percent(memberRate) };
  });
  const totalAttended = memberRows.reduce((sum, p) => sum + p.attended, 0);
  const overallRate = rate(totalAttended, countedMeetings.length * members.length);
  return {
    meetings: meetingRows,
    members: memberRows,
    countedMeetings: countedMeetings.length,
    overallRate,
    overallRateLabel: percent(overallRate),
  };
}

/** 「85%」, or 「—」 when there is nothing to count. */
function percent(value: number | null): string {
  return value === null ? "—" : `${Math.round(value * 100)}%`;
}

type AttendanceCell = string | number | null;

/**
 * The matrix as rows for a spreadsheet, in the page's order: 氏名, フリガナ,
 * 所属単組, 出席率 (a fraction), 出席回数, then ○ / × per meeting; the last
 * row gives each meeting's rate.
 */
function attendanceRows(matrix: AttendanceMatrix): {
  header: string[];
  rows: AttendanceCell[][];
} {
  const header = [
    "氏名",
    "フリガナ",
    "所属単組",
    "出席率",
    "出席回数",
    ...matrix.meetings.map(
      (m) => `${m.number === null ? m.title : `第${m.number}回`} ${formatDate(m.starts_at)}`,
    ),
  ];
  const rows: AttendanceCell[][] = matrix.members.map((p) => [
    p.name,
    p.kana,
    p.union_name ?? "",
    p.rate,
    p.attended,
    ...p.cells.map((v) => (v === true ? "○" : v === false ? "×" : "")),
  ]);
  rows.push(["出席率", "", "", matrix.overallRate, null, ...matrix.meetings.map((m) => m.rate)]);
  return { header, rows };
}

/**
 * The attendance matrix as CSV for Japanese Excel: UTF-8 with a BOM, CRLF,
 * written by the exports' one CSV writer (formula cells neutralised).
 */
function attendanceCsv(matrix: AttendanceMatrix): string {
  const { header, rows } = attendanceRows(matrix);
  const rateColumns = new Set([3, ...matrix.meetings.map((_, i) => 5 + i)]);
  const lines = [csvRecord(header)];
  for (const [r, row] of rows.entries()) {
    const last = r === rows.length - 1;
    lines.push(
      csvRecord(
        row.map((value, i) =>
          typeof value === "number" && (i === 3 || (last && rateColumns.has(i)))
            ? percent(value)
            : value === null
              ? ""
              : String(value),
        ),
      ),
    );
  }
  return `\uFEFF${lines.join("")}`;
}

/**
 * The attendance matrix as XLSX, through the exports' one XLSX writer: the
 * name column and header frozen, rates as percentages, every other value a
 * plain text or number cell (a name can never become a formula).
 */
function attendanceXlsx(matrix: AttendanceMatrix, args: { sheetName: string }): Promise<Buffer> {
  const { header, rows } = attendanceRows(matrix);
  const meetingRates = Object.fromEntries(matrix.meetings.map((_, i) => [5 + i, "0%"]));
  return collectChunks(
    xlsxSheetChunks({
      name: args.sheetName,
      columns: header.map((_, i) => ({
        width: i === 0 ? 16 : i < 3 ? 20 : 12,
        numFmt: i === 3 ? "0%" : undefined,
      })),
      header,
      frozenColumns: 1,
      rows: rows.map((cells, r) =>
        r === rows.length - 1 ? { cells, bold: true, numFmt: meetingRates } : { cells },
      ),
    }),
  );
}

/**
 * The group's attendance matrix as a download: CSV for Excel (UTF-8 with a
 * BOM, formula cells neutralised) or an XLSX workbook.
 */
export async function attendanceFileResponse(
  db: Database,
  group: { id: number; name: string; term: string; managerId: string },
  file: "csv" | "xlsx",
): Promise<Response> {
  let body: string | Uint8Array<ArrayBuffer>;
  try {
    // A long reader: a slot of its own pool first (app/domain/long-reads.server.ts).
    body = await withLongRead(db, async (lane) => {
      const matrix = await getAttendanceMatrix(lane, { groupId: group.id });
      await auditPersonalDataRead(db, {
        actorId: group.managerId,
        eventId: null,
        action: "export",
        rows: matrix.members.length,
        filter: { group_id: group.id },
        detail: { format: file, what: "group_attendance" },
      });
      return file === "csv"
        ? attendanceCsv(matrix)
        : new Uint8Array(await attendanceXlsx(matrix, { sheetName: `${group.name} 出席状況` }));
    });
  } catch (error) {
    if (error instanceof DomainError) return downloadErrorResponse(error);
    throw error;
  }
  const name = `${group.term}_${group.name}_出席状況.${file}`;
  return new Response(body, {
    headers: {
      "Content-Type":
        file === "csv"
          ? "text/csv; charset=utf-8"
          : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "Content-Disposition": `attachment; filename="attendance-${group.id}.${file}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      "Cache-Control": "private, no-store",
    },
  });
}
