/**
 * One rule and one message for every list size (domain/list-limits.ts), and every check that uses
 * it: the GraphQL `first` argument, the stores' page sizes, `top` of a breakdown, and the readiness
 * report's connection listing.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { breakdown } from "../../src/domain/aggregation.js";
import {
  checkListSize,
  CONNECTION_LISTING,
  DEFAULT_PAGE_SIZE,
  PAGE_SIZE,
  pageSizeOrDefault,
  TOP_ITEMS,
  type ListLimit,
} from "../../src/domain/limits.js";
import { ValidationError } from "../../src/domain/validation.js";
import { pageSizeOrDefault as pageSize } from "../../src/domain/limits.js";
import { checkPageSize } from "../../src/store/input.js";
import { ConnectionStore } from "../../src/store/connection-store.js";
import { tableNames } from "../../src/store/table-definitions.js";
import { sampleRecords } from "./support/records.js";

/** The ValidationError a call throws (fails the test if it throws nothing else). */
function refusal(call: () => unknown): ValidationError {
  try {
    call();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error("expected a ValidationError");
}

describe("the list size rule", () => {
  it("has the documented bounds: first 0..100 (20 when omitted), top 1..1000", () => {
    expect(PAGE_SIZE).toEqual({ min: 0, max: 100 });
    expect(DEFAULT_PAGE_SIZE).toBe(20);
    expect(TOP_ITEMS).toEqual({ min: 1, max: 1000 });
    expect(CONNECTION_LISTING).toEqual({ min: 1, max: 1000 });
  });

  it("accepts every integer within the bounds, both ends included", () => {
    const limit: ListLimit = { min: 0, max: 3 };
    for (const size of [0, 1, 2, 3]) expect(checkListSize(size, "first", limit)).toBe(size);
  });

  it.each([
    [-1, "-1"],
    [4, "4"],
    [1.5, "1.5"],
    [Number.NaN, "null"],
    ["2", '"2"'],
    [null, "null"],
  ])("refuses %s with the one message, naming the field", (value, shown) => {
    const error = refusal(() => checkListSize(value, "items.first", { min: 0, max: 3 }));
    expect(error.field).toBe("items.first");
    expect(error.message).toBe(`items.first: ${shown} is out of range: use 0 to 3`);
  });
});

describe("every list size check uses it", () => {
  it("GraphQL first: 20 when omitted, 0 allowed, above 100 refused", () => {
    expect(pageSize(undefined)).toBe(DEFAULT_PAGE_SIZE);
    expect(pageSize(null)).toBe(DEFAULT_PAGE_SIZE);
    expect(pageSizeOrDefault(undefined)).toBe(DEFAULT_PAGE_SIZE);
    expect(pageSize(0)).toBe(0);
    expect(pageSize(100)).toBe(100);
    expect(() => pageSize(101)).toThrow(new ValidationError("first", "101 is out of range: use 0 to 100"));
    expect(() => pageSize(-1)).toThrow("first: -1 is out of range: use 0 to 100");
  });

  it("the stores' page size: the same bounds and message as the argument above it", () => {
    expect(checkPageSize(0)).toBe(0);
    expect(checkPageSize(100)).toBe(100);
    for (const size of [-1, 101, 500, 2.5]) {
      expect(refusal(() => checkPageSize(size)).message).toBe(refusal(() => pageSize(size)).message);
    }
  });

  it("top of a breakdown: 1..1000 in the domain as in the API", () => {
    const records = sampleRecords();
    for (const top of [0, 1001, 1.5]) {
      const error = refusal(() => breakdown(records, "SERVICE", { top }));
      expect(error.message).toBe(`top: ${top} is out of range: use 1 to 1000`);
    }
    expect(breakdown(records, "SERVICE", { top: 1000 })).toEqual(breakdown(records, "SERVICE"));
  });

  it("the connection listing of the readiness report: 1..1000, refused before any request", async () => {
    const doc = {
      send: () => Promise.reject(new Error("no request expected")),
    } as unknown as DynamoDBDocumentClient;
    const store = new ConnectionStore({ doc, names: tableNames("unit-") });
    for (const limit of [0, 1001]) {
      await expect(store.listAcrossClients(limit)).rejects.toThrow(
        `limit: ${limit} is out of range: use 1 to 1000`,
      );
    }
  });
});
