/**
 * The second baseline: the direct reads (read-baseline.ts) behind a minimal hand-written HTTP JSON
 * endpoint, what a team would write instead of a BFF. It pays for HTTP and checks the bearer token
 * and the caller's tenants as the BFF does, and nothing else: no schema, no validation beyond the
 * token, no limits, no caching.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createTokenVerifier } from "../../src/security/tokens.js";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { TableNames } from "../../src/store/table-definitions.js";
import { clientsOf, DirectReads, type DirectReadCall } from "./read-baseline.js";

export interface HttpBaseline {
  /** POST a DirectReadCall as JSON here, with `authorization: Bearer <token>`. */
  url: string;
  stop(): Promise<void>;
}

export async function startHttpBaseline(options: {
  doc: DynamoDBDocumentClient;
  names: TableNames;
  secret: string;
}): Promise<HttpBaseline> {
  const direct = new DirectReads(options.doc, options.names);
  const tokens = createTokenVerifier({ secret: options.secret });
  const server = createServer((request, response) => {
    const reply = (status: number, body: string) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(body);
    };
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      void (async () => {
        const { caller } = await tokens.authenticate(request.headers.authorization);
        const call = JSON.parse(Buffer.concat(chunks).toString("utf8")) as DirectReadCall;
        const allowed =
          caller &&
          (caller.roles.includes("admin") || clientsOf(call).every((id) => caller.clientIds.includes(id)));
        if (!allowed) return reply(caller ? 403 : 401, JSON.stringify({ error: "not allowed" }));
        reply(200, (await direct.run(call)).json);
      })().catch((error: unknown) => reply(500, JSON.stringify({ error: (error as Error).name })));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/read`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
