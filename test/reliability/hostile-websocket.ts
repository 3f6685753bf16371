/**
 * WebSocket abuses below GraphQL, sent over a raw socket (the graphql-ws client would refuse to send
 * most of them): broken frames, messages out of order, missing or forged credentials, oversized
 * payloads. The server must close each socket with the graphql-ws code for it (44xx) or 1009.
 */
import type WebSocketType from "ws";

/** Waits for connection_ack before the next step. */
export const AWAIT_ACK = Symbol("await connection_ack");

export interface RawWebSocketCase {
  name: string;
  protocol?: string;
  steps: (string | Buffer | typeof AWAIT_ACK)[];
  /** The close codes that are a correct refusal (an HTTP status when the handshake was refused). */
  codes: readonly number[];
}

export interface RawOutcome {
  code: number | undefined;
  reason: string;
  messages: string[];
  problems: string[];
}

const message = (value: unknown) => JSON.stringify(value);
const SUBSCRIBE = (id: string, clientId: string) =>
  message({
    id,
    type: "subscribe",
    payload: { query: `subscription { collectionJobUpdated(clientId: "${clientId}") { id } }` },
  });

export function rawWebSocketCases(ctx: {
  token: string;
  forged: string;
  noExpiry: string;
  longLived: string;
  tenant: string;
}): RawWebSocketCase[] {
  const init = message({ type: "connection_init", payload: { authorization: `Bearer ${ctx.token}` } });
  const initWith = (payload: unknown) => message({ type: "connection_init", payload });
  return [
    { name: "not JSON", steps: [init, AWAIT_ACK, "{not json"], codes: [4400] },
    { name: "an unknown message type", steps: [init, AWAIT_ACK, message({ type: "hack" })], codes: [4400] },
    {
      name: "subscribe without a query",
      steps: [init, AWAIT_ACK, message({ id: "1", type: "subscribe", payload: {} })],
      codes: [4400],
    },
    { name: "subscribe before connection_init", steps: [SUBSCRIBE("1", ctx.tenant)], codes: [4401] },
    { name: "connection_init without a token", steps: [message({ type: "connection_init" })], codes: [4403] },
    {
      name: "connection_init with a token signed elsewhere",
      steps: [initWith({ authorization: `Bearer ${ctx.forged}` })],
      codes: [4403],
    },
    {
      name: "connection_init with a token without exp",
      steps: [initWith({ authorization: `Bearer ${ctx.noExpiry}` })],
      codes: [4403],
    },
    {
      name: "connection_init with a token living 30 days",
      steps: [initWith({ authorization: `Bearer ${ctx.longLived}` })],
      codes: [4403],
    },
    {
      name: "connection_init with a 10 kB authorization",
      steps: [initWith({ authorization: `Bearer ${"a".repeat(10_240)}` })],
      codes: [4403],
    },
    { name: "connection_init with a string payload", steps: [initWith("Bearer x")], codes: [4400, 4403] },
    { name: "connection_init twice", steps: [init, AWAIT_ACK, init], codes: [4429] },
    {
      name: "one subscription id twice",
      steps: [init, AWAIT_ACK, SUBSCRIBE("1", ctx.tenant), SUBSCRIBE("1", ctx.tenant)],
      codes: [4409],
    },
    {
      name: "a 150 kB frame",
      steps: [
        init,
        AWAIT_ACK,
        message({ id: "2", type: "subscribe", payload: { query: "x".repeat(150_000) } }),
      ],
      codes: [1009],
    },
    {
      name: "a binary frame",
      steps: [init, AWAIT_ACK, Buffer.from([0xde, 0xad, 0xbe, 0xef])],
      codes: [4400],
    },
    // The server completes the handshake without agreeing to the subprotocol; the client then aborts (1006).
    { name: "the legacy subprotocol", protocol: "graphql-ws", steps: [init], codes: [4406, 1006] },
    { name: "never initialising", steps: [], codes: [4408] },
  ];
}

const CLOSE_WAIT_MS = 8_000;

/** Runs one case on a fresh socket and reports how the server closed it. */
export async function runRawWebSocketCase(
  testCase: RawWebSocketCase,
  WebSocketImpl: typeof WebSocketType,
  wsUrl: string,
): Promise<RawOutcome> {
  const socket = new WebSocketImpl(wsUrl, testCase.protocol ?? "graphql-transport-ws");
  const messages: string[] = [];
  let onAck: (() => void) | undefined;
  socket.on("message", (data) => {
    const text = String(data);
    messages.push(text);
    if (text.includes('"connection_ack"')) onAck?.();
  });
  socket.on("error", () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on("close", (code, reason) => resolve({ code, reason: reason.toString() }));
    // A refused handshake never opens: its HTTP status stands in for the close code.
    socket.on("unexpected-response", (_request, response) => {
      resolve({ code: response.statusCode ?? 0, reason: `handshake refused: ${response.statusMessage}` });
    });
  });
  const opened = await Promise.race([
    new Promise<boolean>((resolve) => socket.once("open", () => resolve(true))),
    closed.then(() => false),
  ]);
  if (opened) {
    for (const step of testCase.steps) {
      if (step === AWAIT_ACK) {
        if (!messages.some((m) => m.includes('"connection_ack"')))
          await Promise.race([new Promise<void>((resolve) => (onAck = resolve)), closed]);
      } else if (socket.readyState === socket.OPEN) {
        socket.send(step);
      }
    }
  }
  const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), CLOSE_WAIT_MS));
  const close = await Promise.race([closed, timeout]);
  socket.terminate();
  const problems: string[] = [];
  if (!close) problems.push(`still open after ${CLOSE_WAIT_MS} ms`);
  else if (!testCase.codes.includes(close.code))
    problems.push(`closed with ${close.code} "${close.reason}", expected ${testCase.codes.join(" or ")}`);
  if (messages.some((m) => m.includes('"type":"next"'))) problems.push("an operation ran");
  // Refused before connection_init succeeded: never acknowledged.
  if (!testCase.steps.includes(AWAIT_ACK) && messages.some((m) => m.includes("connection_ack")))
    problems.push("the connection was acknowledged");
  return { code: close?.code, reason: close?.reason ?? "", messages, problems };
}
