import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { categorizeService } from "../../src/domain/service-categories.js";
import { SERVICE_CATALOG } from "../../src/domain/service-catalog.js";
import { SERVICE_CATEGORIES } from "../../src/domain/service-category.js";
import { CLOUD_PROVIDERS, type CloudProvider } from "../../src/domain/provider.js";
import { parseCsv } from "./support/csv.js";

/** The FinOps Foundation's FOCUS 1.0 sample (CC BY 4.0), copied unchanged into the repository's fixtures. */
const FOCUS_SAMPLE = new URL("../fixtures/focus-1.0-sample/focus_sample.csv", import.meta.url);
const FOCUS_PROVIDERS: Record<string, CloudProvider> = { AWS: "AWS", Microsoft: "AZURE" };

const rows = parseCsv(readFileSync(FOCUS_SAMPLE, "utf8"));

describe("categorizeService against the providers' own FOCUS 1.0 assignments", () => {
  it("parses all 1,000 rows of the sample, quoted commas included", () => {
    expect(rows).toHaveLength(1000);
    expect(rows.filter((row) => row.Tags?.includes('", "'))).not.toHaveLength(0);
  });

  it("agrees with every AWS and Microsoft row, refining split services with the row's SKU description", () => {
    const checked = rows.filter((row) => row.ProviderName !== "Oracle");
    const outOfScope = rows.filter((row) => row.ProviderName === "Oracle");
    // Oracle Cloud is not one of the three supported clouds: its 7 rows are the only ones not checked.
    expect(outOfScope).toHaveLength(7);
    expect(checked).toHaveLength(993);

    const disagreements = checked.flatMap((row) => {
      const provider = FOCUS_PROVIDERS[row.ProviderName ?? ""];
      if (!provider) return [`unmapped provider ${row.ProviderName}`];
      const result = categorizeService(provider, row.ServiceName ?? "", row.ChargeDescription);
      return result.category === row.ServiceCategory && result.known
        ? []
        : [
            `${row.ProviderName} ${row.ServiceName} "${row.ChargeDescription}": ${result.category} != ${row.ServiceCategory}`,
          ];
    });
    expect(disagreements).toEqual([]);
  });

  it("covers all 31 AWS and Microsoft (name, category) triples, including EC2 under both Compute and Storage", () => {
    const triples = new Set(
      rows
        .filter((row) => row.ProviderName !== "Oracle")
        .map((row) => `${row.ProviderName}|${row.ServiceName}|${row.ServiceCategory}`),
    );
    expect(triples.size).toBe(31);
    expect(triples).toContain("AWS|Amazon Elastic Compute Cloud|Compute");
    expect(triples).toContain("AWS|Amazon Elastic Compute Cloud|Storage");
  });

  it("uses the dominant category for a split service when no usage type is given", () => {
    const ec2Rows = rows.filter((row) => row.ServiceName === "Amazon Elastic Compute Cloud");
    const compute = ec2Rows.filter((row) => row.ServiceCategory === "Compute").length;
    expect(compute).toBeGreaterThan(ec2Rows.length / 2);
    expect(categorizeService("AWS", "Amazon Elastic Compute Cloud")).toEqual({
      category: "Compute",
      known: true,
    });
  });
});

describe("categorizeService", () => {
  it("maps Cost Explorer, billing export and Cost Management names", () => {
    const cases: [CloudProvider, string, string][] = [
      ["AWS", "Amazon Elastic Compute Cloud - Compute", "Compute"],
      ["AWS", "Amazon Simple Storage Service", "Storage"],
      ["AWS", "Amazon Relational Database Service", "Databases"],
      ["AWS", "AWS Lambda", "Compute"],
      ["AWS", "Amazon CloudFront", "Networking"],
      ["AWS", "Tax", "Other"],
      ["GCP", "Compute Engine", "Compute"],
      ["GCP", "Cloud Storage", "Storage"],
      ["GCP", "BigQuery", "Databases"],
      ["GCP", "Cloud SQL", "Databases"],
      ["GCP", "Kubernetes Engine", "Compute"],
      ["GCP", "Vertex AI", "AI and Machine Learning"],
      ["GCP", "Cloud Run", "Compute"],
      ["GCP", "Networking", "Networking"],
      ["AZURE", "Virtual Machines", "Compute"],
      ["AZURE", "Storage", "Storage"],
      ["AZURE", "Azure App Service", "Web"],
      ["AZURE", "SQL Database", "Databases"],
      ["AZURE", "Azure Cosmos DB", "Databases"],
      ["AZURE", "Bandwidth", "Networking"],
      ["AZURE", "Azure Kubernetes Service", "Compute"],
      ["AZURE", "Virtual Network", "Networking"],
      ["AZURE", "Azure Monitor", "Management and Governance"],
      ["AZURE", "Log Analytics", "Management and Governance"],
    ];
    const wrong = cases.filter(([provider, name, category]) => {
      const result = categorizeService(provider, name);
      return result.category !== category || !result.known;
    });
    expect(wrong).toEqual([]);
  });

  it("refines EC2 rows by AWS usage type codes", () => {
    expect(categorizeService("AWS", "EC2 - Other", "USE1-EBS:VolumeUsage.gp3").category).toBe("Storage");
    expect(categorizeService("AWS", "EC2 - Other", "EBS:SnapshotUsage").category).toBe("Storage");
    expect(categorizeService("AWS", "EC2 - Other", "USE1-NatGateway-Hours").category).toBe("Compute");
    expect(categorizeService("AWS", "EC2 - Other")).toEqual({ category: "Storage", known: true });
    expect(
      categorizeService("AWS", "Amazon Elastic Compute Cloud - Compute", "APS1-EBSOptimized:c5.xlarge")
        .category,
    ).toBe("Storage");
    expect(
      categorizeService("AWS", "Amazon Elastic Compute Cloud - Compute", "BoxUsage:m5.large").category,
    ).toBe("Compute");
  });

  it("refines GCP Compute Engine disk SKUs to Storage", () => {
    expect(categorizeService("GCP", "Compute Engine", "Balanced PD Capacity").category).toBe("Storage");
    expect(categorizeService("GCP", "Compute Engine", "N2 Instance Core running in Americas").category).toBe(
      "Compute",
    );
  });

  it("ignores case and spacing, and leaves the usage type out for unsplit services", () => {
    expect(categorizeService("AZURE", "  azure   cosmos db ")).toEqual({
      category: "Databases",
      known: true,
    });
    expect(categorizeService("AWS", "Amazon Simple Storage Service", "EBS:VolumeUsage")).toEqual({
      category: "Storage",
      known: true,
    });
  });

  it("files unknown names under Other and says so", () => {
    expect(categorizeService("GCP", "Quantum Teleportation API")).toEqual({
      category: "Other",
      known: false,
    });
    expect(categorizeService("AZURE", "Amazon Simple Storage Service")).toEqual({
      category: "Other",
      known: false,
    });
  });

  it("knows at least 40 services per cloud, each under a real FOCUS category", () => {
    for (const provider of CLOUD_PROVIDERS) {
      const { categories } = SERVICE_CATALOG[provider];
      const names = Object.values(categories).flat();
      expect(names.length, provider).toBeGreaterThanOrEqual(40);
      for (const category of Object.keys(categories)) expect(SERVICE_CATEGORIES).toContain(category);
    }
  });
});
