/**
 * A loopback TCP proxy in front of a server (DynamoDB Local in the reliability suite) that can be
 * told to misbehave the way a network does:
 * - stall: connections stay open, no byte moves in either direction; pass() delivers what was held
 *   (congestion, a long pause);
 * - blackhole: the same, but connections caught in it never move again, only new ones do after
 *   pass() (a partition: pooled keep-alive sockets are dead and nobody says so);
 * - cut: open connections are reset, and new ones as soon as they arrive (the server is gone).
 */
import { createServer, connect, type Server, type Socket } from "node:net";

export type ProxyMode = "pass" | "stall" | "blackhole" | "cut";

export interface TcpProxy {
  /** `http://127.0.0.1:<port>`: give this to a client instead of the target's endpoint. */
  endpoint: string;
  port: number;
  readonly mode: ProxyMode;
  /** Forwards again; held connections and bytes move on. */
  pass(): void;
  /** Holds every connection, open and new: nothing is forwarded until pass() or cut(). */
  stall(): void;
  /** Like stall(), but the connections held never move again; after pass() only new ones work. */
  blackhole(): void;
  /** Resets every open connection and each new one, until pass(). */
  cut(): void;
  /** Connections accepted since start, and how many of them a cut reset. */
  stats(): { accepted: number; reset: number; open: number };
  close(): Promise<void>;
}

interface Pair {
  downstream: Socket;
  upstream: Socket | undefined;
  /** Bytes that arrived while stalled, per direction, delivered on pass(). */
  held: { up: Buffer[]; down: Buffer[] };
  /** Caught in a blackhole: never forwarded again. */
  dead: boolean;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: ProxyMode = "pass";
  const pairs = new Set<Pair>();
  const counts = { accepted: 0, reset: 0 };

  const reset = (pair: Pair) => {
    counts.reset++;
    pair.downstream.resetAndDestroy();
    pair.upstream?.destroy();
    pairs.delete(pair);
  };

  /** Forwards by hand rather than with pipe(), which would resume a stalled socket on "drain". */
  const relay = (pair: Pair, from: Socket, to: Socket, held: Buffer[]) => {
    from.on("data", (chunk: Buffer) => {
      if (mode === "pass" && !pair.dead) to.write(chunk);
      else held.push(chunk);
    });
  };

  /** Connects upstream (lazily: a connection accepted while stalled waits for pass()) and relays both ways. */
  const forward = (pair: Pair) => {
    if (pair.upstream || pair.downstream.destroyed) return;
    const upstream = connect(target.port, target.host);
    pair.upstream = upstream;
    const end = () => {
      pair.downstream.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    upstream.on("error", end).on("close", end);
    pair.downstream.on("close", end);
    relay(pair, pair.downstream, upstream, pair.held.up);
    relay(pair, upstream, pair.downstream, pair.held.down);
  };

  const flush = (pair: Pair) => {
    for (const chunk of pair.held.up.splice(0)) pair.upstream?.write(chunk);
    for (const chunk of pair.held.down.splice(0)) pair.downstream.write(chunk);
  };

  const hold = (how: "stall" | "blackhole") => {
    mode = how;
    // Paused sockets stop reading: bytes pile up in the kernel buffers, as on a stuck network.
    for (const pair of pairs) {
      if (how === "blackhole") pair.dead = true;
      pair.downstream.pause();
      pair.upstream?.pause();
    }
  };

  const server: Server = createServer((downstream) => {
    counts.accepted++;
    const pair: Pair = { downstream, upstream: undefined, held: { up: [], down: [] }, dead: false };
    pairs.add(pair);
    downstream.on("error", () => pairs.delete(pair)).on("close", () => pairs.delete(pair));
    if (mode === "cut") return reset(pair);
    if (mode === "blackhole") pair.dead = true;
    if (mode === "stall" || mode === "blackhole") downstream.pause();
    else forward(pair);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    get mode() {
      return mode;
    },
    pass() {
      mode = "pass";
      for (const pair of pairs) {
        if (pair.dead) continue;
        forward(pair);
        flush(pair);
        pair.downstream.resume();
        pair.upstream?.resume();
      }
    },
    stall: () => hold("stall"),
    blackhole: () => hold("blackhole"),
    cut() {
      mode = "cut";
      for (const pair of [...pairs]) reset(pair);
    },
    stats: () => ({ ...counts, open: pairs.size }),
    close: async () => {
      for (const pair of [...pairs]) reset(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
