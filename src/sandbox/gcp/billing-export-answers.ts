/**
 * Answers a query over the simulated billing export table (billing-export-table.ts) the way
 * BigQuery would run it, from the simulator's own reading of the SQL (billing-export-sql.ts): the
 * table it names, the named DATE parameters it uses, its filters on the usage day and on
 * _PARTITIONTIME, the columns it asks for, its grouping and sums, UNNEST of the credits and UNION
 * ALL. It knows nothing of the collector's query builders: a query that asks for the wrong thing
 * gets the wrong answer or BigQuery's refusal (invalidQuery, notFound), not the right rows.
 */
import type { IsoDay } from "../../domain/cost-record.js";
import { isIsoDay } from "../../domain/dates.js";
import type { BillingDataset } from "../billing-dataset.js";
import {
  invalidQuery,
  notFound,
  type BigQueryColumn,
  type BigQueryType,
  type Cell,
} from "./bigquery-wire.js";
import { parseQuery, type ParsedQuery, type SelectBlock, type SelectItem } from "./billing-export-sql.js";
import {
  columnType,
  columnValue,
  CREDIT_FIELD_TYPES,
  EXPORT_FIELDS,
  isUsageDay,
  rowFilter,
  scan,
  type ExportRow,
  type Value,
} from "./billing-export-table.js";

/** The query part of a jobs.query body or of a jobs.insert configuration. */
export interface QueryRequest {
  query?: unknown;
  useLegacySql?: unknown;
  parameterMode?: unknown;
  queryParameters?: unknown;
  location?: unknown;
}

export interface QueryResult {
  columns: readonly BigQueryColumn[];
  rows: Cell[][];
}

export interface BillingExportContext {
  dataset: BillingDataset;
  /** The one table this simulated project exports to: `project.dataset.table`. */
  billingTable: string;
  location: string;
  now: Date;
}

const DATE_LITERAL = /['"]\d{4}-\d{2}-\d{2}['"]/;

export function answerQuery(request: QueryRequest, context: BillingExportContext): QueryResult {
  if (typeof request.query !== "string" || request.query.trim() === "") {
    throw invalidQuery("Required parameter is missing: query");
  }
  if (request.useLegacySql !== false) {
    throw invalidQuery("Legacy SQL is not supported for billing export queries; set useLegacySql to false");
  }
  const table = /FROM\s+`([^`]+)`/i.exec(request.query)?.[1];
  if (!table) throw invalidQuery("Syntax error: expected a SELECT from the billing export table");
  const location = typeof request.location === "string" ? request.location : "US";
  if (location.toUpperCase() !== context.location.toUpperCase()) {
    const dataset = table.split(".").slice(0, 2).join(":");
    throw notFound(`Not found: Dataset ${dataset} was not found in location ${location}`);
  }
  if (table !== context.billingTable) throw tableNotFound(table, location);
  if (DATE_LITERAL.test(request.query)) {
    throw invalidQuery(
      "Dates must be passed as query parameters (@start, @end), not written into the SQL text",
    );
  }
  const query = parseQuery(request.query);
  const other = query.tables.find((name) => name !== context.billingTable);
  if (other) throw tableNotFound(other, location);
  return run(query, dateParameters(request, query.parameters), context);
}

function tableNotFound(table: string, location: string) {
  return notFound(`Not found: Table ${table.replace(".", ":")} was not found in location ${location}`);
}

interface QueryParameter {
  name?: unknown;
  parameterType?: { type?: unknown };
  parameterValue?: { value?: unknown };
}

/** The export's queries take only days: each parameter the SQL uses must come as a named DATE. */
function dateParameters(request: QueryRequest, used: readonly string[]): Record<string, IsoDay> {
  if (used.length === 0) return {};
  if (typeof request.parameterMode !== "string" || request.parameterMode.toUpperCase() !== "NAMED") {
    throw invalidQuery("Query parameters must be named (@start, @end): parameterMode must be NAMED");
  }
  const given = Array.isArray(request.queryParameters) ? (request.queryParameters as QueryParameter[]) : [];
  const values: Record<string, IsoDay> = {};
  for (const name of used) {
    const parameter = given.find((candidate) => candidate?.name === name);
    if (!parameter) throw invalidQuery(`Query parameter '${name}' not found`);
    if (parameter.parameterType?.type !== "DATE") {
      throw invalidQuery(`Query parameter '${name}' must be of type DATE`);
    }
    const value = parameter.parameterValue?.value;
    if (!isIsoDay(value)) throw invalidQuery(`Invalid DATE value for query parameter '${name}'`);
    values[name] = value;
  }
  return values;
}

/** What a SELECT item is, once its names are resolved to the export's columns. */
type Term =
  | { kind: "column"; path: string; type: BigQueryType }
  | { kind: "credit"; field: string; type: BigQueryType }
  | { kind: "constant"; value: Value; type: BigQueryType }
  | { kind: "aggregate"; fn: "SUM" | "MIN" | "MAX" | "COUNT"; of: Term | undefined; type: BigQueryType };

function run(
  query: ParsedQuery,
  parameters: Record<string, IsoDay>,
  context: BillingExportContext,
): QueryResult {
  const withQuery = query.with;
  if (withQuery && !withQuery.block.fromTable)
    throw invalidQuery(`Unrecognized name: ${withQuery.block.from}`);
  // A WITH query passes on its aliases (as their expressions) and the export fields it selects.
  const scope = withQuery && new Map(withQuery.block.items.map((item) => [item.name, item.expression]));
  for (const item of withQuery?.block.items ?? []) {
    if (!EXPORT_FIELDS.has(item.expression)) resolve(item.expression, withQuery!.block, undefined);
  }
  const blocks = query.blocks.map((block) => {
    if (!block.fromTable && block.from !== withQuery?.name)
      throw invalidQuery(`Unrecognized name: ${block.from}`);
    if (!block.fromTable && block.where)
      throw invalidQuery("The simulated export filters only the table itself");
    const blockScope = block.fromTable ? undefined : scope;
    if (block.unnest && !(blockScope?.has(block.unnest.field) ?? EXPORT_FIELDS.has(block.unnest.field))) {
      throw invalidQuery(`Unrecognized name: ${block.unnest.field}`);
    }
    const terms = block.items.map((item) => resolve(item.expression, block, blockScope));
    return { block, terms, filtered: block.fromTable ? block : withQuery!.block };
  });
  const columns = blocks[0]!.block.items.map((item, i) => ({
    name: item.name,
    type: blocks[0]!.terms[i]!.type,
  }));
  for (const { terms } of blocks.slice(1)) {
    if (terms.length !== columns.length)
      throw invalidQuery("Queries in UNION ALL have mismatched column count");
    terms.forEach((term, i) => {
      if (term.type !== columns[i]!.type)
        throw invalidQuery(
          `Column ${i + 1} in UNION ALL has incompatible types: ${columns[i]!.type}, ${term.type}`,
        );
    });
  }
  const scanned = new Map<SelectBlock, ExportRow[]>();
  const rowsOf = (filtered: SelectBlock, firstOnly: boolean) => {
    const rows =
      scanned.get(filtered) ??
      scan(context.dataset, context.now, rowFilter(filtered.where, parameters), firstOnly);
    if (!firstOnly) scanned.set(filtered, rows);
    return rows;
  };
  return {
    columns,
    rows: blocks.flatMap(({ block, terms, filtered }) => {
      const firstOnly = block.groupBy.length === 0 && terms.every(isFirstUsageDay);
      return evaluate(block, terms, rowsOf(filtered, firstOnly));
    }),
  };
}

const AGGREGATE = /^(SUM|MIN|MAX|COUNT)\((.+)\)$/i;
const CAST_NULL = /^CAST\(NULL AS (STRING|FLOAT64|INT64)\)$/i;
const CAST_TYPES: Record<string, BigQueryType> = { STRING: "STRING", FLOAT64: "FLOAT", INT64: "INTEGER" };

function resolve(expression: string, block: SelectBlock, scope: Map<string, string> | undefined): Term {
  const aggregate = AGGREGATE.exec(expression);
  if (aggregate) {
    const fn = aggregate[1]!.toUpperCase() as "SUM" | "MIN" | "MAX" | "COUNT";
    if (fn === "COUNT") {
      if (aggregate[2] !== "1" && aggregate[2] !== "*")
        throw invalidQuery(`Unsupported: COUNT(${aggregate[2]})`);
      return { kind: "aggregate", fn, of: undefined, type: "INTEGER" };
    }
    const of = resolve(aggregate[2]!, block, scope);
    if (fn === "SUM" && of.type !== "FLOAT") throw invalidQuery(`No matching signature for SUM(${of.type})`);
    return { kind: "aggregate", fn, of, type: of.type };
  }
  const cast = CAST_NULL.exec(expression);
  if (cast) return { kind: "constant", value: null, type: CAST_TYPES[cast[1]!.toUpperCase()]! };
  const literal = /^"([^"]*)"$/.exec(expression);
  if (literal) return { kind: "constant", value: literal[1]!, type: "STRING" };
  const [head, ...rest] = expression.split(".");
  if (block.unnest && head === block.unnest.alias) {
    const type = CREDIT_FIELD_TYPES[rest.join(".")];
    if (!type)
      throw invalidQuery(`Field name ${rest.join(".")} does not exist in STRUCT of ${block.unnest.field}`);
    return { kind: "credit", field: rest.join("."), type };
  }
  let path = expression;
  if (scope) {
    const passed = scope.get(head!);
    if (passed === undefined) throw invalidQuery(`Unrecognized name: ${head}`);
    path = rest.length === 0 ? passed : [passed, ...rest].join(".");
  }
  const type = columnType(path);
  if (!type) {
    const known = EXPORT_FIELDS.has(path.split(".")[0]!);
    throw invalidQuery(
      known ? `Field name ${path} does not exist in the export` : `Unrecognized name: ${path}`,
    );
  }
  return { kind: "column", path, type };
}

const isFirstUsageDay = (term: Term) =>
  term.kind === "constant" ||
  (term.kind === "aggregate" && term.fn === "MIN" && term.of?.kind === "column" && isUsageDay(term.of.path));

/** One SELECT over the rows: UNNEST, then GROUP BY with sums, or one row per input row. */
function evaluate(block: SelectBlock, terms: Term[], rows: ExportRow[]): Cell[][] {
  const inputs = block.unnest
    ? rows.flatMap((row) => row.credits.map((credit) => ({ row, credit })))
    : rows.map((row) => ({ row, credit: undefined }));
  const grouped = block.groupBy.length > 0 || terms.some((term) => term.kind === "aggregate");
  // GROUP BY names an output column, its 1-based position or its expression.
  const names = (item: SelectItem, i: number) => (entry: string) =>
    entry === item.name || entry === String(i + 1) || entry === item.expression;
  for (const entry of block.groupBy) {
    if (!block.items.some((item, i) => names(item, i)(entry)))
      throw invalidQuery(`GROUP BY ${entry} is not a column of the SELECT list`);
  }
  terms.forEach((term, i) => {
    const item = block.items[i]!;
    if (
      grouped &&
      (term.kind === "column" || term.kind === "credit") &&
      !block.groupBy.some(names(item, i))
    ) {
      throw invalidQuery(
        `SELECT list expression references ${item.expression} which is neither grouped nor aggregated`,
      );
    }
  });
  const valueOf = (term: Term, input: (typeof inputs)[number]): Value => {
    if (term.kind === "constant") return term.value;
    if (term.kind === "credit") return input.credit?.[term.field as "type" | "amount"] ?? null;
    if (term.kind === "column") return columnValue(input.row, term.path);
    throw new Error("an aggregate has no value per row");
  };
  if (!grouped) return inputs.map((input) => terms.map((term) => cell(valueOf(term, input))));

  const groups = new Map<string, Value[]>();
  for (const input of inputs) {
    const keys = terms.map((term) => (term.kind === "aggregate" ? null : valueOf(term, input)));
    const id = JSON.stringify(keys);
    const values =
      groups.get(id) ?? terms.map((term, i) => (term.kind === "aggregate" ? initial(term) : keys[i]!));
    terms.forEach((term, i) => {
      if (term.kind === "aggregate")
        values[i] = accumulate(term, values[i]!, term.of && valueOf(term.of, input));
    });
    groups.set(id, values);
  }
  // An aggregate without GROUP BY answers one row, also over no rows at all.
  if (groups.size === 0 && block.groupBy.length === 0) groups.set("", terms.map(initial));
  return [...groups.values()].map((values) => values.map(cell));
}

const initial = (term: Term): Value => (term.kind === "aggregate" && term.fn === "COUNT" ? 0 : null);

function accumulate(term: Term & { kind: "aggregate" }, total: Value, value: Value | undefined): Value {
  if (term.fn === "COUNT") return (total as number) + 1;
  if (value === null || value === undefined) return total;
  if (total === null) return value;
  if (term.fn === "SUM") return (total as number) + (value as number);
  const less = term.type === "TIMESTAMP" ? BigInt(value) < BigInt(total) : value < total;
  return (term.fn === "MIN") === less ? value : total;
}

const cell = (value: Value): Cell => (value === null ? null : String(value));
