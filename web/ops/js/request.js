// One request: its story (the ops API's, as `privacy-ops show` prints it), deadlines, what to
// review, the resolution, the ledger, and the actions (decide, replay and watch, extend, cancel).

import {
  actionForm,
  countRows,
  daysUntil,
  el,
  errorSentence,
  focusOn,
  moment,
  opsCall,
  say,
  signedIn,
  words,
} from "./common.js";

const requestId = new URLSearchParams(window.location.search).get("id") || "";
const path = `/ops/requests/${encodeURIComponent(requestId)}`;
const CLOSED = new Set(["completed", "denied", "canceled", "appeal_denied"]);
const WATCH_MS = Number(window.PRIVACY_OPS_WATCH_MS) || 1000;
const WATCH_LIMIT_MS = 10 * 60 * 1000;

function summaryRow(term, ...value) {
  return el("div", {}, el("dt", {}, term), el("dd", {}, ...value));
}

function renderSummary(detail) {
  const days = daysUntil(detail.due_at);
  const due = [el("time", { datetime: detail.due_at }, detail.due_at)];
  if (!CLOSED.has(detail.status) && days < 0) due.push(" ", el("span", { class: "badge overdue" }, `Overdue ${-days} d`));
  else if (!CLOSED.has(detail.status) && days <= 2) due.push(" ", el("span", { class: "badge soon" }, `Due in ${days} d`));
  const subject = detail.subject || {};
  document.getElementById("summary").replaceChildren(
    summaryRow("Status", el("span", { id: "status" }, words(detail.status))),
    summaryRow("Type", `${words(detail.type)} under ${words(detail.jurisdiction).toUpperCase()}, by ${words(detail.channel)}`),
    summaryRow("Received", moment(detail.received_at)),
    summaryRow("Due", ...due),
    summaryRow("Workflow", `${words(detail.execution_status || "none").toLowerCase()} (replays: ${detail.replays})`),
    summaryRow("Waiting for", detail.waiting_for.length ? detail.waiting_for.map(words).join(", ") : "nothing"),
    summaryRow("Subject", `email ${subject.email || "-"}, phone ${subject.phone || "-"}`),
    summaryRow("Proven", detail.proven_identifiers.length ? detail.proven_identifiers.join(", ") : "nothing yet"),
  );
}

function renderStory(story) {
  document.getElementById("headline").textContent = story ? story.headline : "";
  const failure = document.getElementById("failure");
  failure.hidden = !(story && story.failure);
  failure.textContent = story && story.failure ? story.failure : "";
  const groups = (story ? story.groups : []).map((group) =>
    el(
      "div",
      { dataset: { phase: group.phase } },
      el("h3", {}, group.title),
      el(
        "ol",
        {},
        group.events.map((event) =>
          el(
            "li",
            { class: event.problem ? "problem-event" : false },
            el("time", { datetime: event.at }, moment(event.at)),
            event.problem ? el("span", { class: "visually-hidden" }, "Problem: ") : null,
            event.text,
            event.actor && event.actor !== "workflow" ? ` (${event.actor})` : "",
          ),
        ),
      ),
    ),
  );
  document.getElementById("story").replaceChildren(...groups);
}

function renderLedger(detail) {
  const steps = detail.completed_steps || [];
  document.getElementById("ledger").replaceChildren(
    ...(steps.length ? steps.map((step) => el("li", {}, el("code", {}, step))) : [el("li", {}, "No step finished yet.")]),
  );
  const select = document.getElementById("r-step");
  const chosen = select.value;
  select.replaceChildren(
    el("option", { value: "" }, "Where it stopped"),
    ...steps.filter((s) => !s.includes(":intent")).map((step) => el("option", { value: step }, `${step} (run it again)`)),
  );
  select.value = steps.includes(chosen) ? chosen : "";
}

function renderResolution(summary) {
  document.getElementById("resolution").hidden = !summary;
  if (!summary) return;
  document.getElementById("resolution-summary").textContent =
    `${summary.total_records} records, ${summary.released_records} reachable through the identifiers given; ` +
    `customers: ${(summary.tenants || []).join(", ") || "none"}.` +
    (summary.flags && summary.flags.length ? ` FLAGGED (needs a decision): ${summary.flags.join("; ")}.` : "");
  document.querySelector("#resolution-table tbody").replaceChildren(
    ...countRows(summary.counts),
  );
}

/** What the review can open: key -> "documents" (a permission document) or "recordings". */
const openable = new Map();

function renderReview(detail) {
  const items = [];
  for (const row of detail.footprint_sample || []) {
    items.push(el("li", {}, `${row.store} at ${row.tenant_id || "CallX"}: `, el("code", {}, JSON.stringify(row.pointer))));
  }
  for (const document_ of detail.permission_documents || []) {
    items.push(el("li", {}, `Permission document ${document_.key}: ${document_.kind || `refused (${document_.refused})`}, ${document_.size} bytes`));
  }
  for (const recording of detail.recordings_to_review || []) {
    const spans = recording.other_turns.map(([start, end]) => `${start.toFixed(1)}-${end.toFixed(1)} s`).join(", ");
    items.push(el("li", {}, `Recording ${recording.key}: another person at ${spans}`));
  }
  document.getElementById("review").hidden = !items.length;
  document.getElementById("review-items").replaceChildren(el("ul", {}, items));
  const documents = (detail.permission_documents || []).filter((document_) => document_.kind);
  const recordings = detail.recordings_to_review || [];
  openable.clear();
  for (const document_ of documents) openable.set(document_.key, "documents");
  for (const recording of recordings) openable.set(recording.key, "recordings");
  document.getElementById("document-form").hidden = !openable.size;
  document.getElementById("o-key").replaceChildren(
    ...documents.map((document_, n) => el("option", { value: document_.key }, `Permission document ${n + 1}: ${document_.kind}, ${document_.size} bytes`)),
    ...recordings.map((recording) => el("option", { value: recording.key }, `Recording of call ${recording.call_id}`)),
  );
}

async function renderDeadlines() {
  const answer = await opsCall("GET", "/ops/deadlines");
  const clocks = answer.status === 200 && answer.data ? answer.data.clocks.filter((c) => c.request_id === requestId) : [];
  document.getElementById("deadlines").replaceChildren(
    ...(clocks.length
      ? clocks.map((clock) => el("li", {}, `${words(clock.kind)}: due ${clock.due}, ${words(clock.state)}`))
      : [el("li", {}, "No legal clock of this request is overdue or due within two business days.")]),
  );
}

function render(detail) {
  document.getElementById("title").textContent = `Request ${detail.request_id}`;
  document.title = `Request ${detail.request_id} – CallX privacy operations`;
  renderSummary(detail);
  renderStory(detail.story);
  renderLedger(detail);
  renderResolution(detail.resolution);
  renderReview(detail);
}

async function fetchDetail() {
  const answer = await opsCall("GET", path);
  if (answer.status !== 200 || !answer.data) {
    say(errorSentence(answer), { problem: true });
    return null;
  }
  return answer.data;
}

/** After a replay: ask again every second, show each new event, until it ends or waits. */
async function watch(execution) {
  const progress = document.getElementById("progress");
  const status = document.getElementById("progress-status");
  const log = document.getElementById("progress-log");
  progress.hidden = false;
  log.replaceChildren();
  status.textContent = `Replaying as execution ${execution}…`;
  const seen = new Set();
  let first = true;
  const started = Date.now();
  for (;;) {
    const detail = await fetchDetail();
    if (!detail) return;
    render(detail);
    for (const group of detail.story ? detail.story.groups : []) {
      for (const event of group.events) {
        const key = `${event.at}|${event.text}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (!first) log.append(el("li", {}, el("time", { datetime: event.at }, moment(event.at)), " ", event.text));
      }
    }
    first = false;
    const running = detail.execution_status === "RUNNING";
    if ((CLOSED.has(detail.status) || detail.status === "failed") && !running) {
      status.textContent = detail.status === "failed" ? `The replay failed again: ${detail.story.failure || ""}` : `Done: the request is ${words(detail.status)}.`;
      return;
    }
    if (detail.waiting_for.length) {
      status.textContent = `The request now waits for: ${detail.waiting_for.map(words).join(", ")}.`;
      return;
    }
    if (Date.now() - started > WATCH_LIMIT_MS) {
      status.textContent = `Still ${words(detail.status)}: reload the page to see where it is.`;
      return;
    }
    status.textContent = `Replaying: ${words(detail.status)}, workflow ${String(detail.execution_status || "").toLowerCase()}…`;
    await new Promise((resolve) => setTimeout(resolve, WATCH_MS));
  }
}

function list(text) {
  return String(text || "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

function decisionBody(values) {
  const body = { decision: values.decision, reason: values.reason };
  if (values.decision === "deny") {
    Object.assign(body, { denial_reason: values.denial_reason, exemption: values.exemption, detail: values.detail });
  }
  if (values.decision === "complete") body.outcome = values.outcome;
  if (values.decision === "narrow") {
    const scope = { stores: list(values.stores), businesses: list(values.businesses), since: values.since, until: values.until };
    body.scope = Object.fromEntries(Object.entries(scope).filter(([, v]) => v && (!Array.isArray(v) || v.length)));
  }
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined && v !== ""));
}

function showDecisionFields() {
  const form = document.getElementById("decide-form");
  const decision = form.elements.decision.value;
  document.getElementById("deny-fields").hidden = decision !== "deny";
  document.getElementById("narrow-fields").hidden = decision !== "narrow";
  document.getElementById("complete-fields").hidden = decision !== "complete";
}

async function reload(message) {
  const detail = await fetchDetail();
  if (detail) render(detail);
  say(message);
}

function wireActions() {
  const decide = document.getElementById("decide-form");
  decide.addEventListener("change", showDecisionFields);
  actionForm(
    decide,
    (values) => opsCall("POST", `${path}/decision`, decisionBody(values)),
    async (result) => {
      showDecisionFields();
      await reload(`Answered the ${words(result.answered)}: ${result.decision}.`);
    },
  );
  actionForm(
    document.getElementById("replay-form"),
    (values) => opsCall("POST", `${path}/replay`, { reason: values.reason, ...(values.step ? { step: values.step } : {}) }),
    async (result) => {
      say(`Replaying as execution ${result.execution}.`);
      await watch(result.execution);
    },
  );
  actionForm(
    document.getElementById("extend-form"),
    (values) => opsCall("POST", `${path}/extend`, values),
    async (result) => reload(`Extended from ${result.due} to ${result.new_due}; the notice: ${words(result.notice)}.`),
  );
  actionForm(
    document.getElementById("document-form"),
    (values) => opsCall("POST", `${path}/${openable.get(values.key) || "documents"}/link`, values),
    async (link) => {
      const minutes = Math.round(link.expires_in / 60);
      const slot = document.getElementById("document-link");
      const what = link.kind === "recording" ? "recording" : `${link.kind} document`;
      slot.replaceChildren(el("a", { href: link.url, rel: "noreferrer" }, `Download the ${what}`), ` (the link works for ${minutes} minutes).`);
      slot.hidden = false;
      focusOn(slot.querySelector("a"));
    },
  );
  actionForm(
    document.getElementById("cancel-form"),
    (values) => opsCall("POST", `${path}/cancel`, { reason: values.reason }),
    async () => reload("Canceled."),
  );
}

if (await signedIn()) {
  if (!requestId) {
    say("No request named: open one from the queue.", { problem: true });
  } else {
    wireActions();
    const detail = await fetchDetail();
    if (detail) {
      render(detail);
      focusOn(document.getElementById("title")); // before the deadlines: they may take a while
      await renderDeadlines();
    }
  }
}
