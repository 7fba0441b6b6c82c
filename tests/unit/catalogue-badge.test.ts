import { catalogueBadge } from "../../app/domain/events.server";

const now = new Date("2026-06-01T00:00:00Z");
const days = (n: number) => new Date(now.getTime() + n * 86_400_000);
const base = {
  status: "published",
  finished: false,
  seatsLeft: 40,
  openUntil: days(30),
  opensNext: null,
  now,
};

describe("the registration badge on an event card", () => {
  it("says 受付中 while a window is open with seats and time to spare", () => {
    expect(catalogueBadge(base)).toBe("open");
  });
  it("says 締切間近 within a week of the window's end, or with five seats or fewer", () => {
    expect(catalogueBadge({ ...base, openUntil: days(6) })).toBe("closing");
    expect(catalogueBadge({ ...base, seatsLeft: 5 })).toBe("closing");
    expect(catalogueBadge({ ...base, seatsLeft: null, openUntil: days(8) })).toBe("open");
  });
  it("says 満席 when only the waitlist is left", () => {
    expect(catalogueBadge({ ...base, seatsLeft: 0 })).toBe("full");
  });
  it("says 受付前 before the first window and 受付終了 after the last, or when the event is closed", () => {
    expect(catalogueBadge({ ...base, openUntil: null, opensNext: days(3) })).toBe("upcoming");
    expect(catalogueBadge({ ...base, openUntil: null })).toBe("closed");
    expect(catalogueBadge({ ...base, status: "closed" })).toBe("closed");
  });
  it("leaves finished and cancelled events to their own 終了 and 中止 badges", () => {
    expect(catalogueBadge({ ...base, finished: true })).toBeNull();
    expect(catalogueBadge({ ...base, status: "cancelled" })).toBeNull();
  });
});
