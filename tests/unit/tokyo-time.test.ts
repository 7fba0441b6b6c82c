import { meetingSchema } from "../../app/domain/working-groups/meetings.server";
import { roundSchema } from "../../app/domain/working-groups/recruitment.server";
import {
  formatDateTime,
  fromTokyoInput,
  intlTokyoParts,
  toTokyoInput,
  tokyoParts,
} from "../../app/utils/format";

/**
 * The one Tokyo date-time parser (fromTokyoInput): every form's date and time
 * is read by it, and it refuses what a calendar does not have.
 */

describe("reading a date and time typed in Tokyo", () => {
  it("reads 2024-05-24 13:30 as 04:30 UTC", () => {
    expect(fromTokyoInput("2024-05-24T13:30")?.toISOString()).toBe("2024-05-24T04:30:00.000Z");
  });

  it("refuses 31 February, 30 February and 29 February of a common year, but not of a leap year", () => {
    expect(fromTokyoInput("2024-02-31T10:00")).toBeUndefined();
    expect(fromTokyoInput("2024-02-30T10:00")).toBeUndefined();
    expect(fromTokyoInput("2023-02-29T10:00")).toBeUndefined();
    expect(fromTokyoInput("2024-04-31T10:00")).toBeUndefined();
    expect(fromTokyoInput("2024-02-29T10:00")?.toISOString()).toBe("2024-02-29T01:00:00.000Z");
  });

  it("refuses 24:00 (it is 00:00 of the next day) and minutes past 59", () => {
    expect(fromTokyoInput("2024-05-01T24:00")).toBeUndefined();
    expect(fromTokyoInput("2024-05-01T23:60")).toBeUndefined();
    expect(fromTokyoInput("2024-05-01T23:59")?.toISOString()).toBe("2024-05-01T14:59:00.000Z");
  });

  it("refuses what is not a datetime-local value, and years before 1900", () => {
    for (const value of [
      "",
      "2024-05-01",
      "2024-05-01 10:00",
      "2024-5-1T10:00",
      "1899-12-31T10:00",
    ]) {
      expect(fromTokyoInput(value)).toBeUndefined();
    }
  });

  it("is nine hours ahead of UTC all year: Japan has no summer time", () => {
    for (const month of ["01", "03", "04", "07", "10", "11", "12"]) {
      expect(fromTokyoInput(`2024-${month}-15T09:00`)?.toISOString()).toBe(
        `2024-${month}-15T00:00:00.000Z`,
      );
    }
  });

  it("gives back what toTokyoInput wrote, midnight included", () => {
    for (const iso of ["2024-05-23T15:00:00.000Z", "2023-12-31T14:59:00.000Z"]) {
      const typed = toTokyoInput(new Date(iso));
      expect(fromTokyoInput(typed)?.toISOString()).toBe(iso);
    }
    expect(toTokyoInput(new Date("2024-05-23T15:00:00.000Z"))).toBe("2024-05-24T00:00");
  });
});

describe("showing a stored time in Tokyo", () => {
  it("reads every date from 1952 on as the time zone database does (UTC+9), across days, months, years and leap days", () => {
    const instants = [
      "1952-01-01T00:00:00.000Z",
      "1999-12-31T14:59:59.999Z",
      "1999-12-31T15:00:00.000Z",
      "2024-02-28T15:00:00.000Z",
      "2024-02-29T14:59:00.000Z",
      "2024-02-29T15:00:00.000Z",
      "2100-02-28T15:00:00.000Z",
      "2026-12-31T23:59:00.000Z",
    ].map((iso) => new Date(iso));
    // and a minute in each of 5,000 random days up to 2200, from a fixed seed
    let seed = 20261202;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const from = Date.UTC(1952, 0, 1);
    const to = Date.UTC(2200, 0, 1);
    for (let i = 0; i < 5000; i++) {
      instants.push(new Date(from + Math.floor(next() * ((to - from) / 60_000)) * 60_000));
    }
    for (const instant of instants) {
      expect(tokyoParts(instant), instant.toISOString()).toEqual(intlTokyoParts(instant));
    }
    expect(formatDateTime(new Date("2024-05-24T04:30:00.000Z"))).toBe("2024年5月24日(金) 13:30");
    expect(formatDateTime("2023-12-31T15:00:00.000Z")).toBe("2024年1月1日(月) 00:00");
  });

  it("keeps the summer time Japan had from 1948 to 1951", () => {
    // 1948-05-02 01:30 JDT (UTC+10), not 00:30
    expect(tokyoParts(new Date("1948-05-01T15:30:00.000Z"))).toMatchObject({
      year: 1948,
      month: 5,
      day: 2,
      hour: "01",
      minute: "30",
      weekday: "日",
    });
  });

  it("refuses an invalid date as before", () => {
    expect(() => tokyoParts(new Date("not a date"))).toThrow(RangeError);
  });
});

describe("the forms that read dates through it", () => {
  const meeting = {
    group: ["1"],
    date: "2024-02-31",
    start: "13:30",
    place_kind: "room",
    place_name: "県本部 会議室",
  };

  it("a meeting on 31 February is refused on its date, and on 29 February 2024 accepted", () => {
    const bad = meetingSchema.safeParse(meeting);
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join("."))).toContain("date");
    expect(meetingSchema.safeParse({ ...meeting, date: "2024-02-29" }).success).toBe(true);
  });

  it("a meeting ending on 31 February is refused on its end date", () => {
    const bad = meetingSchema.safeParse({
      ...meeting,
      date: "2024-02-28",
      end_date: "2024-02-31",
      end: "10:00",
    });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join("."))).toContain("end_date");
  });

  it("a recruitment round closing on 31 February, or at 24:00, is refused on that field", () => {
    const round = {
      term: "第20年次",
      title: "専門部会員募集",
      opens_at: "2024-02-01T09:00",
      closes_at: "2024-02-31T17:00",
      max_choices: "3",
    };
    for (const closes_at of ["2024-02-31T17:00", "2024-02-28T24:00"]) {
      const bad = roundSchema.safeParse({ ...round, closes_at });
      expect(bad.success).toBe(false);
      expect(bad.error?.issues.map((i) => i.path.join("."))).toContain("closes_at");
    }
    expect(roundSchema.safeParse({ ...round, closes_at: "2024-02-29T17:00" }).success).toBe(true);
  });
});
