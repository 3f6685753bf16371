/** The read planner's decisions: which stored items answer each kind of cost question. */
import { describe, expect, it } from "vitest";
import { planCostRead } from "../../src/application/costs/cost-read-plan.js";

const clientId = "acme";

describe("planCostRead", () => {
  it("answers a provider question over months from MONTHLY rollups, the partial months from DAILY ones", () => {
    const plan = planCostRead({ clientId, period: { start: "2026-01-30", end: "2026-04-02" }, filter: {} });
    expect(plan).toEqual({
      source: "rollups",
      rollups: [
        { clientId, granularity: "MONTHLY", period: "2026-02" },
        { clientId, granularity: "MONTHLY", period: "2026-03" },
        ...["2026-01-30", "2026-01-31", "2026-04-01", "2026-04-02"].map((day) => ({
          clientId,
          granularity: "DAILY",
          period: day,
        })),
      ],
    });
  });

  it("reads DAILY rollups throughout when the answer needs days, and for categories too", () => {
    const plan = planCostRead({
      clientId,
      period: { start: "2026-02-01", end: "2026-02-28" },
      filter: { categories: ["Compute"] },
      by: "SERVICE_CATEGORY",
      daily: true,
    });
    expect(plan.source).toBe("rollups");
    if (plan.source !== "rollups") return;
    expect(plan.rollups).toHaveLength(28);
    expect(new Set(plan.rollups.map((key) => key.granularity))).toEqual(new Set(["DAILY"]));
  });

  it("reads record headers, and no lines, for a service breakdown of the chosen providers", () => {
    const plan = planCostRead({
      clientId,
      period: { start: "2026-02-01", end: "2026-02-03" },
      filter: { providers: ["GCP", "AWS", "GCP"] },
      by: "SERVICE",
    });
    expect(plan).toEqual({
      source: "records",
      headers: ["GCP", "AWS"].flatMap((provider) =>
        ["2026-02-01", "2026-02-02", "2026-02-03"].map((date) => ({ clientId, provider, date })),
      ),
      lines: [],
    });
  });

  it("also reads the joint lines when the filter crosses the breakdown's dimension", () => {
    const period = { start: "2026-02-01", end: "2026-02-02" };
    const plan = planCostRead({ clientId, period, filter: { accountIds: ["111"] }, by: "SERVICE" });
    expect(plan.source).toBe("records");
    if (plan.source !== "records") return;
    expect(plan.headers).toHaveLength(6);
    expect(plan.lines).toEqual(
      ["AWS", "GCP", "AZURE"].map((provider) => ({ clientId, provider, ...period })),
    );
  });
});
