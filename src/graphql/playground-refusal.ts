/**
 * The playground's answer to a refused subscription. The server closes a graphql-ws connection
 * whose connection_init carries no valid token with 4403 Forbidden. graphql-ws's client retries
 * that close five times, waiting longer each time (about 45 s in all), and then gives GraphiQL the
 * bare CloseEvent, which it shows as `{"isTrusted": true}`. The retries can't help here: they send
 * the same token again until the user pastes another one, which they do not know to do.
 *
 * Yoga's GraphiQL bundle passes no retry options to graphql-ws. It does read the global WebSocket
 * when it loads, so this script (run before the bundle) installs a WebSocket that hands graphql-ws
 * a GraphQL error instead of a 4403 close event. graphql-ws doesn't retry an error that isn't a
 * close event: it ends the operation with it, GraphiQL shows it and stops the spinner.
 */

/** What the user should do; the page puts the close code and reason in front of it. */
export const REFUSED_SUBSCRIPTION_HINT =
  "the server accepts subscriptions only with a valid token. Paste one into the Bearer token bar at the top, press Use token, then run the subscription again";

/** graphql-ws's CloseCode.Forbidden: the server's onConnect refused the connection_init payload. */
const FORBIDDEN_CLOSE_CODE = 4403;

/** Inline page script; it must run before the GraphiQL bundle is evaluated. */
export const refusedSubscriptionScript = `
  window.WebSocket = class RefusalReportingWebSocket extends WebSocket {
    get onclose() { return super.onclose; }
    set onclose(listener) {
      super.onclose = typeof listener !== "function" ? listener : (event) =>
        listener(event.code !== ${FORBIDDEN_CLOSE_CODE} ? event : {
          message: "Subscription refused (" + event.code + " " + (event.reason || "Forbidden") + "): " +
            ${JSON.stringify(REFUSED_SUBSCRIPTION_HINT)},
          extensions: { code: "FORBIDDEN", closeCode: event.code },
        });
    }
  };
`;
