/**
 * What "today" is and how far back each billing API serves: the clock that starts on a chosen day,
 * the documented limits of Cost Explorer and Cost Management at the dates that bite, and the cut of
 * a collection period at a provider's first servable day.
 */
import { describe, expect, it } from "vitest";
import { splitAtEarliestDay } from "../../src/domain/collection-job.js";
import { dayOfInstant } from "../../src/domain/dates.js";
import { costExplorerHistoryLimit } from "../../src/providers/aws/aws-adapter.js";
import { costManagementHistoryLimit } from "../../src/providers/azure/azure-adapter.js";
import { clockStartingOn } from "../../src/shared/clock.js";

describe("clockStartingOn", () => {
  it("reads the chosen day at the real time of day, then runs at real speed", () => {
    let real = Date.parse("2026-12-04T20:15:00.000Z");
    const clock = clockStartingOn("2028-02-29", () => new Date(real));
    expect(clock().toISOString()).toBe("2028-02-29T20:15:00.000Z");
    real += 4 * 3_600_000;
    expect(clock().toISOString()).toBe("2028-03-01T00:15:00.000Z");
    expect(dayOfInstant(clock())).toBe("2028-03-01");
  });

  it.each(["2027-02-29", "2026-13-01", "2026-1-01", "", "today"])("refuses %j", (day) => {
    expect(() => clockStartingOn(day)).toThrow(/is not a calendar day/);
  });
});

describe("Cost Explorer's history", () => {
  it.each([
    ["2026-12-04", "2025-11-01"],
    ["2027-01-01", "2025-12-01"],
    ["2026-12-31", "2025-11-01"],
    ["2028-02-29", "2027-01-01"],
    ["2027-03-01", "2026-02-01"],
  ])("on %s serves daily costs from %s (13 months plus the current one)", (today, earliest) => {
    const limit = costExplorerHistoryLimit(today);
    expect(limit.earliest).toBe(earliest);
    expect(limit.reason).toContain(`from ${earliest}`);
    expect(limit.reason).toContain("Cost Explorer");
  });
});

describe("Cost Management's history", () => {
  it.each([
    ["2026-12-04", "2023-12-01"],
    ["2027-01-01", "2024-01-01"],
    ["2028-02-29", "2025-02-01"],
    ["2017-03-10", "2014-05-01"],
  ])("on %s reaches back to %s (37 months, never before May 2014)", (today, earliest) => {
    expect(costManagementHistoryLimit(today).earliest).toBe(earliest);
  });
});

describe("splitAtEarliestDay", () => {
  const period = { start: "2025-10-31", end: "2026-12-04" };

  it("keeps the whole period when there is no limit or the limit is older", () => {
    expect(splitAtEarliestDay(period, undefined)).toEqual({ servable: period });
    expect(splitAtEarliestDay(period, "2025-10-31")).toEqual({ servable: period });
    expect(splitAtEarliestDay(period, "2020-01-01")).toEqual({ servable: period });
  });

  it("cuts the days before the limit off", () => {
    expect(splitAtEarliestDay(period, "2025-11-01")).toEqual({
      servable: { start: "2025-11-01", end: "2026-12-04" },
      unservable: { start: "2025-10-31", end: "2025-10-31" },
    });
  });

  it("leaves nothing servable when the limit is after the period", () => {
    expect(splitAtEarliestDay(period, "2026-12-05")).toEqual({ unservable: period });
    expect(splitAtEarliestDay(period, "2026-12-04")).toEqual({
      servable: { start: "2026-12-04", end: "2026-12-04" },
      unservable: { start: "2025-10-31", end: "2026-12-03" },
    });
  });
});
