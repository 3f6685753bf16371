import type { Authentication } from "../domain/identity.js";
import type { Logger } from "../observability/logger.js";
import type { UseCases } from "../application/use-cases.js";

/** Built once per HTTP request, and once per graphql-ws operation (with loader caching off). */
export interface GraphQLContext {
  requestId: string;
  logger: Logger;
  auth: Authentication;
  useCases: UseCases;
}
