/**
 * Who introspection answers: admins only in production (`admins`), everyone with `all` (the
 * sandbox's default); `__typename` is never introspection. The HTTP and WebSocket refusals are in
 * test/reliability/hostile-input.test.ts.
 */
import { buildSchema, parse } from "graphql";
import { describe, expect, it } from "vitest";
import type { Authentication } from "../../src/domain/identity.js";
import { introspectionRefusal } from "../../src/graphql/introspection.js";

const schema = buildSchema("type Query { hello: String }");
const as = (role: "admin" | "editor" | "viewer"): Authentication => ({
  caller: { sub: role, roles: [role], clientIds: ["acme"] },
});
const anonymous: Authentication = { caller: null, reason: "missing bearer token" };
const SCHEMA = parse("{ __schema { types { name } } }");
const HIDDEN = parse('query { ...T } fragment T on Query { __type(name: "Query") { name } }');

describe("introspectionRefusal", () => {
  it("refuses viewers, editors and anonymous callers when only admins may introspect, fragments included", () => {
    for (const auth of [as("viewer"), as("editor"), anonymous]) {
      for (const document of [SCHEMA, HIDDEN]) {
        const refusal = introspectionRefusal(schema, document, auth, "admins");
        expect(refusal?.message).toBe("introspection is answered to admins only on this server");
        expect(refusal?.extensions).toEqual({ code: "FORBIDDEN", http: { status: 403 } });
      }
    }
  });

  it("lets admins introspect, everyone with INTROSPECTION=all, and __typename through", () => {
    expect(introspectionRefusal(schema, SCHEMA, as("admin"), "admins")).toBeUndefined();
    expect(introspectionRefusal(schema, SCHEMA, as("viewer"), "all")).toBeUndefined();
    expect(introspectionRefusal(schema, SCHEMA, anonymous, "all")).toBeUndefined();
    expect(
      introspectionRefusal(schema, parse("{ __typename hello }"), as("viewer"), "admins"),
    ).toBeUndefined();
  });
});
