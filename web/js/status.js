// status.html: the status of the request named in the hash (#request=...&token=...). The token is
// sent only in the Authorization header. An unknown request and a wrong token look the same.

import {
  RIGHT_LABELS,
  callApi,
  focusOn,
  formatDay,
  formatMoment,
  hashParams,
  requestPath,
  timeElement,
} from "./api.js";

const STATUS_LABELS = {
  received: "Received",
  awaiting_verification: "Waiting for you to confirm it is you",
  needs_clarification: "Waiting for more information from you",
  verified: "You are verified; we are starting work",
  in_progress: "We are working on it",
  awaiting_decision: "Being reviewed",
  completed: "Completed",
  denied: "We could not act on it",
  canceled: "Canceled",
  failed: "Delayed: we are working on it",
  appealed: "Your appeal is being reviewed",
  appeal_denied: "Appeal answered",
};

const loading = document.getElementById("loading");

function sentence(text) {
  const value = String(text || "");
  return value ? value[0].toUpperCase() + value.slice(1) : value;
}

function showMissing() {
  loading.hidden = true;
  document.getElementById("missing").hidden = false;
  focusOn(document.getElementById("missing-title"));
}

function showProblem(message) {
  loading.hidden = true;
  const problem = document.getElementById("problem");
  problem.textContent = message;
  problem.hidden = false;
  focusOn(problem);
}

/** The privacy team's address and toll-free line, each only when the server names one. */
function showContact(view) {
  const address = typeof view.contact_address === "string" ? view.contact_address : "";
  const phone = typeof view.contact_phone === "string" ? view.contact_phone : "";
  const addressLink = document.getElementById("contact-address");
  addressLink.textContent = address;
  addressLink.href = `mailto:${address}`;
  document.getElementById("contact-address-line").hidden = !address;
  const phoneLink = document.getElementById("contact-phone");
  phoneLink.textContent = phone;
  phoneLink.href = `tel:${phone.replace(/[^+\d]/g, "")}`;
  document.getElementById("contact-phone-line").hidden = !phone;
  document.getElementById("contact").hidden = !(address || phone);
}

function render(view) {
  document.getElementById("view-id").textContent = view.request_id;
  document.getElementById("view-type").textContent = RIGHT_LABELS[view.type] || view.type;
  document.getElementById("view-status").textContent = STATUS_LABELS[view.status] || sentence(view.status);
  document.getElementById("view-received").replaceChildren(timeElement(view.received_at, formatMoment(view.received_at)));
  document.getElementById("view-due").replaceChildren(timeElement(view.due_at, formatDay(view.due_at)));
  const downloadable = Boolean(view.download_until);
  document.getElementById("view-download").hidden = !downloadable;
  if (downloadable) {
    document.getElementById("view-download-until").replaceChildren(
      timeElement(view.download_until, formatMoment(view.download_until)),
    );
  }
  // The whole answer once the request is closed: what was done, or why not and what you can do.
  const answerText = typeof view.answer === "string" ? view.answer : "";
  document.getElementById("view-answer").hidden = !answerText;
  document.getElementById("view-answer-text").textContent = answerText;
  showContact(view);
  const receipt = typeof view.erasure_receipt === "string" ? view.erasure_receipt : "";
  document.getElementById("view-receipt").hidden = !receipt;
  document.getElementById("view-receipt-text").textContent = receipt;
  document.getElementById("permission-form").hidden = !view.permission_needed;
  document.getElementById("evidence-form").hidden = view.documents_welcome !== true;
  renderStatement(view);
  renderAppeal(view);
  const waiting = view.status === "awaiting_verification";
  document.getElementById("view-verify").hidden = !waiting;
  const token = hashParams().get("token") || "";
  document.getElementById("view-verify-link").href =
    `verify.html#request=${encodeURIComponent(view.request_id)}&token=${encodeURIComponent(token)}`;
  const items = (Array.isArray(view.timeline) ? view.timeline : []).map((entry) => {
    const item = document.createElement("li");
    const what = document.createElement("span");
    what.className = "event";
    what.textContent = sentence(entry.event);
    item.append(timeElement(entry.at, formatMoment(entry.at)), what);
    return item;
  });
  document.getElementById("timeline").replaceChildren(...items);
  loading.hidden = true;
  document.getElementById("view").hidden = false;
}

/** The appeal (US state laws): the form while the answer may be appealed, then its course. */
function renderAppeal(view) {
  const until = typeof view.appeal_until === "string" ? view.appeal_until : "";
  document.getElementById("appeal-form").hidden = !until;
  if (until) document.getElementById("appeal-until").replaceChildren(timeElement(until, formatDay(until)));
  const appeal = view.appeal && typeof view.appeal === "object" ? view.appeal : null;
  document.getElementById("view-appeal").hidden = !appeal;
  if (!appeal) return;
  const lines = [];
  if (appeal.decision === "granted") {
    lines.push("We granted your appeal: we reopened your request and will tell you what we did.");
  } else if (appeal.decision === "denied") {
    lines.push("We denied your appeal: our answer stands.");
  } else {
    lines.push(`We received your appeal. We will decide it, and tell you why, by ${formatDay(appeal.due)}.`);
  }
  if (appeal.explanation) lines.push(`Our reasons: ${appeal.explanation}`);
  if (typeof appeal.attorney_general === "string" && appeal.attorney_general) lines.push(appeal.attorney_general);
  document.getElementById("view-appeal-text").textContent = lines.join("\n\n");
}

// --- a statement about a correction we denied (CCPA 7023(f)) ----------------------------------

const STATEMENT_MAX_WORDS = 250;
const STATEMENT_MAX_CHARS = 2500;
const statementText = document.getElementById("statement-text");

/** Words as the server counts them (whitespace-separated). */
function wordCount(text) {
  return text.split(/\s+/).filter(Boolean).length;
}

// set once this page sent the statement: its confirmation stays until the page is left
let statementSent = false;

/** The form while the server says a statement may be added; once added, when it was (unless our
 * answer, shown above, already says so: it is built from the same record). */
function renderStatement(view) {
  const possible = view.statement_possible === true;
  const form = document.getElementById("statement-form");
  form.hidden = !possible;
  if (statementSent) return;
  const added = typeof view.statement_added_at === "string" ? view.statement_added_at : "";
  const answered = typeof view.answer === "string" && view.answer !== "";
  const done = document.getElementById("statement-done");
  if (added && !answered) {
    done.replaceChildren(
      "Your statement, added on ",
      timeElement(added, formatMoment(added)),
      ", is kept with your record.",
    );
  }
  done.hidden = !(added && !answered);
}

function showStatementError(message) {
  const error = document.getElementById("statement-error");
  error.replaceChildren();
  if (message) {
    const hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = "Error: ";
    error.append(hidden, document.createTextNode(message));
  }
  error.hidden = !message;
  statementText.closest("form").classList.toggle("has-error", Boolean(message));
  if (message) {
    statementText.setAttribute("aria-invalid", "true");
    statementText.setAttribute("aria-describedby", "statement-hint statement-count statement-error");
    statementText.focus();
  } else {
    statementText.removeAttribute("aria-invalid");
    statementText.setAttribute("aria-describedby", "statement-hint statement-count");
  }
}

function countStatement() {
  const words = wordCount(statementText.value);
  const count = document.getElementById("statement-count");
  count.textContent = `${words} of ${STATEMENT_MAX_WORDS} words`;
}

/** POST to the request's ``suffix`` route with the page's token, the button disabled meanwhile;
 * a network failure is answered as status 0. */
async function postWhileDisabled(buttonId, suffix, body) {
  const params = hashParams();
  const button = document.getElementById(buttonId);
  button.disabled = true;
  try {
    return await callApi("POST", requestPath(params.get("request") || "", suffix), {
      token: params.get("token") || "",
      body,
    });
  } catch {
    return { status: 0, data: null };
  } finally {
    button.disabled = false;
  }
}

async function sendStatement(event) {
  event.preventDefault();
  const statement = statementText.value.trim();
  const words = wordCount(statement);
  if (!words) return showStatementError("Write your statement.");
  if (words > STATEMENT_MAX_WORDS) {
    return showStatementError(`Shorten your statement to ${STATEMENT_MAX_WORDS} words or fewer (it has ${words}).`);
  }
  if (statement.length > STATEMENT_MAX_CHARS) {
    return showStatementError(`Shorten your statement to ${STATEMENT_MAX_CHARS.toLocaleString("en-US")} characters or fewer.`);
  }
  showStatementError("");
  const answer = await postWhileDisabled("statement-send", "/statement", { statement });
  if (answer.status === 200 && answer.data) {
    const done = document.getElementById("statement-done");
    statementSent = true;
    document.getElementById("statement-form").hidden = true;
    done.replaceChildren(
      `We received your statement (${answer.data.words} ${answer.data.words === 1 ? "word" : "words"}) on `,
      timeElement(answer.data.added_at, formatMoment(answer.data.added_at)),
      ". We keep it with your record.",
    );
    done.hidden = false;
    // the answer above now says it too: shown without hiding the page (focus stays on the news)
    await refresh();
    focusOn(done);
    return undefined;
  }
  if (answer.status === 422) {
    const reasons = Array.isArray(answer.data?.errors) ? answer.data.errors : [];
    const reason = reasons.map((r) => String(r.reason || "")).find(Boolean) || "this statement cannot be kept";
    return showStatementError(sentence(reason.endsWith(".") ? reason : `${reason}.`));
  }
  if (answer.status === 409 && answer.data && typeof answer.data.why === "string") {
    return showStatementError(`We could not add your statement: ${answer.data.why}.`);
  }
  if (answer.status === 429) return showStatementError("Too many requests right now. Wait a minute, then try again.");
  return showStatementError("We could not send your statement. Please try again in a few minutes.");
}

const APPEAL_MAX_CHARS = 2000;

async function sendAppeal(event) {
  event.preventDefault();
  const statement = document.getElementById("appeal-statement").value.trim();
  const error = document.getElementById("appeal-error");
  const say = (message) => {
    error.textContent = message;
    error.hidden = !message;
    if (message) focusOn(document.getElementById("appeal-statement"));
  };
  if (statement.length > APPEAL_MAX_CHARS) return say(`Write ${APPEAL_MAX_CHARS} characters or fewer.`);
  say("");
  const answer = await postWhileDisabled("appeal-send", "/appeal", { statement });
  if (answer.status === 200 && answer.data) {
    const done = document.getElementById("appeal-done");
    done.textContent = `We received your appeal. We will decide it by ${formatDay(answer.data.appeal_due)}.`;
    done.hidden = false;
    focusOn(done);
    return load();
  }
  if (answer.status === 409 && answer.data && typeof answer.data.why === "string") {
    return say(`We could not open an appeal: ${answer.data.why}.`);
  }
  if (answer.status === 429) return say("Too many requests right now. Wait a minute, then try again.");
  return say("We could not send your appeal. Please try again in a few minutes.");
}

// While the request is still moving, the page asks again now and then (quietly: what is shown
// stays, focus does not move, nothing typed is lost) and stops once it reaches an end.
const CLOSED_STATUSES = new Set(["completed", "denied", "canceled", "appeal_denied"]);
const REFRESH_MS = Number(window.PRIVACY_STATUS_REFRESH_MS) || 15000;
let refreshTimer = null;

function scheduleRefresh(view) {
  clearTimeout(refreshTimer);
  refreshTimer = null;
  if (!view || CLOSED_STATUSES.has(view.status)) return;
  refreshTimer = setTimeout(refresh, REFRESH_MS);
}

async function refresh() {
  refreshTimer = null;
  const params = hashParams();
  if (document.hidden) {
    refreshTimer = setTimeout(refresh, REFRESH_MS);
    return;
  }
  let answer;
  try {
    answer = await callApi("GET", requestPath(params.get("request") || ""), { token: params.get("token") || "" });
  } catch {
    answer = { status: 0, data: null };
  }
  if (answer.status === 200 && answer.data) {
    render(answer.data);
    scheduleRefresh(answer.data);
  } else {
    refreshTimer = setTimeout(refresh, REFRESH_MS * 2); // a hiccup: keep what is shown, try later
  }
}

async function load() {
  clearTimeout(refreshTimer);
  refreshTimer = null;
  const params = hashParams();
  const requestId = params.get("request") || "";
  const token = params.get("token") || "";
  document.getElementById("view").hidden = true;
  document.getElementById("missing").hidden = true;
  document.getElementById("problem").hidden = true;
  if (!requestId || !token) {
    showMissing();
    return;
  }
  loading.hidden = false;
  let answer;
  try {
    answer = await callApi("GET", requestPath(requestId), { token });
  } catch {
    showProblem("We could not reach our server. Check your connection, then reload this page.");
    return;
  }
  if (answer.status === 200 && answer.data) {
    render(answer.data);
    scheduleRefresh(answer.data);
  } else if (answer.status === 404 || answer.status === 422 || answer.status === 403) showMissing();
  else if (answer.status === 429) showProblem("Too many requests right now. Wait a minute, then reload this page.");
  else showProblem("Something went wrong on our side. Please reload this page in a few minutes.");
}

/** The API answers a short-lived link to the file; the browser then fetches it from storage. */
async function download() {
  const params = hashParams();
  const problem = document.getElementById("download-problem");
  problem.hidden = true;
  let answer;
  try {
    answer = await callApi("GET", requestPath(params.get("request") || "", "/download"), {
      token: params.get("token") || "",
    });
  } catch {
    answer = { status: 0, data: null };
  }
  if (answer.status === 200 && answer.data && answer.data.url) {
    window.location.assign(answer.data.url);
    return;
  }
  problem.textContent =
    answer.status === 410
      ? "This download has expired. Make a new request and we will prepare your data again."
      : "We could not start the download. Please try again in a few minutes.";
  problem.hidden = false;
  focusOn(problem);
}

const PERMISSION_TYPES = ["application/pdf", "image/png", "image/jpeg", "image/tiff"];
const PERMISSION_MIN_BYTES = 1024;
const PERMISSION_MAX_BYTES = 5 * 1024 * 1024;

/**
 * A document goes straight to storage, through the form the API signs for it: the signed
 * permission (``prefix`` "permission") or a document supporting a correction ("evidence").
 * Returns true once storage took it.
 */
async function uploadDocument(prefix, document_, missing) {
  const params = hashParams();
  const input = document.getElementById(`${prefix}-file`);
  const file = input.files[0];
  const error = document.getElementById(`${prefix}-error`);
  const say = (message) => {
    error.textContent = message;
    error.hidden = !message;
    if (message) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", `${prefix}-hint ${prefix}-error`);
      focusOn(input);
    } else {
      input.removeAttribute("aria-invalid");
      input.setAttribute("aria-describedby", `${prefix}-hint`);
    }
    return false;
  };
  if (!file) return say(missing);
  if (!PERMISSION_TYPES.includes(file.type)) return say("Choose a PDF, PNG, JPEG or TIFF file.");
  if (file.size < PERMISSION_MIN_BYTES) return say("This file is too small to be a signed document (under 1 KB).");
  if (file.size > PERMISSION_MAX_BYTES) return say("Choose a file of 5 MB or less.");
  say("");
  let answer;
  try {
    answer = await callApi("POST", requestPath(params.get("request") || "", "/permission-upload"), {
      token: params.get("token") || "",
      body: document_ === "permission" ? { content_type: file.type } : { content_type: file.type, document: document_ },
    });
  } catch {
    answer = { status: 0, data: null };
  }
  if (answer.status !== 200 || !answer.data || !answer.data.url) {
    return say("We could not prepare the upload. Please try again in a few minutes.");
  }
  const form = new FormData();
  for (const [name, value] of Object.entries(answer.data.fields)) form.append(name, value);
  form.append("file", file);
  let stored;
  try {
    stored = await fetch(answer.data.url, { method: "POST", body: form, credentials: "omit" });
  } catch {
    stored = { ok: false };
  }
  if (!stored.ok) return say("The upload did not go through. Please try again.");
  return true;
}

async function uploadPermission(event) {
  event.preventDefault();
  if (!(await uploadDocument("permission", "permission", "Choose the file with the signed permission."))) return;
  document.getElementById("permission-done").hidden = false;
  document.getElementById("permission-send").disabled = true;
  focusOn(document.getElementById("permission-done"));
}

async function uploadEvidence(event) {
  event.preventDefault();
  const input = document.getElementById("evidence-file");
  const name = input.files[0]?.name || "";
  if (!(await uploadDocument("evidence", "correction_evidence", "Choose the file to send."))) return;
  const done = document.getElementById("evidence-done");
  done.textContent = `We received ${name}. You can send another one.`;
  done.hidden = false;
  input.value = "";
  focusOn(done);
}

document.getElementById("permission-form").addEventListener("submit", uploadPermission);
document.getElementById("evidence-form").addEventListener("submit", uploadEvidence);
document.getElementById("appeal-form").addEventListener("submit", sendAppeal);
document.getElementById("statement-form").addEventListener("submit", sendStatement);
statementText.addEventListener("input", countStatement);
document.getElementById("download-button").addEventListener("click", download);
window.addEventListener("hashchange", load);
load();
