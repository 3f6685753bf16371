import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

/** The layer arrows of README "Architecture", as the lint enforces them on real paths of src/. */
const root = fileURLToPath(new URL("../..", import.meta.url));
const eslint = new ESLint({ cwd: root, overrideConfigFile: ".config/eslint.config.js" });

async function layerErrors(filePath: string, importLine: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${importLine}\nexport const used = x;\n`, { filePath });
  return result!.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("layer arrows", () => {
  it.each([
    ["src/domain/new.ts", 'import { x } from "../store/keys.js";', "domain/ imports nothing else of ours"],
    ["src/graphql/resolvers/new.ts", 'import { x } from "../../store/keys.js";', "graphql/ may import only"],
    ["src/store/new.ts", 'import { x } from "../providers/errors.js";', "store/ may import only"],
    [
      "src/collection/new.ts",
      'import { x } from "../tenancy/client-manager.js";',
      "collection/ may import only",
    ],
    ["src/application/new.ts", 'import { x } from "../sandbox/sandbox.js";', "application/ may import only"],
    ["src/live/new.ts", 'import { x } from "../services.js";', "must not import the composition root"],
  ])("%s refuses %s", async (filePath, importLine, expected) => {
    const errors = await layerErrors(filePath, importLine);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(expected);
  });

  it.each([
    ["src/graphql/resolvers/new.ts", 'import { x } from "../../application/use-cases.js";'],
    ["src/application/new.ts", 'import { x } from "../tenancy/client-manager.js";'],
    ["src/store/new.ts", 'import { x } from "../shared/retry.js";'],
  ])("%s allows %s", async (filePath, importLine) => {
    expect(await layerErrors(filePath, importLine)).toEqual([]);
  });
});
