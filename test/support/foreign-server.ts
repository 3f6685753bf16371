/**
 * An internal server that is not any cloud's API: it answers every request with one fixed status and
 * body (a secret-looking text by default), over http or, for Azure, https with a throwaway
 * certificate. A provider endpoint aimed at it must never repeat a byte of that body.
 */
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { createSelfSignedTls } from "../../src/sandbox/azure/self-signed-tls.js";

export const FOREIGN_SECRET = "SECRET-INTERNAL-7f3a9c do not repeat this text";

export interface ForeignReply {
  status: number;
  body: string;
  contentType: string;
}

export interface ForeignServer {
  endpoint: string;
  /** Its certificate (https only), to pin as the connection's trusted CA. */
  ca?: string;
  /** What the next requests get (default: 200, FOREIGN_SECRET as text/plain). */
  answer(reply: Partial<ForeignReply>): void;
  stop(): Promise<void>;
}

export async function startForeignServer(options: { tls?: boolean } = {}): Promise<ForeignServer> {
  let reply: ForeignReply = { status: 200, body: FOREIGN_SECRET, contentType: "text/plain" };
  const handle = (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => {
    req.resume();
    req.on("end", () => res.writeHead(reply.status, { "content-type": reply.contentType }).end(reply.body));
  };
  const tls = options.tls ? await createSelfSignedTls() : undefined;
  const server: Server = tls
    ? createHttpsServer({ key: tls.key, cert: tls.cert }, handle)
    : createHttpServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `${tls ? "https" : "http"}://127.0.0.1:${port}`,
    ...(tls ? { ca: tls.cert } : {}),
    answer: (next) => {
      reply = { status: 200, body: FOREIGN_SECRET, contentType: "text/plain", ...next };
    },
    stop: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
