import type { ApolloServerPlugin } from "@apollo/server";
import type { Metrics } from "./metrics.js";

/** Counts and times every HTTP GraphQL operation by its name ("anonymous" when unnamed). */
export function metricsPlugin(metrics: Metrics): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operationName, errors }) {
          const operation = operationName ?? "anonymous";
          metrics.graphqlRequests.inc({ operation, outcome: errors?.length ? "error" : "ok" });
          metrics.graphqlDuration.observe({ operation }, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}
