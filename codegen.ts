import type { CodegenConfig } from "@graphql-codegen/cli";

/**
 * Types the operations a dashboard uses (schema/operations) against the emitted schema. The e2e
 * tests use the generated typed documents, so a schema change that breaks a frontend breaks a test.
 */
const config: CodegenConfig = {
  schema: "schema/schema.graphql",
  documents: ["schema/operations/*.graphql"],
  generates: {
    "test/e2e/generated/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        emitLegacyCommonJSImports: false,
        importExtension: ".js",
        enumsAsTypes: true,
        scalars: { Date: "string", DateTime: "string" },
      },
    },
  },
  ignoreNoDocuments: false,
};

export default config;
