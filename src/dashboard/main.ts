/**
 * The dashboard's entry: takes the token (from the URL fragment the sandbox prints, or from an
 * OpenID Connect sign-in), keeps it in memory only, and routes `#/<client>/<view>?<filters>`.
 */
import "./style.css";
import { createApi, describeError } from "./api.js";
import { announce, errorState, focusedKey, h, refocus, replace } from "./dom.js";
import {
  CollectionJobUpdatedDocument,
  CostRecordChangedDocument,
  DashboardAnomalyDetectedDocument,
  DashboardBudgetAlertDocument,
  DashboardClientsDocument,
  type ClientFieldsFragment,
} from "./generated/graphql.js";
import { overview } from "./overview.js";
import { explore } from "./explore.js";
import { anomalyDetail } from "./anomaly.js";
import { collections } from "./collections.js";
import { portfolio } from "./portfolio.js";
import { startOidc, type OidcSettings } from "./oidc.js";
import { link, type View, type ViewContext } from "./view.js";
import { claimAt, rolesIn } from "../security/claims.js";

/** `admin`: a view across clients, offered to admins only (the server answers others for their own clients). */
const VIEWS: Record<string, { title: string; view: View; nav: boolean; admin?: boolean }> = {
  overview: { title: "Overview", view: overview, nav: true },
  explore: { title: "Explore", view: explore, nav: true },
  collections: { title: "Collections", view: collections, nav: true },
  portfolio: { title: "Portfolio", view: portfolio, nav: true, admin: true },
  anomaly: { title: "Anomaly", view: anomalyDetail, nav: false },
};

const main = document.getElementById("main")!;
const nav = document.getElementById("nav")!;
const sessionBox = document.getElementById("session")!;
const events = h("p", { class: "events muted", "data-testid": "events" });

const newApi = () =>
  createApi(() => {
    const c = api.counts;
    events.textContent = `Live: ${c.costs} cost updates, ${c.anomalies} anomalies, ${c.alerts} budget alerts, ${c.jobs} job updates`;
  });
/** One per identity: another token starts from an empty cache. */
let api = newApi();

let token: string | null = null;
let roles: string[] = [];
let sub: unknown;
let clients: ClientFieldsFragment[] = [];
let liveClient: string | null = null;
const stopLive: (() => void)[] = [];
let stopView: () => void = () => undefined;
let signOut: () => void = () => undefined;

/** The token's claims, read for display and for showing editor controls; the server decides. */
function claimsOf(jwt: string): Record<string, unknown> {
  try {
    const payload = jwt.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload)) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/**
 * `rolesClaim`: where the token carries roles, read as the service reads it: `roles` in its own
 * tokens (the sandbox's link), OIDC_ROLES_CLAIM in the identity provider's.
 */
function setToken(next: string | null, rolesClaim = "roles"): void {
  const claims = next ? claimsOf(next) : {};
  // A refreshed token of the same person: the same cache and views; the next request carries it.
  const refreshed = token !== null && next !== null && claims.sub !== undefined && claims.sub === sub;
  if (token && next !== token && !refreshed) {
    api.dispose();
    api = newApi();
  }
  token = next;
  sub = claims.sub;
  roles = rolesIn(claimAt(claims, rolesClaim));
  api.setToken(next);
  if (refreshed) {
    // The socket authenticated with the old token and is closed: follow the client again on a new one.
    const following = liveClient;
    for (const stop of stopLive.splice(0)) stop();
    liveClient = null;
    if (following) followClient(following);
    return;
  }
  for (const stop of stopLive.splice(0)) stop();
  liveClient = null;
}

/** One subscription per kind of event for the client on screen; the cache applies what arrives. */
function followClient(clientId: string): void {
  if (liveClient === clientId || !clients.some((c) => c.id === clientId)) return;
  for (const stop of stopLive.splice(0)) stop();
  liveClient = clientId;
  const variables = { clientId };
  for (const document of [
    CostRecordChangedDocument,
    DashboardAnomalyDetectedDocument,
    DashboardBudgetAlertDocument,
    CollectionJobUpdatedDocument,
  ]) {
    const subscription = api.client
      .subscription(document as typeof CollectionJobUpdatedDocument, variables)
      .subscribe(() => undefined);
    stopLive.push(() => subscription.unsubscribe());
  }
}

/** A link with a token opened in this tab again (only the fragment changed): take the new token. */
async function takeTokenFromFragment(): Promise<boolean> {
  const fromLink = new URLSearchParams(window.location.hash.replace(/^#/, "")).get("token");
  if (!fromLink) return false;
  // Never sent to the server (a fragment), and out of the address bar and the history at once.
  window.history.replaceState(null, "", "/#/");
  setToken(fromLink);
  return true;
}

async function loadClients(): Promise<boolean> {
  const result = await api.client.query(DashboardClientsDocument, { first: 100 }).toPromise();
  if (result.error) {
    const { message, requestId } = describeError(result.error);
    replace(main, errorState(message, requestId));
    return false;
  }
  clients = result.data?.clients.edges.map((edge) => edge.node) ?? [];
  return true;
}

function route(): void {
  if (window.location.hash.includes("token=")) {
    stopView();
    void takeTokenFromFragment().then(async () => {
      showSession("link");
      if (await loadClients()) route();
    });
    return;
  }
  const hash = window.location.hash.replace(/^#\/?/, "");
  const [pathPart = "", query = ""] = hash.split("?");
  const [clientPart, ...path] = pathPart.split("/").filter(Boolean);
  const clientId = clientPart ? decodeURIComponent(clientPart) : clients[0]?.id;
  if (!clientId) {
    replace(main, h("h1", {}, "No client"), h("p", {}, "Your account may not read any client."));
    return;
  }
  const name = VIEWS[path[0] ?? ""] ? path[0]! : "overview";
  if (!clientPart || !VIEWS[path[0] ?? ""]) {
    window.history.replaceState(null, "", link(clientId, "overview"));
    path.splice(0, path.length, "overview");
  }
  // A keyboard user keeps their place: the same control in the new view, else the view's start.
  const focused = focusedKey();
  const hadFocus = document.activeElement !== null && document.activeElement !== document.body;
  stopView();
  followClient(clientId);
  const entry = VIEWS[name]!;
  const isAdmin = roles.includes("admin");
  document.title = `${entry.title} · Cloud costs`;
  replace(
    nav,
    clients.length > 1
      ? h(
          "label",
          { class: "client-pick" },
          h("span", { class: "visually-hidden" }, "Client"),
          h(
            "select",
            {
              onchange: (event: Event) =>
                (window.location.hash = link((event.target as HTMLSelectElement).value, name)),
            },
            clients.map((c) => h("option", { value: c.id, selected: c.id === clientId }, c.name)),
          ),
        )
      : null,
    h(
      "ul",
      {},
      Object.entries(VIEWS)
        .filter(([, v]) => v.nav && (isAdmin || !v.admin))
        .map(([key, v]) =>
          h(
            "li",
            {},
            h(
              "a",
              {
                href: link(clientId, key),
                "aria-current": key === name ? "page" : null,
                "data-key": `nav-${key}`,
              },
              v.title,
            ),
          ),
        ),
    ),
  );
  const root = h("div", { class: "view" });
  replace(main, root, events);
  const context: ViewContext = {
    api,
    clientId,
    path,
    params: new URLSearchParams(query),
    canEdit: roles.includes("editor") || roles.includes("admin"),
    setParams: (params) => {
      window.location.hash = link(clientId, path.join("/"), params);
    },
  };
  if (entry.admin && !isAdmin) {
    replace(root, h("h1", {}, entry.title), errorState(`Not allowed: ${entry.title} is for admins.`));
    stopView = () => undefined;
  } else stopView = entry.view(root, context);
  if (hadFocus && !nav.contains(document.activeElement) && !refocus(main, focused)) main.focus();
  announce(`${entry.title} view`);
}

function showSession(mode: "link" | "oidc" | "none", signIn?: () => void): void {
  if (mode === "none") {
    replace(sessionBox, signIn ? h("button", { type: "button", onclick: signIn }, "Sign in") : null);
    return;
  }
  replace(
    sessionBox,
    h("span", { class: "muted" }, roles.length ? `Signed in as ${roles.join(", ")}` : "Signed in"),
    " ",
    h("button", { type: "button", onclick: () => signOut() }, mode === "oidc" ? "Sign out" : "Forget token"),
  );
}

async function start(): Promise<void> {
  // The sandbox's link carries a token in the fragment.
  const fromLink = await takeTokenFromFragment();
  let mode: "link" | "oidc" | "none" = fromLink ? "link" : "none";
  let signIn: (() => void) | undefined;
  signOut = () => {
    setToken(null);
    stopView();
    showSession("none", signIn);
    replace(main, h("h1", {}, "Signed out"), h("p", {}, "Your token is forgotten."));
  };
  const config = (await fetch("/dashboard/config.json").then(
    (r) => (r.ok ? r.json() : { oidc: null }),
    () => ({ oidc: null }),
  )) as {
    oidc: OidcSettings | null;
  };
  if (config.oidc && !fromLink) {
    try {
      const { rolesClaim } = config.oidc;
      const oidc = await startOidc(config.oidc, (next) => setToken(next, rolesClaim));
      signIn = () => void oidc.signIn();
      if (oidc.session) {
        mode = "oidc";
        const local = signOut;
        signOut = () => {
          local();
          oidc.session!.signOut();
        };
      }
    } catch (error) {
      replace(main, errorState(`Sign-in failed: ${error instanceof Error ? error.message : String(error)}`));
      showSession("none");
      return;
    }
  }
  showSession(mode, signIn);
  if (!token) {
    replace(
      main,
      h("h1", {}, "Sign in"),
      h(
        "p",
        {},
        signIn
          ? "Sign in with your organisation's account to see your cloud costs."
          : "Open the dashboard link the sandbox prints (it carries a token), or configure OpenID Connect.",
      ),
      signIn ? h("button", { type: "button", onclick: signIn }, "Sign in") : null,
    );
    return;
  }
  if (!(await loadClients())) return;
  window.addEventListener("hashchange", route);
  route();
}

void start();
