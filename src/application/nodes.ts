/**
 * Any object by its global id (Relay's `node` / `nodes`): the owning tenant is checked before
 * anything is read, so another tenant's id answers FORBIDDEN, like the other lookups, and an id of
 * nothing stored answers null.
 */
import type { Client, ProviderConnection } from "../domain/client.js";
import type { CollectionJob } from "../domain/collection-job.js";
import type { CostFilter } from "../domain/aggregation.js";
import type { CostRecordHeader } from "../domain/cost-record.js";
import type { DayRange } from "../domain/dates.js";
import type { Authentication } from "../domain/identity.js";
import { checkListSize, NODE_IDS } from "../domain/limits.js";
import type { CloudProvider } from "../domain/provider.js";
import { canRead, requireCaller, requireRead } from "./authorization.js";
import type { CostAnomaly } from "../domain/anomaly.js";
import type { Budget, BudgetAlert } from "../domain/budget.js";
import type { Anomalies } from "./anomalies.js";
import type { Budgets } from "./budgets.js";
import type { Collections } from "./collections.js";
import type { CostQueries } from "./costs/cost-queries.js";
import type { CostSummaryAnswer } from "./costs/cost-reads.js";
import { parseNodeId } from "./node-ids.js";
import type { Tenants } from "./tenants.js";

export type FoundNode =
  | { kind: "Client"; client: Client }
  | { kind: "CollectionJob"; job: CollectionJob }
  | { kind: "ProviderCollection"; job: CollectionJob; provider: CloudProvider }
  | { kind: "CostRecord"; header: CostRecordHeader }
  | { kind: "AccountCostItem"; header: CostRecordHeader; accountId: string }
  | { kind: "ProviderConnection"; connection: ProviderConnection }
  | { kind: "CostAnomaly"; anomaly: CostAnomaly }
  | { kind: "Budget"; budget: Budget }
  | { kind: "BudgetAlert"; alert: BudgetAlert }
  | {
      kind: "CostSummary";
      client: Client;
      question: { period: DayRange; filter: CostFilter };
      summary: CostSummaryAnswer;
    };

export interface NodeDeps {
  anomalies: Anomalies;
  budgets: Budgets;
  tenants: Tenants;
  collections: Collections;
  costs: CostQueries;
}

export class Nodes {
  constructor(private readonly deps: NodeDeps) {}

  async node(auth: Authentication, id: string): Promise<FoundNode | null> {
    const caller = requireCaller(auth);
    const ref = parseNodeId(id);
    const { tenants, collections, costs, anomalies, budgets } = this.deps;
    switch (ref.kind) {
      case "ClientOrJob": {
        // A readable client first; then a job (its own tenant decides); else, like client(id).
        const client = canRead(caller, ref.id) ? await tenants.client(auth, ref.id) : null;
        if (client) return { kind: "Client", client };
        const job = await collections.job(auth, ref.id);
        if (job) return { kind: "CollectionJob", job };
        requireRead(auth, ref.id);
        return null;
      }
      case "CostRecord": {
        const header = await costs.record(auth, ref);
        return header && { kind: "CostRecord", header };
      }
      case "AccountCostItem": {
        const header = await costs.record(auth, ref);
        const present = header?.accounts.some((account) => account.accountId === ref.accountId);
        return header && present ? { kind: "AccountCostItem", header, accountId: ref.accountId } : null;
      }
      case "ProviderConnection": {
        const connections = await tenants.connections(auth, ref.clientId);
        const connection = connections.find((c) => c.provider === ref.provider);
        return connection ? { kind: "ProviderConnection", connection } : null;
      }
      case "ProviderCollection": {
        requireRead(auth, ref.clientId);
        const job = await collections.job(auth, ref.jobId);
        const present =
          job?.clientId === ref.clientId && job.providers.some((p) => p.provider === ref.provider);
        return job && present ? { kind: "ProviderCollection", job, provider: ref.provider } : null;
      }
      case "CostAnomaly": {
        const anomaly = await anomalies.anomaly(auth, ref);
        return anomaly && { kind: "CostAnomaly", anomaly };
      }
      case "Budget": {
        const budget = await budgets.budget(auth, ref);
        return budget && { kind: "Budget", budget };
      }
      case "BudgetAlert": {
        const alert = await budgets.alert(auth, ref);
        return alert && { kind: "BudgetAlert", alert };
      }
      case "CostSummary": {
        const client = await tenants.client(auth, ref.clientId);
        if (!client) return null;
        const question = { period: ref.period, filter: ref.filter };
        return {
          kind: "CostSummary",
          client,
          question,
          summary: await costs.summary(auth, client.id, question),
        };
      }
    }
  }

  /** In the order asked; an id that fails (not an id, FORBIDDEN) fails alone, as its own error. */
  async nodes(auth: Authentication, ids: readonly string[]): Promise<(FoundNode | null | Error)[]> {
    requireCaller(auth);
    checkListSize(ids.length, "ids", NODE_IDS);
    return Promise.all(
      ids.map((id) =>
        this.node(auth, id).catch((error: unknown) =>
          error instanceof Error ? error : new Error(String(error)),
        ),
      ),
    );
  }
}
