/**
 * Maps a cloud's billing service name (and, when the source API gives it, the usage type or SKU
 * description) to a FOCUS ServiceCategory. Names are matched case- and whitespace-insensitively.
 * An unknown name is "Other" with known = false, so the collector can flag it in data quality
 * rather than silently calling it categorized.
 */
import type { CloudProvider } from "./provider.js";
import type { ServiceCategory } from "./service-category.js";
import { SERVICE_CATALOG, type UsageRefinement } from "./service-catalog.js";

export interface ServiceCategorization {
  category: ServiceCategory;
  /** False when the service name is not in the catalog (category is then "Other"). */
  known: boolean;
}

interface CatalogEntry {
  category: ServiceCategory;
  refinement?: UsageRefinement;
}

const normalizeName = (name: string): string => name.trim().replace(/\s+/g, " ").toLowerCase();

function buildLookup(provider: CloudProvider): ReadonlyMap<string, CatalogEntry> {
  const { categories, refinements } = SERVICE_CATALOG[provider];
  const lookup = new Map<string, CatalogEntry>();
  for (const [category, names] of Object.entries(categories) as [ServiceCategory, readonly string[]][]) {
    for (const name of names) {
      const key = normalizeName(name);
      if (lookup.has(key)) throw new Error(`service catalog lists ${provider} "${name}" twice`);
      const refinement = refinements[name];
      lookup.set(key, refinement ? { category, refinement } : { category });
    }
  }
  for (const name of Object.keys(refinements)) {
    if (!lookup.has(normalizeName(name)))
      throw new Error(`refinement for unlisted ${provider} service "${name}"`);
  }
  return lookup;
}

const LOOKUPS: Readonly<Record<CloudProvider, ReadonlyMap<string, CatalogEntry>>> = {
  AWS: buildLookup("AWS"),
  GCP: buildLookup("GCP"),
  AZURE: buildLookup("AZURE"),
};

/**
 * Without a usage type, a split service gets its dominant category: AWS "Amazon Elastic Compute
 * Cloud" is Compute (instances are most of its rows and cost), "EC2 - Other" is Storage (EBS),
 * GCP "Compute Engine" is Compute. With one, block-storage usage is Storage and the rest follows
 * the provider's own assignment.
 */
export function categorizeService(
  provider: CloudProvider,
  serviceName: string,
  usageType?: string,
): ServiceCategorization {
  const entry = LOOKUPS[provider].get(normalizeName(serviceName));
  if (!entry) return { category: "Other", known: false };
  if (!entry.refinement || !usageType) return { category: entry.category, known: true };
  const match = entry.refinement.patterns.find(([pattern]) => pattern.test(usageType));
  return { category: match ? match[1] : entry.refinement.otherwise, known: true };
}
