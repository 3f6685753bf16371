/**
 * A real redis-server (Debian's package) on a free loopback port, without persistence, for the
 * tests of the Redis fan-out. It runs under a shell that waits on its stdin pipe and kills Redis
 * when the pipe ends: on stop(), and also when the test run dies without cleaning up.
 */
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 15_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export async function startRedisServer(): Promise<RedisServer> {
  if (spawnSync("redis-server", ["--version"]).error) {
    throw new Error(
      "the Redis fan-out tests need redis-server on PATH (install e.g. redis-server: apt-get install -y redis-server)",
    );
  }
  const port = await freePort();
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
  const shell = spawn(
    "sh",
    [
      "-c",
      'redis-server "$@" & child=$!; trap "kill $child 2>/dev/null; wait $child" EXIT; read _ignored',
      "sh",
      ...args,
    ],
    {
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`redis-server did not start: ${output.slice(-500)}`)),
      START_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    };
    shell.stdout.on("data", onData);
    shell.stderr.on("data", onData);
    shell.once("exit", () => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited: ${output.slice(-500)}`));
    });
  });
  shell.stdout.resume();
  shell.stderr.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (shell.exitCode !== null) return resolve();
        shell.once("exit", () => resolve());
        shell.stdin.end();
      }),
  };
}
