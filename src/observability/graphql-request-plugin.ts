import type { ApolloServerPlugin } from "@apollo/server";
import type { Logger } from "./logger.js";
import { secondsSince, type GraphQLOperationRecorder } from "./graphql-operations.js";

/**
 * Observes every HTTP GraphQL request: once Apollo knows the operation, the request's logger carries
 * its name (every later line of the request has it beside the request id); when the response goes
 * out, the recorder counts, times and logs it. Any request context with a logger will do.
 */
export function graphqlRequestPlugin<Context extends { logger: Logger }>(
  recorder: GraphQLOperationRecorder,
): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      let operationName: string | null | undefined;
      return {
        async didResolveOperation({ contextValue, operation }) {
          operationName = operation?.name?.value ?? null;
          contextValue.logger = contextValue.logger.child({ operationName });
        },
        async willSendResponse({ contextValue, errors }) {
          recorder.finished({
            operationName,
            transport: "http",
            outcome: errors?.length ? "error" : "ok",
            seconds: secondsSince(started),
            logger: contextValue.logger,
            ...(errors?.length ? { errors: errors.length } : {}),
          });
        },
      };
    },
  };
}
