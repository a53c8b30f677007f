// index.html: the request form. Client-side checks mirror the server's (SubmitRequest); when
// they pass, the server decides, and its 422 reasons are shown next to their fields.

import { RIGHT_LABELS, callApi, focusOn, formatDay, hashParams, newIdempotencyKey } from "./api.js";
import { FieldErrors } from "./errors.js";

/** Field name (as the API names it) -> where it lives on the page. */
const FIELDS = {
  type: { group: "type-group" },
  scope: { group: "scope-group" },
  declaration: { input: "declaration" },
  opt_out_of: { group: "opt_out_of-group" },
  object_to: { group: "object_to-group" },
  consent_to_withdraw: { group: "consent_to_withdraw-group" },
  correction_field: { input: "correction_field" },
  correction_corrected: { input: "correction_corrected" },
  correction_why: { input: "correction_why" },
  jurisdiction: { input: "jurisdiction" },
  us_state: { input: "us_state" },
  email: { input: "email" },
  phone: { input: "phone" },
  phone_held_since: { input: "phone_held_since" },
  name: { input: "name" },
  details: { input: "details" },
};

const MAX_DETAILS = 4000;
const MAX_CORRECTED = 500;
const MAX_NAME = 200;
const MAX_EMAIL = 254;
// The shape of an address; email-validator on the server has the last word.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

const form = document.getElementById("request-form");
const errors = new FieldErrors(FIELDS, document.getElementById("error-summary"));
const problem = document.getElementById("form-problem");
const submitButton = document.getElementById("submit");
let busy = false;
// One Idempotency-Key per distinct body: sending the same request again (after a timeout or a 5xx)
// reuses it, so the server answers as the first time instead of taking the request twice; the
// server refuses a known key with another body, so a changed request gets a new key.
let sentBody = "";
let idempotencyKey = "";

const value = (id) => document.getElementById(id).value.trim();
const codePoints = (text) => [...text].length;

function selectedType() {
  return form.querySelector('input[name="type"]:checked')?.value || "";
}

function reveal(element, shown) {
  element.hidden = !shown;
  if (element.tagName === "FIELDSET") element.disabled = !shown;
  element.querySelectorAll("select").forEach((select) => {
    select.disabled = !shown;
  });
}

const asksForData = (type) => type === "access" || type === "portability";
const chosenScope = () => form.querySelector('input[name="scope"]:checked')?.value || "";

/** Shows only the questions that apply to the chosen right and place. */
function updateQuestions() {
  const type = selectedType();
  reveal(document.getElementById("scope-group"), asksForData(type));
  const declare = asksForData(type) && chosenScope() === "specific_pieces";
  document.getElementById("declaration-field").hidden = !declare;
  document.getElementById("declaration").disabled = !declare;
  reveal(document.getElementById("opt_out_of-group"), type === "opt_out");
  reveal(document.getElementById("object_to-group"), type === "objection");
  reveal(document.getElementById("consent_to_withdraw-group"), type === "withdraw_consent");
  reveal(document.getElementById("correction-group"), type === "correction");
  reveal(document.getElementById("us_state-field"), value("jurisdiction") === "us_state");
}

/** The body of POST /requests: only the fields that apply, never one the API does not know. */
export function collect() {
  const type = selectedType();
  const body = { type, jurisdiction: value("jurisdiction") };
  if (body.jurisdiction === "us_state" && value("us_state")) body.us_state = value("us_state");
  for (const name of ["email", "phone", "phone_held_since", "name", "details"]) {
    if (value(name)) body[name] = value(name);
  }
  if (asksForData(type) && chosenScope()) {
    body.scope = chosenScope();
    if (body.scope === "specific_pieces" && document.getElementById("declaration").checked) {
      body.declaration = true;
    }
  }
  if (type === "opt_out") {
    body.opt_out_of = [...form.querySelectorAll('input[name="opt_out_of"]:checked')].map((box) => box.value);
  }
  if (type === "objection") {
    body.object_to = [...form.querySelectorAll('input[name="object_to"]:checked')].map((box) => box.value);
  }
  if (type === "withdraw_consent") {
    body.consent_to_withdraw = [...form.querySelectorAll('input[name="consent_to_withdraw"]:checked')].map(
      (box) => box.value,
    );
  }
  if (clarifies) body.clarifies = clarifies;
  if (type === "correction") {
    const correction = { field: value("correction_field"), corrected: value("correction_corrected") };
    if (value("correction_why")) correction.why = value("correction_why");
    body.corrections = [correction];
  }
  return body;
}

/** The server's checks, as far as a browser can make them. */
export function check(body) {
  const problems = [];
  const add = (field, message) => problems.push({ field, message });
  if (!body.type) add("type", "Choose what you would like us to do.");
  if (body.type === "opt_out" && !(body.opt_out_of || []).length) {
    add("opt_out_of", "Choose at least one use of your data to stop.");
  }
  if (body.type === "withdraw_consent" && !(body.consent_to_withdraw || []).length) {
    add("consent_to_withdraw", "Choose at least one use you withdraw your consent to.");
  }
  if (body.type === "objection" && !(body.object_to || []).length) {
    add("object_to", "Choose at least one use of your data you object to.");
  }
  if (body.type === "correction") {
    const correction = (body.corrections || [])[0] || {};
    if (!correction.field) add("correction_field", "Choose which information is wrong.");
    if (!correction.corrected) add("correction_corrected", "Enter what it should say.");
    else if (codePoints(correction.corrected) > MAX_CORRECTED) {
      add("correction_corrected", `Shorten this to ${MAX_CORRECTED} characters or fewer.`);
    }
    if (correction.why && codePoints(correction.why) > MAX_DETAILS) {
      add("correction_why", `Shorten this to ${MAX_DETAILS.toLocaleString("en-US")} characters or fewer.`);
    }
  }
  if (!body.jurisdiction) add("jurisdiction", "Choose where you are.");
  if (body.jurisdiction === "us_state" && !body.us_state) add("us_state", "Choose your state.");
  if (!body.email && !body.phone) {
    add("email", "Give your email address or your phone number, or both.");
  }
  if (body.email && (codePoints(body.email) > MAX_EMAIL || !EMAIL_SHAPE.test(body.email))) {
    add("email", "Enter an email address like name@example.com.");
  }
  if (body.phone) {
    const digits = body.phone.replace(/\D/g, "").length;
    if (/[^\d\s()+.\-/]/.test(body.phone)) add("phone", "Enter a phone number using digits only.");
    else if (digits < 7 || digits > 15) add("phone", "Enter a phone number with 7 to 15 digits.");
  }
  if (body.phone_held_since && !body.phone) {
    add("phone_held_since", "Give the phone number this date is about, or leave the date empty.");
  }
  if (body.name && codePoints(body.name) > MAX_NAME) {
    add("name", `Enter a name of ${MAX_NAME} characters or fewer.`);
  }
  if (body.details && codePoints(body.details) > MAX_DETAILS) {
    add("details", `Shorten this to ${MAX_DETAILS.toLocaleString("en-US")} characters or fewer (it has ${codePoints(body.details).toLocaleString("en-US")}).`);
  }
  return problems;
}

/**
 * Which field a server reason belongs to: "body.email" -> email, "body.corrections.0.corrected" ->
 * correction_corrected; a reason about the whole body by the field it names.
 */
function fieldOf(location, reason) {
  // the service's own checks name a purpose by its place: "object_to[1]", "consent_to_withdraw[0]"
  const named = /^(object_to|consent_to_withdraw)(\[\d+\])?$/.exec(String(location || ""));
  if (named) return named[1];
  const parts = String(location || "").split(".");
  if (parts[0] !== "body") return null;
  if (parts[1] === "corrections") {
    return FIELDS[`correction_${parts[3]}`] ? `correction_${parts[3]}` : "correction_field";
  }
  if (parts[1] && FIELDS[parts[1]]) return parts[1];
  if (parts.length === 1) {
    const text = String(reason || "");
    if (/email or phone/.test(text)) return "email";
    if (text.includes("corrections")) return "correction_field";
    for (const name of ["phone_held_since", "opt_out_of", "us_state", "scope"]) {
      if (text.includes(name)) return name;
    }
  }
  return null;
}

function sentence(text) {
  const trimmed = String(text || "").trim();
  if (!trimmed) return "This is not valid.";
  const capital = trimmed[0].toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

function serverProblems(data) {
  const reasons = Array.isArray(data?.errors) ? data.errors : [];
  const problems = reasons.map((reason) => ({
    field: fieldOf(reason.field, reason.reason),
    message: sentence(reason.reason),
  }));
  return problems.length ? problems : [{ field: null, message: sentence(data?.message || "The input is not valid.") }];
}

function showProblem(message) {
  problem.textContent = message;
  problem.hidden = false;
  focusOn(problem);
}

function showAcknowledgement(answer, type) {
  document.getElementById("result-id").textContent = answer.request_id;
  document.getElementById("result-type").textContent = RIGHT_LABELS[type] || type;
  const due = document.getElementById("result-due-date");
  due.dateTime = answer.due_at;
  due.textContent = formatDay(answer.due_at);
  const optOut = type === "opt_out";
  document.getElementById("result-verify").hidden = optOut;
  document.getElementById("result-opt-out").hidden = !optOut;
  document.getElementById("verify-link").href =
    `verify.html#request=${encodeURIComponent(answer.request_id)}&token=${encodeURIComponent(answer.status_token)}`;
  form.hidden = true;
  document.querySelector(".lead").hidden = true;
  document.getElementById("result").hidden = false;
  document.title = "Request received – CallX";
  focusOn(document.getElementById("result-title"));
}

function setBusy(on) {
  busy = on;
  form.setAttribute("aria-busy", String(on));
  submitButton.textContent = on ? "Sending…" : "Send request";
}

async function submit(event) {
  event.preventDefault();
  if (busy) return;
  problem.hidden = true;
  errors.clear();
  const body = collect();
  const problems = check(body);
  if (problems.length) {
    errors.show(problems);
    return;
  }
  setBusy(true);
  const serialized = JSON.stringify(body);
  if (serialized !== sentBody) {
    sentBody = serialized;
    idempotencyKey = newIdempotencyKey();
  }
  let answer;
  try {
    // Same-origin cookies go along: the server reads the attribution pixels' ids for Sec-GPC.
    answer = await callApi("POST", "/requests", {
      body,
      headers: { "Idempotency-Key": idempotencyKey },
      credentials: "same-origin",
    });
  } catch {
    showProblem("We could not reach our server. Check your connection, then try again.");
    return;
  } finally {
    setBusy(false);
  }
  const { status, data } = answer;
  if (status >= 200 && status < 300 && data?.request_id) showAcknowledgement(data, body.type);
  else if (status === 422) errors.show(serverProblems(data));
  else if (status === 413) showProblem("Your request is too long. Shorten what you wrote, then try again.");
  else if (status === 429) showProblem("We are receiving too many requests right now. Wait a minute, then try again.");
  else if (status >= 500) {
    showProblem("Something went wrong on our side and we could not take your request. Please try again in a few minutes.");
  } else {
    showProblem(`We could not take your request (error ${status}). Please check it and try again.`);
  }
}

// Our answer to an unclear email links here with the sender's address and that email's id
// (#email=...&clarifies=mail_...): the request then keeps the email's arrival as its start.
const linked = hashParams();
const clarifies = /^mail_[A-Za-z0-9_-]{10,64}$/.test(linked.get("clarifies") || "") ? linked.get("clarifies") : "";
if (linked.get("email") && !value("email")) document.getElementById("email").value = linked.get("email");

form.addEventListener("change", updateQuestions);
form.addEventListener("submit", submit);
updateQuestions();
