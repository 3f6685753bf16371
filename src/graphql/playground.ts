/**
 * The offline playground: Yoga's GraphiQL build, inlined into one page (no CDN request), speaking
 * graphql-ws for subscriptions, with a token bar whose value goes into both the HTTP Authorization
 * header and the graphql-ws connection_init payload. A subscription the server refuses for want of
 * a valid token ends with an error saying so (see playground-refusal.ts).
 */
import {
  css,
  editorWorkerService,
  favicon,
  graphqlWorker,
  js,
  jsonWorker,
} from "@graphql-yoga/render-graphiql/graphiql";
import { refusedSubscriptionScript } from "./playground-refusal.js";

const DEFAULT_QUERY = `# Paste a token above (npm start prints one), then run:
query Overview {
  client(id: "demo") {
    name
    reportingCurrency
    costSummary(period: { start: "2026-01-01", end: "2026-01-31" }) {
      total { amount currency }
      byProvider { provider cost { amount currency } }
      changePercent
    }
  }
}
`;

/** Inline scripts must not be able to close the <script> element. */
const scriptSafe = (value: string) => JSON.stringify(value).replace(/</g, "\\u003c");

export function renderPlayground(endpoint = "/graphql"): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<title>Cost analytics playground</title>
<link rel="icon" href="${favicon}" />
<style>${css}</style>
<style>
  #token-bar { display: flex; gap: 8px; align-items: center; padding: 6px 12px; font: 13px system-ui, sans-serif;
               background: #0b1f33; color: #fff; }
  #token-bar input { flex: 1; font: 12px monospace; padding: 4px 6px; }
  #root { height: calc(100vh - 40px); }
</style>
</head>
<body id="body" class="no-focus-outline">
<div id="token-bar">
  <label for="token">Bearer token</label>
  <input id="token" placeholder="paste a JWT (npm start prints an admin token)" autocomplete="off" />
  <button id="save-token" type="button">Use token</button>
  <span id="token-state"></span>
</div>
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
  const token = localStorage.getItem("cost-analytics-token") || "";
  const input = document.getElementById("token");
  input.value = token;
  document.getElementById("token-state").textContent = token ? "token set" : "no token";
  document.getElementById("save-token").addEventListener("click", () => {
    localStorage.setItem("cost-analytics-token", input.value.trim());
    location.reload();
  });
  const authorization = token ? "Bearer " + token : undefined;
  YogaGraphiQL.renderYogaGraphiQL(document.querySelector("#root"), {
    title: "Cost analytics playground",
    endpoint: ${scriptSafe(endpoint)},
    subscriptionsProtocol: "WS",
    defaultQuery: ${scriptSafe(DEFAULT_QUERY)},
    headers: authorization ? JSON.stringify({ Authorization: authorization }, null, 2) : "",
    connectionParams: authorization ? { authorization } : {},
  });
</script>
</body>
</html>`;
}
