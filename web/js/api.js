// Talking to the privacy API, and the small helpers every page shares.

/** The API's base URL: window.PRIVACY_API_BASE (config.js), or this origin when unset. */
export function apiBase() {
  const base = typeof window.PRIVACY_API_BASE === "string" ? window.PRIVACY_API_BASE : "";
  return base.replace(/\/+$/, "");
}

/** The path of one request's resource; the id comes from a link, so it is encoded. */
export function requestPath(requestId, suffix = "") {
  return `/requests/${encodeURIComponent(requestId)}${suffix}`;
}

/**
 * Calls the API and returns {status, data}; data is the parsed JSON body or null.
 * Throws only when the server could not be reached at all. The status token, when given,
 * travels in the Authorization header and nowhere else. Cookies are sent only when asked for
 * (credentials "same-origin") and only to this origin.
 */
export async function callApi(method, path, { body, token, headers: extra, credentials = "omit" } = {}) {
  const headers = { Accept: "application/json", ...extra };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(apiBase() + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials,
    cache: "no-store",
    referrerPolicy: "no-referrer",
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  return { status: response.status, data };
}

/** A random key for Idempotency-Key (randomUUID needs a secure context; getRandomValues does not). */
export function newIdempotencyKey() {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Parameters carried in the location hash (#request=...&token=...): never sent to a server. */
export function hashParams() {
  return new URLSearchParams(window.location.hash.replace(/^#/, ""));
}

const DAY = new Intl.DateTimeFormat("en-US", { dateStyle: "long", timeZone: "UTC" });
const MOMENT = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short" });

/** "2027-01-12" as "January 12, 2027" (a calendar day: no time zone shift). */
export function formatDay(isoDay) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(isoDay || ""));
  if (!match) return String(isoDay || "");
  return DAY.format(new Date(Date.UTC(+match[1], +match[2] - 1, +match[3])));
}

/** A timestamp in the reader's own time zone. */
export function formatMoment(isoMoment) {
  const when = new Date(isoMoment);
  return Number.isNaN(when.getTime()) ? String(isoMoment || "") : MOMENT.format(when);
}

/** A <time> element with a machine-readable value and a human one. */
export function timeElement(iso, text) {
  const element = document.createElement("time");
  element.dateTime = String(iso || "");
  element.textContent = text;
  return element;
}

/** Move focus to an element (made focusable for scripts only) and bring it into view. */
export function focusOn(element) {
  if (!element) return;
  if (!element.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(element.tagName)) {
    element.setAttribute("tabindex", "-1");
  }
  element.focus();
  element.scrollIntoView({ block: "center" });
}

/** Plain-language names of the rights, as the form offers them. */
export const RIGHT_LABELS = {
  access: "Get a copy of my data",
  portability: "Get my data to move it elsewhere",
  deletion: "Delete my data",
  correction: "Correct my data",
  restriction: "Pause the use of my data",
  objection: "Object to how my data is used",
  opt_out: "Stop selling/sharing or using my data for some purposes",
  withdraw_consent: "Withdraw my consent",
};
