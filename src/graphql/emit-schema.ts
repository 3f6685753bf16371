/**
 * `npm run schema` writes schema/schema.graphql from the code; `npm run schema:check` fails when the
 * committed file differs (CI runs it).
 */
import "reflect-metadata";
import { readFile, writeFile } from "node:fs/promises";
import { lexicographicSortSchema, printSchema } from "graphql";
import { buildApiSchema } from "./schema.js";

const target = new URL("../../schema/schema.graphql", import.meta.url);

const schema = await buildApiSchema();
const sdl = printSchema(lexicographicSortSchema(schema)) + "\n";

if (process.argv.includes("--check")) {
  const committed = await readFile(target, "utf8").catch(() => "");
  if (committed !== sdl) {
    console.error("schema/schema.graphql is stale: run `npm run schema` and commit the result");
    process.exit(1);
  }
  console.log("schema/schema.graphql is up to date");
} else {
  await writeFile(target, sdl);
  console.log("wrote schema/schema.graphql");
}
