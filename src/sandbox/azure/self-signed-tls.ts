/**
 * A throwaway certificate for a loopback HTTPS simulator. Azure's SDK refuses to send bearer tokens
 * over plain http, so the simulator speaks TLS and the client trusts exactly this certificate.
 */
import { generate } from "selfsigned";

export interface SelfSignedTls {
  /** PEM private key, for the server only. */
  key: string;
  /** PEM certificate; clients pass it as their trusted CA. */
  cert: string;
}

/** Valid for "localhost" and 127.0.0.1 (selfsigned adds the IP for that common name) for a year. */
export async function createSelfSignedTls(): Promise<SelfSignedTls> {
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    algorithm: "sha256",
    // A minute back, so a client clock slightly behind still accepts it.
    notBeforeDate: new Date(Date.now() - 60_000),
  });
  return { key: pems.private, cert: pems.cert };
}
