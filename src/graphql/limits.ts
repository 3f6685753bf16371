/**
 * Query limits shared by HTTP (Apollo) and WebSocket (graphql-ws), so a query refused on one is
 * refused on the other: depth, cost, aliases, directives and tokens, via graphql-armor.
 */
import { ApolloArmor } from "@escape.tech/graphql-armor";
import { costLimitRule } from "@escape.tech/graphql-armor-cost-limit";
import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesRule } from "@escape.tech/graphql-armor-max-directives";
import type { GraphQLArmorConfig, GraphQLArmorRejectCallback } from "@escape.tech/graphql-armor-types";
import type { ValidationRule } from "graphql";

export interface QueryLimits {
  maxDepth: number;
  maxComplexity: number;
}

export const MAX_ALIASES = 15;
export const MAX_DIRECTIVES = 20;
export const MAX_TOKENS = 2_000;
/** Request bodies above this are refused before parsing (HTTP 413). */
export const MAX_BODY_BYTES = 100_000;

function armorConfig(limits: QueryLimits): GraphQLArmorConfig {
  return {
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true },
    costLimit: {
      maxCost: limits.maxComplexity,
      objectCost: 2,
      scalarCost: 1,
      depthCostFactor: 1.5,
      ignoreIntrospection: true,
    },
    maxAliases: { n: MAX_ALIASES },
    maxDirectives: { n: MAX_DIRECTIVES },
    maxTokens: { n: MAX_TOKENS },
    blockFieldSuggestion: { enabled: false },
  };
}

export function apolloProtection(limits: QueryLimits) {
  // Armor's token plugin throws from a plugin hook, which Apollo answers with a 500; Apollo's own
  // parser enforces the same limit (parseOptions in app.ts).
  return new ApolloArmor({ ...armorConfig(limits), maxTokens: { enabled: false } }).protect();
}

/** The same rules for documents that do not pass through Apollo (graphql-ws subscriptions). */
export function limitValidationRules(limits: QueryLimits): ValidationRule[] {
  const config = armorConfig(limits);
  // Armor throws out of validate() by default, which graphql-ws answers by closing the socket:
  // report the violation as a validation error instead, so the client gets an error message.
  const reported = {
    propagateOnRejection: false,
    onReject: [((context, error) => context?.reportError(error)) satisfies GraphQLArmorRejectCallback],
  };
  return [
    maxDepthRule({ ...config.maxDepth, ...reported }),
    costLimitRule({ ...config.costLimit, ...reported }),
    maxAliasesRule({ ...config.maxAliases, ...reported }),
    maxDirectivesRule({ ...config.maxDirectives, ...reported }),
  ];
}
