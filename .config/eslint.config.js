import js from "@eslint/js";
import tseslint from "typescript-eslint";
import graphqlPlugin from "@graphql-eslint/eslint-plugin";

/**
 * The layer arrows (README, "Architecture"): each folder of src/ named here may import only the
 * folders listed for it, besides itself. A folder not named here is unrestricted, except that no
 * product code imports the sandbox (src/sandbox); the files at the top of src/ (the composition
 * root) may import every layer but the sandbox, and no layer imports them.
 */
const LAYER_IMPORTS = {
  domain: [],
  shared: [],
  // Insight algorithms (anomaly detection, forecasting): pure functions over domain values.
  insights: ["domain"],
  security: ["domain", "shared"],
  observability: ["domain", "shared"],
  providers: ["domain", "shared", "observability"],
  store: ["domain", "shared", "observability"],
  live: ["domain", "shared", "store", "observability"],
  collection: ["domain", "shared", "providers", "store", "security", "observability"],
  // Tenant administration: clients and their provider connections (validated, sealed, health-checked).
  tenancy: ["domain", "shared", "providers", "store", "security", "observability"],
  application: [
    "domain",
    "shared",
    "insights",
    "store",
    "collection",
    "tenancy",
    "providers",
    "security",
    "live",
    "observability",
  ],
  graphql: ["application", "domain", "shared", "observability"],
  // store: the table definitions; observability: the names of the metrics its alarms read (app-metrics.ts).
  infra: ["domain", "store", "observability"],
};
/** Every folder of src/, the layers above included. */
const SRC_FOLDERS = [...new Set([...Object.keys(LAYER_IMPORTS), "graphql", "sandbox"])];
/** src/a.ts is at depth 0, src/layer/a.ts at 1, src/layer/sub/a.ts at 2. */
const MAX_DEPTH = 3;

/** An import that leaves the file's folder for src/ (`depth` times "../") and enters one of `targets`. */
const escapesTo = (depth, targets) =>
  `^${depth === 0 ? "\\./" : `(\\.\\./){${depth}}`}(${targets.join("|")})(/|$)`;
/** An import of a file at the top of src/ (config.ts, services.ts, ...). */
const rootFile = (depth) => `^(\\.\\./){${depth}}[^./][^/]*$`;
const filesAt = (folder, depth) => [
  `src/${folder}/${Array(depth - 1)
    .fill("*/")
    .join("")}*.ts`,
];

function layerBlocks(layer, allowed) {
  const forbidden = SRC_FOLDERS.filter((folder) => folder !== layer && !allowed.includes(folder));
  const arrows =
    allowed.length === 0 ? "imports nothing else of ours" : `may import only ${allowed.join(", ")}`;
  const message = `${layer}/ ${arrows} (layer arrows: README, "Architecture").`;
  return Array.from({ length: MAX_DEPTH }, (_, index) => index + 1).map((depth) => ({
    files: filesAt(layer, depth),
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { regex: escapesTo(depth, forbidden), message },
            { regex: rootFile(depth), message: `${layer}/ must not import the composition root.` },
          ],
        },
      ],
    },
  }));
}

const noSandbox = (files, depth) => ({
  files,
  rules: {
    "no-restricted-imports": [
      "error",
      {
        patterns: [
          {
            regex: escapesTo(depth, ["sandbox"]),
            message: "Product code never imports src/sandbox (it is not part of the build).",
          },
        ],
      },
    ],
  },
});

/**
 * ProviderConnection is a public name from before Relay conventions mattered here: a client's link
 * to one cloud account, not a Relay connection. Renaming it would break every frontend, so the two
 * Relay rules that go by the "Connection" suffix skip it, and only it.
 */
const NOT_RELAY_CONNECTIONS = ["ProviderConnection"];

/** The type a reported node is about: a type definition's own name, or a field's named return type. */
function reportedTypeName(node) {
  const definition = node.kind === "Name" ? node.parent : node;
  if (definition.kind !== "FieldDefinition") return definition.name?.value;
  let type = definition.gqlType;
  while (type.gqlType) type = type.gqlType;
  return type.name.value;
}

/** `rule`, without the reports about the named types (their definitions and the fields returning them). */
function exceptTypes(rule, typeNames) {
  return {
    ...rule,
    create(context) {
      const filtered = Object.create(context, {
        report: {
          value: (descriptor) => {
            if (!typeNames.includes(reportedTypeName(descriptor.node))) context.report(descriptor);
          },
        },
      });
      return rule.create(filtered);
    },
  };
}

const schemaRules = {
  rules: {
    "relay-arguments": exceptTypes(graphqlPlugin.rules["relay-arguments"], NOT_RELAY_CONNECTIONS),
    "relay-connection-types": exceptTypes(
      graphqlPlugin.rules["relay-connection-types"],
      NOT_RELAY_CONNECTIONS,
    ),
  },
};

/** Schema types that are values, not entities: no id (see strict-id-in-types below). */
const VALUE_TYPES = [
  "AnomalyRootCause",
  "AnomalyScope",
  "BucketClientCost",
  "BudgetStatus",
  "CostFilter",
  "CostForecast",
  "ForecastAccuracy",
  "ForecastPoint",
  "InvoiceMonthCost",
  "InvoiceProviderCost",
  "PortfolioEntry",
  "ProviderCostBucket",
  "ChargeCategoryCostItem",
  "CollectionError",
  "CollectionMetadata",
  "ConnectionCheck",
  "CostBreakdownItem",
  "CostPoint",
  "CostRecordChange",
  "CostSeries",
  "DataQuality",
  "DateRange",
  "ExchangeRate",
  "Money",
  "PageInfo",
  "ProviderCost",
  "RegionCostItem",
  "ServiceCostItem",
  "SkippedDays",
];

const unrestricted = SRC_FOLDERS.filter((folder) => folder !== "sandbox" && !(folder in LAYER_IMPORTS));

export default tseslint.config(
  { ignores: ["node_modules", "dist", ".data", "**/generated/**"] },
  {
    files: ["**/*.{ts,js,mjs,cjs}"],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { disallowTypeAnnotations: false }],
    },
  },
  noSandbox(["src/*.ts"], 0),
  ...unrestricted.flatMap((folder) =>
    Array.from({ length: MAX_DEPTH }, (_, index) => noSandbox(filesAt(folder, index + 1), index + 1)),
  ),
  ...Object.entries(LAYER_IMPORTS).flatMap(([layer, allowed]) => layerBlocks(layer, allowed)),
  {
    // The public schema as frontends' linters see it: The Guild's schema-recommended and Relay rules.
    files: ["schema/schema.graphql"],
    languageOptions: {
      parser: graphqlPlugin.parser,
      parserOptions: { graphQLConfig: { schema: "schema/schema.graphql" } },
    },
    plugins: { "@graphql-eslint": graphqlPlugin, schema: schemaRules },
    rules: {
      ...graphqlPlugin.configs["flat/schema-recommended"].rules,
      ...graphqlPlugin.configs["flat/schema-relay"].rules,
      // Everything a frontend developer reads in their editor is described, not only types.
      "@graphql-eslint/require-description": [
        "error",
        {
          types: true,
          rootField: true,
          FieldDefinition: true,
          InputValueDefinition: true,
          EnumValueDefinition: true,
          DirectiveDefinition: true,
        },
      ],
      // Value objects (amounts, points, breakdown rows, embedded metadata) repeat across parents and
      // are never normalized: they carry no id on purpose (README, "Using it from a frontend").
      "@graphql-eslint/strict-id-in-types": [
        "error",
        { exceptions: { types: VALUE_TYPES, suffixes: ["Connection", "Edge"] } },
      ],
      "@graphql-eslint/relay-arguments": "off",
      "@graphql-eslint/relay-connection-types": "off",
      "schema/relay-arguments": "error",
      "schema/relay-connection-types": "error",
      // Bounded embedded lists (a record's services, a client's provider links) are plain lists.
      // Edges need not hold a Node: a PortfolioEntry is a client's standing in one portfolio (a
      // value; its client and summary are the Nodes), and the rule cannot exempt one type.
      "@graphql-eslint/relay-edge-types": [
        "error",
        { withEdgeSuffix: true, shouldImplementNode: false, listTypeCanWrapOnlyEdgeType: false },
      ],
    },
  },
);
