/** The one date formatter: times are stored in UTC and always shown in Asia/Tokyo. */
const TIME_ZONE = "Asia/Tokyo";
const WEEKDAYS = ["日", "月", "火", "水", "木", "金", "土"];

const partsFormatter = new Intl.DateTimeFormat("en-US", {
  timeZone: TIME_ZONE,
  year: "numeric",
  month: "numeric",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

type TokyoParts = {
  year: number;
  month: number;
  day: number;
  hour: string;
  minute: string;
  weekday: string;
};

/**
 * Japan has kept UTC+9, without summer time, since September 1951: from
 * 1952 on, Tokyo's clock is the UTC clock moved nine hours, which is what
 * tokyoParts reads (Intl's formatToParts took ~5 µs a date, half of a CSV
 * export's CPU with two date columns). Earlier dates go through Intl, which
 * knows the summer times of 1948–1951.
 */
const FIXED_OFFSET_SINCE = Date.UTC(1952, 0, 1);
const NINE_HOURS = 9 * 60 * 60 * 1000;
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

export function tokyoParts(value: Date | string): TokyoParts {
  const date = typeof value === "string" ? new Date(value) : value;
  const time = date.getTime();
  // NaN (an invalid date) goes to Intl too, which refuses it as before.
  if (!(time >= FIXED_OFFSET_SINCE)) return intlTokyoParts(date);
  const tokyo = new Date(time + NINE_HOURS);
  return {
    year: tokyo.getUTCFullYear(),
    month: tokyo.getUTCMonth() + 1,
    day: tokyo.getUTCDate(),
    hour: pad2(tokyo.getUTCHours()),
    minute: pad2(tokyo.getUTCMinutes()),
    weekday: WEEKDAYS[tokyo.getUTCDay()] ?? "",
  };
}

/** tokyoParts through Intl and the time zone database: any date. */
export function intlTokyoParts(date: Date): TokyoParts {
  const parts = Object.fromEntries(
    partsFormatter.formatToParts(date).map((p) => [p.type, p.value]),
  );
  const year = Number(parts.year);
  const month = Number(parts.month);
  const day = Number(parts.day);
  const weekday = WEEKDAYS[new Date(Date.UTC(year, month - 1, day)).getUTCDay()] ?? "";
  return { year, month, day, hour: parts.hour ?? "00", minute: parts.minute ?? "00", weekday };
}

/** 2024年5月24日(金) */
export function formatDate(value: Date | string): string {
  const p = tokyoParts(value);
  return `${p.year}年${p.month}月${p.day}日(${p.weekday})`;
}

/** 13:30 */
export function formatTime(value: Date | string): string {
  const p = tokyoParts(value);
  return `${p.hour}:${p.minute}`;
}

/** 2024年5月24日(金) 13:30 */
export function formatDateTime(value: Date | string): string {
  return `${formatDate(value)} ${formatTime(value)}`;
}

/**
 * A span in the form people read on notices:
 * 2023年8月18日(金) 18:00〜20:00, or 2024年5月24日(金) 13:30〜5月25日(土) 11:30.
 */
export function formatRange(start: Date | string, end?: Date | string | null): string {
  if (!end) return `${formatDateTime(start)}〜`;
  const a = tokyoParts(start);
  const b = tokyoParts(end);
  if (a.year === b.year && a.month === b.month && a.day === b.day) {
    return `${formatDateTime(start)}〜${formatTime(end)}`;
  }
  const endDate = a.year === b.year ? `${b.month}月${b.day}日(${b.weekday})` : formatDate(end);
  return `${formatDateTime(start)}〜${endDate} ${formatTime(end)}`;
}

/** A Date as the value of an <input type="datetime-local">, in Tokyo time. */
export function toTokyoInput(value: Date | string | null | undefined): string {
  if (!value) return "";
  const p = tokyoParts(value);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${p.hour}:${p.minute}`;
}

/**
 * The value of a datetime-local input, read as Tokyo time; undefined when
 * malformed, impossible (31 February is not 3 March) or before 1900.
 */
export function fromTokyoInput(value: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value) || value < "1900") return undefined;
  const date = new Date(`${value}:00+09:00`);
  return Number.isNaN(date.getTime()) || toTokyoInput(date) !== value ? undefined : date;
}
