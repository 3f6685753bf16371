/**
 * The shape of a synthetic tenant: its accounts and which services run in which account and region.
 * Drawn once from the seed; the daily amounts are drawn per day on top of it (billing-dataset.ts).
 */
import type { CloudProvider } from "../domain/provider.js";
import { BILLING_CATALOGS, type CatalogService } from "./billing-catalog.js";
import { mixSeed, mulberry32 } from "./seeded-random.js";

/** The size knobs of BillingDatasetOptions. */
export interface TenantOptions {
  provider: CloudProvider;
  seed: number;
  services?: number;
  accounts?: number;
  regions?: number;
}

const DEFAULT_SIZE = { services: 12, accounts: 3, regions: 4 };

export interface Account {
  id: string;
  name: string;
  /** Relative size: the first accounts (production) spend the most. */
  scale: number;
}

/** One service running in one account and region: the unit a usage line is produced for. */
export interface Deployment {
  service: CatalogService;
  serviceIndex: number;
  account: Account;
  accountIndex: number;
  region: string;
  /** Share of the service's cost in this account that lands in this region. */
  weight: number;
}

function accountId(provider: CloudProvider, name: string, random: () => number): string {
  const digits = (count: number) => Array.from({ length: count }, () => Math.floor(random() * 10)).join("");
  if (provider === "AWS") return `${1 + Math.floor(random() * 9)}${digits(11)}`;
  if (provider === "GCP") return `${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${digits(6)}`;
  const hex = (count: number) =>
    Array.from({ length: count }, () => Math.floor(random() * 16).toString(16)).join("");
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${"89ab"[Math.floor(random() * 4)]}${hex(3)}-${hex(12)}`;
}

function sizeOption(
  value: number | undefined,
  field: "services" | "accounts" | "regions",
  max: number,
): number {
  const size = value ?? Math.min(DEFAULT_SIZE[field], max);
  if (!Number.isInteger(size) || size < 1 || size > max) {
    throw new RangeError(
      `BillingDatasetOptions.${field}: must be an integer from 1 to ${max}, got ${String(value)}`,
    );
  }
  return size;
}

export function buildTenant(options: TenantOptions): { accounts: Account[]; deployments: Deployment[] } {
  const catalog = BILLING_CATALOGS[options.provider];
  const random = mulberry32(mixSeed(options.seed, 0x5eed));
  const services = catalog.services.slice(
    0,
    sizeOption(options.services, "services", catalog.services.length),
  );
  const regions = catalog.regions.slice(0, sizeOption(options.regions, "regions", catalog.regions.length));
  const accountCount = sizeOption(options.accounts, "accounts", catalog.accountNames.length);
  const accounts: Account[] = catalog.accountNames.slice(0, accountCount).map((name, index) => ({
    id: accountId(options.provider, name, random),
    name,
    scale: (1.6 / (1 + 0.35 * index)) * (0.8 + 0.4 * random()),
  }));
  const pickRegion = () =>
    (random() < 0.5 ? regions[0] : regions[Math.floor(random() * regions.length)]) ?? "";
  const deployments: Deployment[] = [];
  accounts.forEach((account, accountIndex) => {
    services.forEach((service, serviceIndex) => {
      // The biggest services run everywhere; the rest in about half of the accounts.
      if (serviceIndex >= 3 && random() >= 0.5) return;
      const base = { service, serviceIndex, account, accountIndex };
      const affinity = 0.3 + 1.4 * random();
      if (service.global) {
        deployments.push({ ...base, region: catalog.globalRegion, weight: affinity });
        return;
      }
      const primary = pickRegion();
      const secondary = regions.length > 1 && random() < 0.3 ? pickRegion() : primary;
      if (secondary === primary) {
        deployments.push({ ...base, region: primary, weight: affinity });
      } else {
        deployments.push({ ...base, region: primary, weight: 0.75 * affinity });
        deployments.push({ ...base, region: secondary, weight: 0.25 * affinity });
      }
    });
  });
  return { accounts, deployments };
}
