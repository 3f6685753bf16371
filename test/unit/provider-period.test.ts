import { describe, expect, it } from "vitest";
import { InvalidRequestError } from "../../src/providers/errors.js";
import { validatePeriod } from "../../src/providers/period.js";

describe("validatePeriod (every adapter's check before a request)", () => {
  it.each([
    ["2024-02-29", "2024-03-01"],
    ["2026-01-05", "2026-01-05"],
  ])("returns %s..%s, a range of calendar days, unchanged", (start, end) => {
    expect(validatePeriod({ start, end })).toEqual({ start, end });
  });

  it.each([
    [
      { start: "2026-02-30", end: "2026-03-01" },
      'period.start: "2026-02-30" is not a calendar day (YYYY-MM-DD)',
    ],
    [
      { start: "2026-03-01", end: "03/02/2026" },
      'period.end: "03/02/2026" is not a calendar day (YYYY-MM-DD)',
    ],
    [{ start: "2026-03-02", end: "2026-03-01" }, "period.end: 2026-03-01 is before period.start 2026-03-02"],
  ])("refuses %o as a non-retryable InvalidRequestError naming the field", (period, message) => {
    const thrown = (() => {
      try {
        validatePeriod(period);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(InvalidRequestError);
    expect(thrown).toMatchObject({ message, code: "INVALID_REQUEST", retryable: false });
  });
});
