import { describe, expect, it } from "vitest";
import {
  addDays,
  addMonths,
  dayOfInstant,
  daysBetween,
  daysInRange,
  firstDayOfMonth,
  fromEpochDay,
  isIsoDay,
  isIsoMonth,
  isoWeekday,
  lastDayOfMonth,
  monthOf,
  monthsInRange,
  monthWindows,
  previousPeriod,
  rangeLength,
  splitRangeByMonth,
  startOfDayEpochSeconds,
  toEpochDay,
  weekStart,
} from "../../src/domain/dates.js";

describe("calendar days", () => {
  it("accepts days that exist, including leap days", () => {
    expect(["2024-02-29", "2000-02-29", "2026-12-31", "2026-01-01"].filter(isIsoDay)).toHaveLength(4);
  });

  it("rejects days that do not exist or are badly formed", () => {
    const bad = [
      "2026-02-30",
      "2026-02-29",
      "1900-02-29",
      "2026-04-31",
      "2026-13-01",
      "2026-00-10",
      "2026-1-01",
      "20260101",
      "2026-01-01T00:00:00Z",
      20260101,
      null,
    ];
    expect(bad.filter(isIsoDay)).toEqual([]);
  });

  it("validates months", () => {
    expect(isIsoMonth("2026-02")).toBe(true);
    expect(["2026-13", "2026-00", "2026-2", "2026-02-01"].filter(isIsoMonth)).toEqual([]);
  });

  it("round-trips epoch days across centuries", () => {
    expect(toEpochDay("1970-01-01")).toBe(0);
    expect(toEpochDay("2026-03-01")).toBe(Date.UTC(2026, 2, 1) / 86_400_000);
    for (const day of ["1600-02-29", "1899-12-31", "2024-02-29", "2100-03-01", "9999-12-31"]) {
      expect(fromEpochDay(toEpochDay(day))).toBe(day);
    }
  });

  it("refuses arithmetic on impossible days instead of rolling them over", () => {
    expect(() => addDays("2026-02-30", 1)).toThrow(/not a calendar day/);
  });
});

describe("day arithmetic", () => {
  it("adds days across month ends, year ends and leap days", () => {
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(addDays("2024-02-29", 1)).toBe("2024-03-01");
    expect(addDays("2025-02-28", 1)).toBe("2025-03-01");
    expect(addDays("2025-12-31", 1)).toBe("2026-01-01");
    expect(addDays("2026-01-01", -1)).toBe("2025-12-31");
    expect(addDays("2026-03-31", 30)).toBe("2026-04-30");
  });

  it("counts days between, negative when reversed", () => {
    expect(daysBetween("2024-02-01", "2024-03-01")).toBe(29);
    expect(daysBetween("2025-02-01", "2025-03-01")).toBe(28);
    expect(daysBetween("2026-01-10", "2026-01-03")).toBe(-7);
    expect(rangeLength({ start: "2026-01-10", end: "2026-01-03" })).toBe(0);
    expect(rangeLength({ start: "2026-01-01", end: "2026-12-31" })).toBe(365);
  });

  it("lists the days of an inclusive range and nothing for a reversed one", () => {
    expect(daysInRange("2024-02-27", "2024-03-01")).toEqual([
      "2024-02-27",
      "2024-02-28",
      "2024-02-29",
      "2024-03-01",
    ]);
    expect(daysInRange("2026-01-05", "2026-01-05")).toEqual(["2026-01-05"]);
    expect(daysInRange("2026-01-05", "2026-01-04")).toEqual([]);
  });

  it("gives the UTC day of an instant and the epoch seconds of a day start", () => {
    expect(dayOfInstant(new Date("2026-01-31T23:59:59.999Z"))).toBe("2026-01-31");
    expect(dayOfInstant(new Date("2026-02-01T00:30:00+01:00"))).toBe("2026-01-31");
    expect(startOfDayEpochSeconds("2026-01-01")).toBe(Date.UTC(2026, 0, 1) / 1000);
  });
});

describe("months", () => {
  it("knows month bounds, including February in leap years", () => {
    expect(monthOf("2026-02-14")).toBe("2026-02");
    expect(firstDayOfMonth("2026-02")).toBe("2026-02-01");
    expect(lastDayOfMonth("2024-02")).toBe("2024-02-29");
    expect(lastDayOfMonth("2026-02")).toBe("2026-02-28");
    expect(lastDayOfMonth("2026-04")).toBe("2026-04-30");
    expect(lastDayOfMonth("2026-12")).toBe("2026-12-31");
  });

  it("adds months across years", () => {
    expect(addMonths("2025-12", 1)).toBe("2026-01");
    expect(addMonths("2026-01", -1)).toBe("2025-12");
    expect(addMonths("2026-01", 13)).toBe("2027-02");
  });

  it("lists the months a range touches", () => {
    expect(monthsInRange("2025-11-30", "2026-02-01")).toEqual(["2025-11", "2025-12", "2026-01", "2026-02"]);
    expect(monthsInRange("2026-02-10", "2026-01-01")).toEqual([]);
  });

  it("cuts a range at calendar-month boundaries", () => {
    expect(monthWindows({ start: "2024-01-30", end: "2024-03-02" })).toEqual([
      { start: "2024-01-30", end: "2024-01-31" },
      { start: "2024-02-01", end: "2024-02-29" },
      { start: "2024-03-01", end: "2024-03-02" },
    ]);
    expect(monthWindows({ start: "2026-05-04", end: "2026-05-04" })).toEqual([
      { start: "2026-05-04", end: "2026-05-04" },
    ]);
    expect(monthWindows({ start: "2026-05-04", end: "2026-05-03" })).toEqual([]);
  });

  it("splits a long range into whole months and edge days", () => {
    const { fullMonths, edgeDays } = splitRangeByMonth("2025-11-29", "2026-02-02");
    expect(fullMonths).toEqual(["2025-12", "2026-01"]);
    expect(edgeDays).toEqual(["2025-11-29", "2025-11-30", "2026-02-01", "2026-02-02"]);
  });

  it("treats a range of exactly whole months as months only, and a range inside one month as days only", () => {
    expect(splitRangeByMonth("2024-01-01", "2024-02-29")).toEqual({
      fullMonths: ["2024-01", "2024-02"],
      edgeDays: [],
    });
    const inside = splitRangeByMonth("2026-03-10", "2026-03-12");
    expect(inside).toEqual({ fullMonths: [], edgeDays: ["2026-03-10", "2026-03-11", "2026-03-12"] });
  });
});

describe("periods and weeks", () => {
  it("gives the previous period of equal length", () => {
    expect(previousPeriod({ start: "2026-03-01", end: "2026-03-31" })).toEqual({
      start: "2026-01-29",
      end: "2026-02-28",
    });
    expect(previousPeriod({ start: "2024-03-01", end: "2024-03-01" })).toEqual({
      start: "2024-02-29",
      end: "2024-02-29",
    });
  });

  it("starts ISO weeks on Monday, also when the week crosses a month or year end", () => {
    expect(isoWeekday("2026-01-05")).toBe(1);
    expect(isoWeekday("2026-01-04")).toBe(7);
    expect(weekStart("2026-01-04")).toBe("2025-12-29");
    expect(weekStart("2026-03-01")).toBe("2026-02-23");
    expect(weekStart("2026-03-02")).toBe("2026-03-02");
    expect(weekStart("1969-12-31")).toBe("1969-12-29");
  });
});
