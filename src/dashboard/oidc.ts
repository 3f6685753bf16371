/**
 * Sign-in with OpenID Connect: authorization code + PKCE (oauth4webapi), a public client. The
 * tokens stay in memory; only the PKCE verifier and state survive the redirect (sessionStorage,
 * removed at once). The access token is refreshed a minute before it expires.
 */
import * as oauth from "oauth4webapi";

/** GET /dashboard/config.json's `oidc`: the provider, and the claim (name or dotted path) of roles. */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  audience: string;
  rolesClaim: string;
}

const PENDING = "dashboard-oidc-pending";
const REFRESH_EARLY_S = 60;

export interface OidcSession {
  accessToken: string;
  signOut(): void;
}

export async function startOidc(
  settings: OidcSettings,
  onToken: (token: string | null) => void,
): Promise<{ signIn(): Promise<void>; session: OidcSession | null }> {
  const issuer = new URL(settings.issuer);
  // Plain HTTP only for a provider on this machine (a developer's or a test's); never otherwise.
  const insecure =
    issuer.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(issuer.hostname)
      ? { [oauth.allowInsecureRequests]: true }
      : {};
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
  const client: oauth.Client = { client_id: settings.clientId };
  const auth = oauth.None();
  const redirectUri = `${window.location.origin}/`;
  let timer: number | undefined;

  const audienceParams = (params: URLSearchParams) => {
    if (/^https?:\/\//.test(settings.audience)) params.set("resource", settings.audience);
    else params.set("audience", settings.audience);
  };

  async function signIn(): Promise<void> {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, hash: window.location.hash }));
    const url = new URL(as.authorization_endpoint!);
    url.searchParams.set("client_id", client.client_id);
    url.searchParams.set("redirect_uri", redirectUri);
    url.searchParams.set("response_type", "code");
    url.searchParams.set("scope", "openid offline_access");
    url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(verifier));
    url.searchParams.set("code_challenge_method", "S256");
    url.searchParams.set("state", state);
    audienceParams(url.searchParams);
    window.location.assign(url.href);
  }

  let idToken: string | undefined;
  const use = (result: oauth.TokenEndpointResponse, refreshToken?: string) => {
    onToken(result.access_token);
    idToken = result.id_token ?? idToken;
    const refresh = result.refresh_token ?? refreshToken;
    window.clearTimeout(timer);
    if (refresh && result.expires_in) {
      timer = window.setTimeout(
        async () => {
          try {
            const params = new URLSearchParams();
            audienceParams(params);
            const response = await oauth.refreshTokenGrantRequest(as, client, auth, refresh, {
              ...insecure,
              additionalParameters: params,
            });
            use(await oauth.processRefreshTokenResponse(as, client, response), refresh);
          } catch {
            onToken(null);
          }
        },
        Math.max(5, result.expires_in - REFRESH_EARLY_S) * 1000,
      );
    }
    return result.access_token;
  };

  const signOut = () => {
    window.clearTimeout(timer);
    onToken(null);
    if (as.end_session_endpoint) {
      const url = new URL(as.end_session_endpoint);
      url.searchParams.set("client_id", client.client_id);
      url.searchParams.set("post_logout_redirect_uri", redirectUri);
      if (idToken) url.searchParams.set("id_token_hint", idToken);
      window.location.assign(url.href);
    }
  };

  const current = new URL(window.location.href);
  const pendingText = sessionStorage.getItem(PENDING);
  if (pendingText && (current.searchParams.has("code") || current.searchParams.has("error"))) {
    sessionStorage.removeItem(PENDING);
    const pending = JSON.parse(pendingText) as { verifier: string; state: string; hash: string };
    // The code and state leave the address bar before anything else happens.
    window.history.replaceState(null, "", `/${pending.hash}`);
    const params = oauth.validateAuthResponse(as, client, current, pending.state);
    // The audience again: providers with resource indicators issue the API's token only when asked.
    const additionalParameters = new URLSearchParams();
    audienceParams(additionalParameters);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      auth,
      params,
      redirectUri,
      pending.verifier,
      { ...insecure, additionalParameters },
    );
    const result = await oauth.processAuthorizationCodeResponse(as, client, response);
    return { signIn, session: { accessToken: use(result), signOut } };
  }
  return { signIn, session: null };
}
