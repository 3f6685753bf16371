/**
 * Stands in for relay-runtime's `graphql` tag: relay-compiler reads the tagged templates of these
 * files (test/clients/relay-compiler.test.ts); nothing runs them.
 */
export const graphql = (strings: TemplateStringsArray): string => strings.join("");
