/** A stored cost anomaly as the detector would leave it, for tests that need one in the table. */
import type { CostAnomaly } from "../../src/domain/anomaly.js";
import { nodeId } from "../../src/application/node-ids.js";

export function storedAnomaly(
  clientId: string,
  date: string,
  overrides: Partial<CostAnomaly> = {},
): CostAnomaly {
  return {
    clientId,
    currency: "USD",
    key: "spike-aws-ec2",
    date,
    lastDate: date,
    provider: "AWS",
    scope: { dimension: "PROVIDER", key: "AWS", label: "AWS" },
    direction: "SPIKE",
    cause: "USAGE",
    actual: 500,
    expected: 100,
    expectedLower: 80,
    expectedUpper: 120,
    impact: 400,
    impactPercent: 400,
    score: 12,
    severity: "HIGH",
    rootCauses: [
      { dimension: "SERVICE", key: "AWS|Amazon EC2", label: "Amazon EC2", impact: 390, share: 0.975 },
    ],
    status: "OPEN",
    detectedAt: `${date}T06:00:00.000Z`,
    updatedAt: `${date}T06:00:00.000Z`,
    expiresAt: 4_102_444_800,
    ...overrides,
  };
}

export const anomalyNodeId = (anomaly: Pick<CostAnomaly, "clientId" | "date" | "key">) =>
  nodeId({ kind: "CostAnomaly", clientId: anomaly.clientId, date: anomaly.date, key: anomaly.key });
