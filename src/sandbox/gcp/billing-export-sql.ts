/**
 * The simulated BigQuery's own reading of a query: just enough GoogleSQL for the queries a billing
 * collector sends to its export table, parsed here without the collector's help, so a query that
 * asks for the wrong table, column, filter or grouping is answered (or refused) for what it says.
 *
 *   [WITH name AS (select)] select [UNION ALL select ...]
 *   select := SELECT item, ... FROM (`table` | name[, UNNEST(field) AS alias]) [WHERE ...] [GROUP BY ...]
 *   item   := expression [AS alias]
 *
 * Everything else is a syntax error. Expressions stay text; billing-export-answers.ts gives them meaning.
 */
import { invalidQuery } from "./bigquery-wire.js";

export interface SelectItem {
  /** The expression as written (white space folded). */
  expression: string;
  /** The output column: the alias, the last name of a column path (`service.id` is `id`), else `f<n>_`. */
  name: string;
}

export interface SelectBlock {
  items: SelectItem[];
  /** A backquoted table (without the backquotes) or the name of the WITH query. */
  from: string;
  fromTable: boolean;
  /** `UNNEST(credits) AS credit`: one row per element of the array field. */
  unnest: { field: string; alias: string } | undefined;
  /** The WHERE condition as written, if any. */
  where: string | undefined;
  /** GROUP BY entries as written: output names, 1-based positions or expressions. */
  groupBy: string[];
}

export interface ParsedQuery {
  /** The WITH query, if any: its name and its one SELECT. */
  with: { name: string; block: SelectBlock } | undefined;
  /** The SELECTs of the main query, UNION ALL between them. */
  blocks: SelectBlock[];
  /** Every table the query reads. */
  tables: string[];
  /** Every named parameter the query uses (`@start` is `start`). */
  parameters: string[];
}

/** White space folded to single spaces outside string literals. */
export function foldWhiteSpace(sql: string): string {
  let folded = "";
  let quote: string | undefined;
  for (const char of sql.trim()) {
    if (quote) {
      folded += char;
      if (char === quote) quote = undefined;
    } else if (/\s/.test(char)) {
      if (!folded.endsWith(" ")) folded += " ";
    } else {
      if (char === '"' || char === "'" || char === "`") quote = char;
      folded += char;
    }
  }
  return folded;
}

export function parseQuery(sql: string): ParsedQuery {
  const text = foldWhiteSpace(sql);
  let rest = text;
  let withQuery: ParsedQuery["with"];
  const withHead = /^WITH (\w+) AS \(/i.exec(rest);
  if (withHead) {
    const close = closingParenthesis(rest, withHead[0].length - 1);
    withQuery = { name: withHead[1]!, block: parseSelect(rest.slice(withHead[0].length, close).trim()) };
    rest = rest.slice(close + 1).trim();
  }
  const blocks = splitTopLevel(rest, / UNION ALL /iy).map(parseSelect);
  const all = [...(withQuery ? [withQuery.block] : []), ...blocks];
  return {
    with: withQuery,
    blocks,
    tables: [...new Set(all.filter((block) => block.fromTable).map((block) => block.from))],
    parameters: [...new Set([...text.matchAll(/@(\w+)/g)].map((match) => match[1]!))],
  };
}

function parseSelect(text: string): SelectBlock {
  if (!/^SELECT /i.test(text)) throw syntaxError(`expected SELECT at "${text.slice(0, 40)}"`);
  const clauses = clausePositions(text);
  const fromAt = clauses.get("FROM");
  if (fromAt === undefined) throw syntaxError("a SELECT without FROM");
  const ends = [...clauses.values(), text.length].sort((a, b) => a - b);
  const clause = (keyword: string) => {
    const at = clauses.get(keyword);
    if (at === undefined) return undefined;
    return text
      .slice(
        at + keyword.length + 2,
        ends.find((end) => end > at),
      )
      .trim();
  };
  const items = splitTopLevel(text.slice("SELECT ".length, fromAt), /,/y).map(parseItem);
  const from = /^(?:`([^`]+)`|(\w+))(?:, UNNEST\((\w+)\) AS (\w+))?$/i.exec(clause("FROM") ?? "");
  if (!from) throw syntaxError(`unexpected FROM ${clause("FROM")}`);
  const groupBy = clause("GROUP BY");
  return {
    items,
    from: from[1] ?? from[2]!,
    fromTable: from[1] !== undefined,
    unnest: from[3] ? { field: from[3], alias: from[4]! } : undefined,
    where: clause("WHERE"),
    groupBy: groupBy === undefined ? [] : splitTopLevel(groupBy, /,/y),
  };
}

function parseItem(text: string, index: number): SelectItem {
  const aliased = /^(.*) AS (\w+)$/i.exec(text);
  if (aliased) return { expression: aliased[1]!, name: aliased[2]! };
  return { expression: text, name: /^\w+(\.\w+)*$/.test(text) ? text.split(".").pop()! : `f${index}_` };
}

/** Where FROM, WHERE and GROUP BY start, outside parentheses and strings. */
function clausePositions(text: string): Map<string, number> {
  const positions = new Map<string, number>();
  scanTopLevel(text, (index) => {
    for (const keyword of ["FROM", "WHERE", "GROUP BY"]) {
      const word = text.slice(index, index + keyword.length + 2);
      if (word.toUpperCase() === ` ${keyword} ` && !positions.has(keyword)) positions.set(keyword, index);
    }
  });
  return positions;
}

/** Splits at each match of `separator` (a sticky regex) outside parentheses and strings. */
export function splitTopLevel(text: string, separator: RegExp): string[] {
  const parts: string[] = [];
  let start = 0;
  scanTopLevel(text, (index) => {
    if (index < start) return;
    separator.lastIndex = index;
    const match = separator.exec(text);
    if (!match) return;
    parts.push(text.slice(start, index).trim());
    start = index + match[0].length;
  });
  parts.push(text.slice(start).trim());
  if (parts.some((part) => part === "")) throw syntaxError(`an empty element in "${text.slice(0, 60)}"`);
  return parts;
}

function scanTopLevel(text: string, visit: (index: number) => void): void {
  let depth = 0;
  let quote: string | undefined;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'" || char === "`") quote = char;
    else if (char === "(") depth++;
    else if (char === ")") depth--;
    else if (depth === 0) visit(index);
  }
}

function closingParenthesis(text: string, open: number): number {
  let depth = 0;
  for (let index = open; index < text.length; index++) {
    if (text[index] === "(") depth++;
    if (text[index] === ")" && --depth === 0) return index;
  }
  throw syntaxError("unclosed parenthesis");
}

const syntaxError = (detail: string) => invalidQuery(`Syntax error: ${detail}`);
