import { failureOf } from "../../app/domain/failures.server";

/**
 * Which errors are no bug of the page that met them (app/domain/failures.server.ts):
 * the others must stay a 500, so that a real bug is seen.
 */
const pg = (code: string) => Object.assign(new Error(`PostgreSQL ${code}`), { code });

describe("which failures are answered 503 or 400 instead of 500", () => {
  it.each([
    [
      "a refused connection",
      Object.assign(new Error("connect"), { code: "ECONNREFUSED" }),
      "database_unavailable",
    ],
    ["PostgreSQL shutting down (57P01)", pg("57P01"), "database_unavailable"],
    ["PostgreSQL starting up (57P03)", pg("57P03"), "database_unavailable"],
    ["a connection failure (08006)", pg("08006"), "database_unavailable"],
    [
      "postgres.js's closed connection",
      Object.assign(new Error("closed"), { code: "CONNECTION_CLOSED" }),
      "database_unavailable",
    ],
    [
      "a pool that gave no connection in time",
      Object.assign(new Error("wait"), { code: "POOL_TIMEOUT" }),
      "database_unavailable",
    ],
    [
      "every address refused",
      new AggregateError([Object.assign(new Error(), { code: "ECONNREFUSED" })]),
      "database_unavailable",
    ],
    [
      "a lost connection as the cause",
      new Error("query failed", { cause: pg("57P01") }),
      "database_unavailable",
    ],
    ["a number out of range (22003)", pg("22003"), "invalid_input"],
    ["a NUL byte (22021)", pg("22021"), "invalid_input"],
    ["an impossible date (22007)", pg("22007"), "invalid_input"],
    [
      "a body that is not a form",
      new TypeError("Failed to parse body as FormData."),
      "invalid_input",
    ],
    [
      "a JSON body sent to a form",
      new TypeError(
        'Content-Type was not one of "multipart/form-data" or "application/x-www-form-urlencoded".',
      ),
      "invalid_input",
    ],
    ["a protocol violation (08P01), a bug", pg("08P01"), undefined],
    ["a unique violation (23505), for the domain to handle", pg("23505"), undefined],
    ["a syntax error in our SQL (42601)", pg("42601"), undefined],
    ["a programming error", new TypeError("x is not a function"), undefined],
    [
      "a destroyed pool, a bug of whoever destroyed it",
      new Error("driver has already been destroyed"),
      undefined,
    ],
    ["not an error at all", "oops", undefined],
  ])("%s", (_what, error, failure) => {
    expect(failureOf(error)).toBe(failure);
  });
});
