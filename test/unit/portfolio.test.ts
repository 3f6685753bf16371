import { describe, expect, it } from "vitest";
import {
  providerCostBuckets,
  rankClients,
  rankingPosition,
  type ProviderDayCost,
  type RankedFigures,
} from "../../src/domain/portfolio.js";

const figures = (clientId: string, total: number, previousTotal: number): RankedFigures => ({
  clientId,
  total,
  previousTotal,
  changePercent: previousTotal === 0 ? null : ((total - previousTotal) / Math.abs(previousTotal)) * 100,
});

describe("rankingPosition", () => {
  it("sorts as text in the order of the value, largest first, over signs, zeros and magnitudes", () => {
    const values = [1e12, 1234.5, 1, 1e-9, 0, -0, -1e-9, -1, -3.25, -1e12];
    const positions = values.map((total, i) => rankingPosition(figures(`c${i}`, total, 1), "COST"));
    expect([...positions].sort()).toEqual(positions);
  });

  it("puts a missing relative change last and breaks ties by client id", () => {
    const ranked = rankClients(
      [figures("b", 10, 5), figures("new", 10, 0), figures("a", 20, 10), figures("c", 5, 10)],
      "RELATIVE_CHANGE",
    );
    expect(ranked.map((f) => f.clientId)).toEqual(["a", "b", "c", "new"]);
    expect(rankClients(ranked, "ABSOLUTE_CHANGE").map((f) => f.clientId)).toEqual(["a", "new", "b", "c"]);
    expect(rankClients(ranked, "COST").map((f) => f.clientId)).toEqual(["a", "b", "new", "c"]);
  });
});

describe("providerCostBuckets", () => {
  const cost = (clientId: string, date: string, total: number, currency = "USD"): ProviderDayCost => ({
    clientId,
    provider: "AWS",
    date,
    total,
    currency,
  });
  const costs = [
    cost("a", "2026-03-02", 5),
    cost("b", "2026-03-02", 7),
    cost("a", "2026-03-03", 1),
    cost("eu", "2026-03-03", 100, "EUR"),
    cost("a", "2026-03-20", 2),
    // Outside the period: ignored.
    cost("b", "2026-02-28", 1000),
  ];

  it("zero-fills every day, keeps one total per currency and the top clients", () => {
    const buckets = providerCostBuckets(costs, { start: "2026-03-01", end: "2026-03-03" }, "DAILY", 1);
    expect(buckets).toEqual([
      { date: "2026-03-01", totals: [], clientCount: 0, topClients: [] },
      {
        date: "2026-03-02",
        totals: [{ currency: "USD", amount: 12 }],
        clientCount: 2,
        topClients: [{ clientId: "b", amount: 7, currency: "USD" }],
      },
      {
        date: "2026-03-03",
        totals: [
          { currency: "EUR", amount: 100 },
          { currency: "USD", amount: 1 },
        ],
        clientCount: 2,
        topClients: [{ clientId: "eu", amount: 100, currency: "EUR" }],
      },
    ]);
  });

  it("sums a client's days into weeks (Monday) and months (the 1st)", () => {
    const period = { start: "2026-03-01", end: "2026-03-31" };
    const weeks = providerCostBuckets(costs, period, "WEEKLY", 5);
    expect(weeks.map((w) => w.date)).toEqual([
      "2026-02-23",
      "2026-03-02",
      "2026-03-09",
      "2026-03-16",
      "2026-03-23",
      "2026-03-30",
    ]);
    expect(weeks[1]!.topClients).toEqual([
      { clientId: "eu", amount: 100, currency: "EUR" },
      { clientId: "b", amount: 7, currency: "USD" },
      { clientId: "a", amount: 6, currency: "USD" },
    ]);
    const [month] = providerCostBuckets(costs, period, "MONTHLY", 5);
    expect(month).toMatchObject({ date: "2026-03-01", clientCount: 3 });
    expect(month!.topClients.find((c) => c.clientId === "a")!.amount).toBe(8);
  });
});
