import type { Authentication } from "./auth.js";
import type { Logger } from "../observability/logger.js";
import type { Loaders } from "./loaders.js";
import type { CostReader } from "./cost-reader.js";
import type { CursorCodec } from "./pagination.js";
import type { AppServices } from "../services.js";

/** Built once per HTTP request, and once per graphql-ws operation (with loader caching off). */
export interface GraphQLContext {
  requestId: string;
  logger: Logger;
  auth: Authentication;
  loaders: Loaders;
  costReader: CostReader;
  cursors: CursorCodec;
  services: AppServices;
}
