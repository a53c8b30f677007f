// One request: its story (the ops API's, as `privacy-ops show` prints it), deadlines, what to
// review, the resolution, the ledger, and the actions (decide, replay and watch, extend, cancel),
// and those that apply only in some states, as the detail shows them: a correction's review, an
// objection's compelling grounds, a restriction's lift, the erasure of what a hold kept back.

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
  const evidence = (detail.correction && detail.correction.evidence) || [];
  for (const document_ of evidence) {
    items.push(el("li", {}, `Supporting document ${document_.key}: ${document_.kind || `refused (${document_.refused})`}, ${document_.size} bytes`));
  }
  for (const recording of detail.recordings_to_review || []) {
    const spans = recording.other_turns.map(([start, end]) => `${start.toFixed(1)}-${end.toFixed(1)} s`).join(", ");
    items.push(el("li", {}, `Recording ${recording.key}: another person at ${spans}`));
  }
  document.getElementById("review").hidden = !items.length;
  document.getElementById("review-items").replaceChildren(el("ul", {}, items));
  const documents = (detail.permission_documents || []).filter((document_) => document_.kind);
  const recordings = detail.recordings_to_review || [];
  const supporting = evidence.filter((document_) => document_.kind);
  openable.clear();
  for (const document_ of [...documents, ...supporting]) openable.set(document_.key, "documents");
  for (const recording of recordings) openable.set(recording.key, "recordings");
  document.getElementById("document-form").hidden = !openable.size;
  document.getElementById("o-key").replaceChildren(
    ...documents.map((document_, n) => el("option", { value: document_.key }, `Permission document ${n + 1}: ${document_.kind}, ${document_.size} bytes`)),
    ...supporting.map((document_, n) => el("option", { value: document_.key }, `Supporting document ${n + 1}: ${document_.kind}, ${document_.size} bytes`)),
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

/** What a notice's delivery means for the person (as `privacy-ops` says it). */
function told(notice) {
  return (
    {
      already_sent: "was sent earlier",
      held: "is held for a retry (see Held notices)",
      uncertain: "may not have gone: see Held notices",
      withheld: "was withheld (the number cannot get messages): reach the person another way",
      in_final_answer: "will be in the objection's answer",
    }[notice] || `went by ${notice}`
  );
}

function plural(n, one) {
  return `${n} ${one}${n === 1 ? "" : "s"}`;
}

/** A correction waiting for ops' review: the changes asked, what the plan would change, and per
 * field a choice to deny it with the reason the person reads. */
function renderCorrection(detail) {
  const correction = detail.correction;
  const open = Boolean(correction) && detail.waiting_for.includes("correction");
  document.getElementById("correction-section").hidden = !open;
  if (!open) return;
  document.querySelector("#correction-asked tbody").replaceChildren(
    ...correction.asked.map((change) =>
      el("tr", {}, el("td", {}, words(change.field)), el("td", {}, change.held || "(not given)"), el("td", {}, change.corrected), el("td", {}, change.why || "")),
    ),
  );
  const plan = [];
  for (const change of correction.planned || []) {
    plan.push(el("li", {}, `${words(change.field)} in ${change.store}: ${plural(change.records, "record")} would change`));
  }
  for (const row of correction.not_planned || []) {
    plan.push(el("li", {}, `${words(row.field)}${row.store ? ` in ${row.store}` : ""}: ${words(row.outcome)}${row.why ? `. ${row.why}` : ""}`));
  }
  if (!correction.planned) plan.push(el("li", {}, "Not planned yet."));
  document.getElementById("correction-plan").replaceChildren(...plan);
  const fields = [...new Set(correction.asked.map((change) => change.field))];
  const holder = document.getElementById("cr-denials");
  if (holder.dataset.fields === fields.join(",")) return; // keep what ops are typing
  holder.dataset.fields = fields.join(",");
  holder.replaceChildren(
    ...fields.map((field, n) =>
      el(
        "div",
        {},
        el(
          "div",
          { class: "choice" },
          el("input", { type: "checkbox", id: `cr-deny-${n}`, name: "deny", value: field, "aria-describedby": "cr-deny-hint", "aria-controls": `cr-why-field-${n}` }),
          el("label", { for: `cr-deny-${n}` }, `Deny the change to ${words(field)}`),
        ),
        el(
          "div",
          { class: "field conditional", id: `cr-why-field-${n}`, hidden: true },
          el("label", { for: `cr-why-${n}` }, `Why ${words(field)} is not changed (the person reads it)`),
          el("textarea", { id: `cr-why-${n}`, name: `why_${field}`, rows: "2", maxlength: "1000" }),
        ),
      ),
    ),
  );
}

function showDenialReasons() {
  for (const box of document.querySelectorAll("#cr-denials input[name=deny]")) {
    document.getElementById(box.getAttribute("aria-controls")).hidden = !box.checked;
  }
}

function deniedFields(values) {
  return [].concat(values.deny || []);
}

/** A denied field without the reason the person reads is refused next to it. */
function checkDenials(values) {
  for (const field of deniedFields(values)) {
    const why = String(values[`why_${field}`] || "");
    if (why.length < 10) {
      const box = [...document.querySelectorAll("#cr-denials input[name=deny]")].find((b) => b.value === field);
      const control = document.getElementById(box.getAttribute("aria-controls")).querySelector("textarea");
      return { control, message: `Say why ${words(field)} is not changed (at least ten characters): the person reads it.` };
    }
  }
  return null;
}

/** An objection: the grounds recorded, and the purposes grounds may still be recorded for (the
 * API never lists direct marketing: an objection to it always stops it). */
function renderGrounds(detail) {
  const objection = detail.objection;
  const inForce = Boolean(objection) && !["denied", "canceled"].includes(detail.status);
  const possible = inForce ? objection.grounds_possible : [];
  const recorded = objection ? Object.entries(objection.grounds || {}) : [];
  document.getElementById("grounds-section").hidden = !(possible.length || recorded.length);
  document.getElementById("grounds-form").hidden = !possible.length;
  document.getElementById("grounds-recorded").replaceChildren(
    ...recorded.map(([purpose, given]) => el("li", {}, `Grounds recorded for ${words(purpose)} by ${given.operator.split("/").pop()}, ${moment(given.recorded_at)}: ${given.grounds}`)),
  );
  const select = document.getElementById("g-purpose");
  const chosen = select.value;
  select.replaceChildren(...possible.map((purpose) => el("option", { value: purpose }, words(purpose))));
  if (possible.includes(chosen)) select.value = chosen;
}

/** A restriction in force: lifted only after the person is told, then the notice period. */
function renderLift(detail) {
  const restriction = detail.restriction;
  const inForce = Boolean(restriction) && detail.status === "completed";
  document.getElementById("lift-section").hidden = !inForce;
  if (!inForce) return;
  const lift = restriction.lift;
  const state = document.getElementById("lift-state");
  const form = document.getElementById("lift-form");
  form.hidden = Boolean(restriction.lift_scheduled_at);
  if (restriction.lift_scheduled_at) {
    state.textContent = `The restriction ends ${moment(restriction.lift_scheduled_at)}, not before: the person was told on ${moment(lift.announced_at)}.`;
  } else if (lift) {
    state.textContent = `Lift announced for ${lift.lift_at.slice(0, 10)}, not scheduled yet: the person's notice has not gone. Ask again with the same reason once it went.`;
    const reason = document.getElementById("l-reason");
    if (!reason.value) reason.value = lift.reason;
  } else {
    state.textContent = "In force: the person's data is kept but used only for storage and legal claims.";
  }
}

/** A deletion whose records a hold kept back: erased again once the hold is released. */
function renderHeld(detail) {
  const rows = detail.held_back || [];
  document.getElementById("held-section").hidden = !rows.length || detail.execution_status === "RUNNING";
  document.getElementById("held-records").replaceChildren(
    ...rows.map((row) => el("li", {}, `${row.store}: ${plural(row.records, "record")} held for ${row.matter} (hold ${row.hold_id})`)),
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
  renderCorrection(detail);
  renderGrounds(detail);
  renderLift(detail);
  renderHeld(detail);
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
  wireFollowUps();
}

/** The answer said; the focus on it when the action's form left the page with its state. */
async function answered(form, message) {
  await reload(message);
  if (form.closest("[hidden]")) focusOn(document.getElementById("message"));
}

function wireFollowUps() {
  const correction = document.getElementById("correction-form");
  correction.addEventListener("change", showDenialReasons);
  actionForm(
    correction,
    (values) =>
      opsCall("POST", `${path}/correction`, {
        deny: deniedFields(values).map((field) => ({ field, reason: values[`why_${field}`] })),
        reason: values.reason,
      }),
    async (result) => {
      showDenialReasons();
      const denied = result.denied.length ? `denied ${result.denied.map(words).join(", ")}` : "nothing denied";
      await answered(correction, `Correction reviewed: ${denied}; every other change is applied now.`);
    },
    checkDenials,
  );
  const grounds = document.getElementById("grounds-form");
  actionForm(
    grounds,
    (values) => opsCall("POST", `${path}/objection-grounds`, { purpose: values.purpose, grounds: values.reason }),
    async (result) =>
      answered(grounds, `Grounds recorded for ${words(result.purpose)} (${plural(result.marks, "mark")}); the person's notice ${told(result.notice)}.`),
  );
  const lift = document.getElementById("lift-form");
  actionForm(
    lift,
    (values) => opsCall("POST", `${path}/lift-restriction`, { reason: values.reason }),
    async (result) =>
      answered(
        lift,
        result.lift_at
          ? `The person's notice ${told(result.notice)}; the restriction ends ${moment(result.lift_at)}, not before.`
          : `Lift announced for ${result.announced_lift_at.slice(0, 10)}, not scheduled: the person's notice ${told(result.notice)}. Ask again once it went.`,
      ),
  );
  const held = document.getElementById("held-form");
  actionForm(
    held,
    (values) => opsCall("POST", `${path}/erase-held`, { reason: values.reason }),
    async (result) => {
      say(`Erasing what the hold kept back, as execution ${result.execution}.`);
      focusOn(document.getElementById("message"));
      await watch(result.execution);
    },
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
