// Who is calling the ops API, and how each call proves it.
// Local: the operator name (as `privacy-ops --operator NAME`), sent as X-Local-Operator.
// AWS: Cognito user pool sign-in (hosted page, authorization code with PKCE), the identity
// pool's credentials for the operations role, each call signed with SigV4 by aws4fetch.

import { AwsClient } from "../vendor/aws4fetch.esm.js";

const OPERATOR_KEY = "privacy-ops-operator";
const CREDENTIALS_KEY = "privacy-ops-credentials";
const VERIFIER_KEY = "privacy-ops-pkce";

export function config() {
  const given = window.PRIVACY_OPS && typeof window.PRIVACY_OPS === "object" ? window.PRIVACY_OPS : {};
  return { mode: given.mode === "aws" ? "aws" : "local", apiBase: String(given.apiBase || "").replace(/\/+$/, ""), ...given };
}

/** The name shown as "signed in as", or "" when nobody is signed in. */
export function currentOperator() {
  if (config().mode === "local") return localStorage.getItem(OPERATOR_KEY) || "";
  const stored = storedCredentials();
  return stored ? stored.who : "";
}

export function signInLocally(name) {
  localStorage.setItem(OPERATOR_KEY, name);
}

export function signOut() {
  localStorage.removeItem(OPERATOR_KEY);
  sessionStorage.removeItem(CREDENTIALS_KEY);
  const settings = config();
  if (settings.mode === "aws" && settings.userPoolDomain) {
    const back = new URL("index.html", window.location.href).href;
    window.location.assign(
      `${settings.userPoolDomain}/logout?client_id=${encodeURIComponent(settings.userPoolClientId)}&logout_uri=${encodeURIComponent(back)}`,
    );
  }
}

function storedCredentials() {
  try {
    const stored = JSON.parse(sessionStorage.getItem(CREDENTIALS_KEY) || "null");
    if (stored && Date.parse(stored.expiration) - Date.now() > 60_000) return stored;
  } catch {
    /* nothing usable stored */
  }
  return null;
}

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function redirectUri() {
  return new URL("index.html", window.location.href).href;
}

/** AWS: off to the user pool's sign-in page (PKCE: the verifier stays in this tab). */
export async function startAwsSignIn() {
  const settings = config();
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem(VERIFIER_KEY, JSON.stringify({ verifier, state, back: window.location.href }));
  const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: settings.userPoolClientId,
    redirect_uri: redirectUri(),
    scope: "openid email",
    code_challenge: challenge,
    code_challenge_method: "S256",
    state,
  });
  window.location.assign(`${settings.userPoolDomain}/oauth2/authorize?${query}`);
}

async function cognitoIdentity(target, body) {
  const settings = config();
  const response = await fetch(`https://cognito-identity.${settings.region}.amazonaws.com/`, {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": `AWSCognitoIdentityService.${target}` },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`the identity pool refused the sign-in (HTTP ${response.status})`);
  return response.json();
}

/** AWS: back from the sign-in page with ?code=: the ID token, then the role's credentials. */
export async function finishAwsSignIn() {
  const settings = config();
  const params = new URLSearchParams(window.location.search);
  const code = params.get("code");
  if (!code) return false;
  const pending = JSON.parse(sessionStorage.getItem(VERIFIER_KEY) || "null");
  sessionStorage.removeItem(VERIFIER_KEY);
  if (!pending || pending.state !== params.get("state")) throw new Error("the sign-in answer does not match this tab");
  const tokens = await fetch(`${settings.userPoolDomain}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: settings.userPoolClientId,
      code,
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    }),
  }).then((r) => {
    if (!r.ok) throw new Error(`the user pool refused the sign-in (HTTP ${r.status})`);
    return r.json();
  });
  const provider = `cognito-idp.${settings.region}.amazonaws.com/${settings.userPoolId}`;
  const logins = { [provider]: tokens.id_token };
  const { IdentityId } = await cognitoIdentity("GetId", { IdentityPoolId: settings.identityPoolId, Logins: logins });
  const { Credentials } = await cognitoIdentity("GetCredentialsForIdentity", { IdentityId, Logins: logins });
  const claims = JSON.parse(atob(tokens.id_token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
  sessionStorage.setItem(
    CREDENTIALS_KEY,
    JSON.stringify({
      who: String(claims.email || claims["cognito:username"] || "signed in"),
      accessKeyId: Credentials.AccessKeyId,
      secretAccessKey: Credentials.SecretKey,
      sessionToken: Credentials.SessionToken,
      expiration: new Date(Credentials.Expiration * 1000).toISOString(),
    }),
  );
  window.history.replaceState(null, "", pending.back && !pending.back.includes("code=") ? pending.back : "index.html");
  return true;
}

/** fetch() for the ops API with this console's proof of who calls. */
export async function authorizedFetch(url, init) {
  const settings = config();
  if (settings.mode === "local") {
    const headers = { ...init.headers, "X-Local-Operator": currentOperator() };
    return fetch(url, { ...init, headers });
  }
  const stored = storedCredentials();
  if (!stored) return new Response(JSON.stringify({ message: "Sign in again: your session ended." }), { status: 401 });
  const client = new AwsClient({
    accessKeyId: stored.accessKeyId,
    secretAccessKey: stored.secretAccessKey,
    sessionToken: stored.sessionToken,
    service: "execute-api",
    region: settings.region,
    retries: 0,
  });
  // Signed for the API's own URL (its host and stage path, as API Gateway checks them); sent
  // through this origin's /ops-api/ (CloudFront: the prefix removed, the stage as origin path,
  // Host set to the API's), so the browser makes no cross-origin call and needs no CORS.
  const signed = await client.sign(url, init);
  const path = url.slice(settings.apiBase.length);
  const target = settings.sendBase !== undefined ? `${settings.sendBase}${path}` : url;
  return fetch(target, { method: signed.method, headers: signed.headers, body: init.body, cache: "no-store" });
}
