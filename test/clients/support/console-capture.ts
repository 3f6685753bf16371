/**
 * Captures what the clients print: Apollo Client and Graphcache report cache problems (data lost on
 * a write, a fragment that cannot match, an object without a key) with console.warn or
 * console.error, and nothing else. A test fails on any such line.
 */
import { format } from "node:util";
import { vi } from "vitest";

export interface ConsoleLine {
  level: "warn" | "error" | "debug";
  text: string;
}

export interface ConsoleCapture {
  readonly lines: ConsoleLine[];
  /** The warnings and errors printed so far. */
  problems(): string[];
  restore(): void;
}

export function captureConsole(): ConsoleCapture {
  const lines: ConsoleLine[] = [];
  const spies = (["warn", "error", "debug"] as const).map((level) =>
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push({ level, text: format(...args) });
    }),
  );
  return {
    lines,
    problems: () =>
      lines.filter((line) => line.level !== "debug").map((line) => `${line.level}: ${line.text}`),
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}
