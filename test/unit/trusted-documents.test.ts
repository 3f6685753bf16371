import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { GraphQLError } from "graphql";
import { ConfigError, loadConfig } from "../../src/config.js";
import type { Authentication } from "../../src/domain/identity.js";
import { liveOperationText, TrustedDocuments } from "../../src/graphql/trusted-documents.js";

const hex = (text: string) => createHash("sha256").update(text).digest("hex");
const TEXT = "query Answer { __typename }";
const ID = `sha256:${hex(TEXT)}`;
const documents = new TrustedDocuments({ [ID]: TEXT });

const VIEWER: Authentication = { caller: { sub: "v", roles: ["viewer"], clientIds: ["acme"] } };
const ADMIN: Authentication = { caller: { sub: "a", roles: ["admin"], clientIds: [] } };
const nobody = async (): Promise<Authentication> => {
  throw new Error("authenticated although the text decides");
};
const codes = (result: { refusal: GraphQLError } | { text: string }) =>
  "refusal" in result ? result.refusal.extensions.code : undefined;

describe("TrustedDocuments", () => {
  it("looks a document up by its id, with or without the sha256: prefix, in either case", () => {
    expect(documents.text(ID)).toBe(TEXT);
    expect(documents.text(hex(TEXT))).toBe(TEXT);
    expect(documents.text(ID.toUpperCase().replace("SHA256:", "sha256:"))).toBe(TEXT);
    expect(documents.text(`sha256:${"0".repeat(64)}`)).toBeUndefined();
    expect(documents.text(`md5:${hex(TEXT)}`)).toBeUndefined();
    expect(documents.text(`${ID}x`)).toBeUndefined();
  });

  it("trusts a full text only when it is byte for byte a document", () => {
    expect(documents.isTrusted(TEXT)).toBe(true);
    expect(documents.isTrusted(`${TEXT}\n`)).toBe(false);
    expect(documents.isTrusted("query Answer { __typename __schema { types { name } } }")).toBe(false);
  });

  it("refuses a manifest whose id is not the hash of its text", () => {
    expect(() => new TrustedDocuments({ [ID]: `${TEXT} ` })).toThrow(/is not the sha256 of its text/);
    expect(() => new TrustedDocuments({ "my-query": TEXT })).toThrow(/is not the sha256 of its text/);
  });

  it("backs Apollo's persisted queries read-only", async () => {
    const cache = documents.persistedQueryCache();
    expect(await cache.get(`apq:${hex(TEXT)}`)).toBe(TEXT);
    expect(await cache.get(`apq:${ID}`)).toBe(TEXT);
    const other = "query Other { __typename }";
    await cache.set();
    expect(await cache.get(`apq:${hex(other)}`)).toBeUndefined();
  });

  it("serves exactly the manifests codegen wrote for the clients and the dashboard", () => {
    const read = (path: string) =>
      JSON.parse(readFileSync(new URL(path, import.meta.url), "utf8")) as Record<string, string>;
    const manifest = {
      ...read("../e2e/generated/persisted-documents.json"),
      ...read("../../src/dashboard/generated/persisted-documents.json"),
    };
    const generated = TrustedDocuments.generated();
    expect(Object.keys(manifest).length).toBeGreaterThan(0);
    expect(generated.size).toBe(Object.keys(manifest).length);
    for (const [id, text] of Object.entries(manifest)) expect(generated.text(id)).toBe(text);
  });
});

describe("liveOperationText (graphql-ws)", () => {
  it("resolves an empty query with a documentId or Apollo's hash extension", async () => {
    expect(await liveOperationText(documents, "only", { query: "", documentId: ID }, nobody)).toEqual({
      text: TEXT,
    });
    const extensions = { persistedQuery: { version: 1, sha256Hash: hex(TEXT) } };
    expect(await liveOperationText(documents, "off", { query: "", extensions }, nobody)).toEqual({
      text: TEXT,
    });
  });

  it("answers an unknown id with PERSISTED_QUERY_NOT_FOUND", async () => {
    const unknown = await liveOperationText(documents, "off", { query: "", documentId: "sha256:00" }, nobody);
    expect(codes(unknown)).toBe("PERSISTED_QUERY_NOT_FOUND");
  });

  it("in `only` mode refuses other texts with FORBIDDEN, except for admins", async () => {
    const adHoc = { query: 'subscription { costRecordChanged(clientId: "acme") { eventId } }' };
    expect(codes(await liveOperationText(documents, "only", adHoc, async () => VIEWER))).toBe("FORBIDDEN");
    expect(
      codes(
        await liveOperationText(documents, "only", adHoc, async () => ({ caller: null, reason: "none" })),
      ),
    ).toBe("FORBIDDEN");
    expect(await liveOperationText(documents, "only", adHoc, async () => ADMIN)).toEqual({
      text: adHoc.query,
    });
    expect(await liveOperationText(documents, "off", adHoc, nobody)).toEqual({ text: adHoc.query });
    expect(await liveOperationText(documents, "only", { query: TEXT }, nobody)).toEqual({ text: TEXT });
  });
});

describe("TRUSTED_DOCUMENTS", () => {
  it("is off by default in both modes, and `only` when asked", () => {
    expect(loadConfig({}, "sandbox").trustedDocuments).toBe("off");
    const production = {
      AUTH_JWT_SECRET: "j".repeat(32),
      CREDENTIALS_ENCRYPTION_KEY: Buffer.alloc(32).toString("base64"),
    };
    expect(loadConfig(production, "production").trustedDocuments).toBe("off");
    expect(loadConfig({ ...production, TRUSTED_DOCUMENTS: "only" }, "production").trustedDocuments).toBe(
      "only",
    );
  });

  it("names the variable and its values on anything else", () => {
    expect(() => loadConfig({ TRUSTED_DOCUMENTS: "on" }, "sandbox")).toThrow(ConfigError);
    expect(() => loadConfig({ TRUSTED_DOCUMENTS: "on" }, "sandbox")).toThrow(
      /TRUSTED_DOCUMENTS: .*"off"\|"only"/,
    );
  });
});
