// What every console page shares: calling the ops API, saying its errors in words, the
// sign-in, and small DOM helpers (text only: nothing from the API is ever parsed as HTML).

import {
  authorizedFetch,
  config,
  currentOperator,
  finishAwsSignIn,
  signInLocally,
  signOut,
  startAwsSignIn,
} from "./auth.js";
import { renderFrame } from "./frame.js";

/** Calls the ops API: {status, data}. status 0 when it could not be reached. */
export async function opsCall(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await authorizedFetch(config().apiBase + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
  } catch {
    return { status: 0, data: null };
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  return { status: response.status, data };
}

/** The API's answer as one sentence and the HTTP status (as privacy-ops says it). */
export function errorSentence(answer) {
  if (answer.status === 0) return "The ops API could not be reached: check that the stack is running.";
  const data = answer.data && typeof answer.data === "object" ? answer.data : {};
  let message = String(data.message || "").trim().replace(/\.$/, "");
  if (answer.status === 401 || (answer.status === 403 && /authentication token|security token|signature|operations role|not authorized/i.test(message))) {
    return `The ops API refused your credentials (HTTP ${answer.status}): sign in again as an operator.`;
  }
  if (answer.status === 404 && (!message || message === "Not found")) message = "Not found: no such request or item";
  if (Array.isArray(data.errors) && data.errors.length) {
    message += ` (${data.errors.map((e) => `${String(e.field || "").replace(/^(body|query)\./, "")}: ${e.reason}`).join("; ")})`;
  }
  if (typeof data.why === "string" && data.why) message += `: ${data.why.replace(/\.$/, "")}`;
  return `${message || "The ops API refused the request"}. (HTTP ${answer.status})`;
}

/** el("p", {class: "x"}, "text", child): an element with attributes and text/children. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A resolution's counts, one table row per store and controller (counts only, never data). */
export function countRows(counts) {
  return counts.map((count) =>
    el(
      "tr",
      {},
      el("td", {}, count.store),
      el("td", {}, count.tenant_id ? `customer ${count.tenant_id}` : count.controller),
      el("td", {}, String(count.released)),
      el("td", {}, String(count.not_released)),
      el("td", {}, Object.entries(count.not_released_reasons || {}).map(([k, v]) => `${k}: ${v}`).join(", ")),
    ),
  );
}

/** Moves the focus to `node`; a heading or message gets tabindex=-1 to take it, while links and
 * form controls keep their place in the Tab order. */
export function focusOn(node) {
  if (!node) return;
  if (!node.hasAttribute("tabindex") && !node.matches("a[href], button, input, select, textarea")) node.setAttribute("tabindex", "-1");
  node.focus();
}

/**
 * Wraps `fetcher` (it returns an API answer) so that only the latest call's answer is used: the
 * others resolve to null. A slow first load then never overwrites the list an action reloaded.
 */
export function latestOnly(fetcher) {
  let generation = 0;
  return async (...args) => {
    const mine = ++generation;
    const answer = await fetcher(...args);
    return mine === generation ? answer : null;
  };
}

/** A message in the page's live status line (role=status). */
export function say(text, { problem = false } = {}) {
  const line = document.getElementById("message");
  line.textContent = text;
  line.className = problem ? "problem" : "notice";
  line.hidden = !text;
  if (problem && text) focusOn(line);
}

const MOMENT = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });
export function moment(iso) {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? String(iso || "") : `${MOMENT.format(at)} UTC`;
}

export function words(value) {
  return String(value || "").replace(/_/g, " ");
}

/** Days from today (UTC) to an ISO day: negative when past. */
export function daysUntil(isoDay) {
  const day = Date.parse(`${isoDay}T00:00:00Z`);
  const today = new Date();
  const start = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return Math.round((day - start) / 86_400_000);
}

/** Reads a form's fields into an object: trimmed strings, empty ones left out. */
export function formValues(form) {
  const values = {};
  for (const [name, value] of new FormData(form).entries()) {
    const text = typeof value === "string" ? value.trim() : value;
    if (text === "") continue;
    if (name in values) values[name] = [].concat(values[name], text);
    else values[name] = text;
  }
  return values;
}

/**
 * Every action asks for the reason the audit keeps: a submit handler that refuses a short
 * reason next to its field, sends, and says the answer. `send(values)` returns an API answer.
 * `check(values)`, when given, refuses other fields the same way before sending: it returns
 * {control, message} for the first field in error, or null.
 */
export function actionForm(form, send, done, check) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const reason = form.querySelector("[name=reason]");
    const error = form.querySelector(".field-error");
    for (const marked of form.querySelectorAll("[aria-invalid]")) marked.removeAttribute("aria-invalid");
    const problem =
      reason && reason.value.trim().length < 5
        ? { control: reason, message: "Give the reason (at least five characters): the audit trail keeps it." }
        : check && check(formValues(form));
    if (problem) {
      error.textContent = problem.message;
      error.hidden = false;
      problem.control.setAttribute("aria-invalid", "true");
      focusOn(problem.control);
      return;
    }
    error.hidden = true;
    form.setAttribute("aria-busy", "true");
    const answer = await send(formValues(form));
    form.removeAttribute("aria-busy");
    if (answer.status >= 200 && answer.status < 300) {
      form.reset();
      await done(answer.data);
    } else {
      error.textContent = errorSentence(answer);
      error.hidden = false;
      focusOn(error);
    }
  });
}

/** The frame (frame.js), its "signed in as", and the sign-in in place of the page when nobody is. */
export async function signedIn() {
  renderFrame();
  const settings = config();
  if (settings.mode === "aws") {
    try {
      await finishAwsSignIn();
    } catch (problem) {
      say(`Sign-in failed: ${problem.message}.`, { problem: true });
    }
  }
  const who = currentOperator();
  const slot = document.getElementById("who");
  if (who) {
    const out = el("button", { type: "button", class: "link-button" }, "Sign out");
    out.addEventListener("click", () => {
      signOut();
      window.location.reload();
    });
    slot.replaceChildren(`Signed in as ${who} `, out);
    return true;
  }
  document.getElementById("page").hidden = true;
  const form = document.getElementById("signin");
  form.hidden = false;
  if (settings.mode === "aws") {
    form.querySelector(".local-only").hidden = true;
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (settings.mode === "aws") {
      await startAwsSignIn();
      return;
    }
    const name = form.elements.operator.value.trim();
    const error = form.querySelector(".field-error");
    if (!/^[A-Za-z0-9+=,.@_-]{1,64}$/.test(name)) {
      error.textContent = "Give your operator name: letters, digits and + = , . @ _ - only.";
      error.hidden = false;
      focusOn(form.elements.operator);
      return;
    }
    signInLocally(name);
    window.location.reload();
  });
  focusOn(form.querySelector("h2"));
  return false;
}
