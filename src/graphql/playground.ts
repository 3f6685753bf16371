/**
 * The offline playground: Yoga's GraphiQL build, inlined into one page (no CDN request), speaking
 * graphql-ws for subscriptions, with a token bar above it. The bar's token is the page's identity:
 * it is read when a request leaves, so it applies at once to every tab (the one the user is in
 * included, and tabs opened later), as the HTTP Authorization header and in the graphql-ws
 * connection_init payload. Using a token neither reloads the page nor touches GraphiQL's tabs:
 * handing it to GraphiQL as tab headers opened a new, empty tab on the reload and left the other
 * tabs without it. A subscription the server refuses for want of a valid token ends with an error
 * saying so (see playground-refusal.ts).
 */
import {
  css,
  editorWorkerService,
  favicon,
  graphqlWorker,
  js,
  jsonWorker,
} from "@graphql-yoga/render-graphiql/graphiql";
import type { IsoDay } from "../domain/cost-record.js";
import { addMonths, firstDayOfMonth, lastDayOfMonth, monthOf, type DayRange } from "../domain/dates.js";
import { refusedSubscriptionScript } from "./playground-refusal.js";

/** The example the playground opens with: the sandbox's demo tenant (src/sandbox/sandbox.ts). */
export const EXAMPLE_CLIENT_ID = "demo";

/** The last whole month before `today`: always inside the sandbox's backfill, whatever the date. */
export function examplePeriod(today: IsoDay): DayRange {
  const month = addMonths(monthOf(today), -1);
  return { start: firstDayOfMonth(month), end: lastDayOfMonth(month) };
}

export function exampleQuery(today: IsoDay): string {
  const period = examplePeriod(today);
  return `# Paste the token npm start printed into the bar above, press Use token, then run this:
query Overview {
  client(id: "${EXAMPLE_CLIENT_ID}") {
    name
    reportingCurrency
    costSummary(period: { start: "${period.start}", end: "${period.end}" }) {
      total { amount currency }
      byProvider { provider cost { amount currency } }
      changePercent
    }
  }
}
`;
}

/** Where the page keeps the token across reloads (this origin's localStorage). */
const TOKEN_STORAGE_KEY = "cost-analytics-token";

/** Inline scripts must not be able to close the <script> element. */
const scriptSafe = (value: string) => JSON.stringify(value).replace(/</g, "\\u003c");

/** The page; its example query asks for the month before `today` (the server's clock). */
export function renderPlayground(endpoint: string, today: IsoDay): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<title>Cost analytics playground</title>
<link rel="icon" href="${favicon}" />
<style>${css}</style>
<style>
  #token-bar { display: flex; gap: 8px; align-items: center; margin: 0; padding: 6px 12px;
               font: 13px system-ui, sans-serif; background: #0b1f33; color: #fff; }
  #token-bar input { flex: 1; font: 12px monospace; padding: 4px 6px; }
  #root { height: calc(100vh - 40px); }
</style>
</head>
<body id="body" class="no-focus-outline">
<form id="token-bar" autocomplete="off">
  <label for="token">Bearer token</label>
  <input id="token" placeholder="paste a JWT (npm start prints an admin token)" spellcheck="false" />
  <button id="save-token" type="submit">Use token</button>
  <span id="token-state" role="status" title="The token applies to every tab and to subscriptions"></span>
</form>
<div id="root"></div>
<script>
  function prepareBlob(content) { return URL.createObjectURL(new Blob([content], { type: "application/javascript" })); }
  const workers = {
    editorWorkerService: prepareBlob(${scriptSafe(editorWorkerService)}),
    json: prepareBlob(${scriptSafe(jsonWorker)}),
    graphql: prepareBlob(${scriptSafe(graphqlWorker)}),
  };
  self["MonacoEnvironment"] = { globalAPI: false, getWorkerUrl: (_id, label) => workers[label] };
  ${refusedSubscriptionScript}
  ${js};
  const TOKEN_STORAGE_KEY = ${scriptSafe(TOKEN_STORAGE_KEY)};
  const tokenInput = document.getElementById("token");
  const tokenState = document.getElementById("token-state");
  let token = localStorage.getItem(TOKEN_STORAGE_KEY) || "";
  function showToken() {
    tokenInput.value = token;
    tokenState.textContent = token ? "token set" : "no token";
  }
  showToken();
  document.getElementById("token-bar").addEventListener("submit", (event) => {
    event.preventDefault();
    // A token pasted with its scheme ("Bearer eyJ...") is the same token.
    token = tokenInput.value.trim().replace(/^bearer\\s+/i, "");
    if (token) localStorage.setItem(TOKEN_STORAGE_KEY, token);
    else localStorage.removeItem(TOKEN_STORAGE_KEY);
    showToken();
  });
  const authorization = () => (token ? "Bearer " + token : undefined);
  YogaGraphiQL.renderYogaGraphiQL(document.querySelector("#root"), {
    title: "Cost analytics playground",
    endpoint: ${scriptSafe(endpoint)},
    subscriptionsProtocol: "WS",
    defaultQuery: ${scriptSafe(exampleQuery(today))},
    // Called for every HTTP request, before the tab's own headers are added: with a token in the
    // bar, the bar wins over an Authorization header a tab may carry (one a former version of this
    // page put there, say), so what the bar says is what every tab sends.
    additionalHeaders: (request) => {
      const value = authorization();
      if (!value) return {};
      const tabHeaders = request.extensions && request.extensions.headers;
      if (tabHeaders && typeof tabHeaders === "object") {
        request.extensions = {
          ...request.extensions,
          headers: Object.fromEntries(
            Object.entries(tabHeaders).filter(([name]) => name.toLowerCase() !== "authorization"),
          ),
        };
      }
      return { Authorization: value };
    },
    // Called for every graphql-ws connection: the socket opens when a subscription starts (and
    // closes when the last one ends), so each run carries the token the bar has then.
    connectionParams: () => {
      const value = authorization();
      return value ? { authorization: value } : {};
    },
  });
</script>
</body>
</html>`;
}
