/**
 * A graphql-ws socket lives no longer than the token it was opened with: at the token's expiry it
 * is closed with 4403 Forbidden (the code of a refused connection_init), so a subscription cannot
 * outlast its credential. A client reconnects with a fresh token.
 */
import type { WebSocket } from "ws";
import type { Clock } from "../shared/clock.js";

export const TOKEN_EXPIRED_CLOSE = { code: 4403, reason: "Forbidden: token expired" } as const;
/** setTimeout's longest delay (about 24.8 days); longer waits are taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function closeWhenExpired(socket: WebSocket, expiresAt: Date, clock: Clock): void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const remaining = expiresAt.getTime() - clock().getTime();
    if (remaining <= 0) {
      socket.close(TOKEN_EXPIRED_CLOSE.code, TOKEN_EXPIRED_CLOSE.reason);
      return;
    }
    timer = setTimeout(arm, Math.min(remaining, MAX_TIMER_MS));
    timer.unref();
  };
  arm();
  socket.once("close", () => clearTimeout(timer));
}
