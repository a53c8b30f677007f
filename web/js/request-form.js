// index.html: the request form. Client-side checks mirror the server's (SubmitRequest); when
// they pass, the server decides, and its 422 reasons are shown next to their fields.

import { RIGHT_LABELS, callApi, focusOn, formatDay, hashParams, newIdempotencyKey, requestPath } from "./api.js";
import { FieldErrors } from "./errors.js";

/** Field name (as the API names it) -> where it lives on the page. */
const FIELDS = {
  type: { group: "type-group" },
  scope: { group: "scope-group" },
  declaration: { input: "declaration" },
  opt_out_of: { group: "opt_out_of-group" },
  object_to: { group: "object_to-group" },
  consent_to_withdraw: { group: "consent_to_withdraw-group" },
  // each change of a correction adds its own fields (correction_field, correction_held_2, ...)
  correction: { group: "correction-group" },
  correction_documents: { input: "correction_documents" },
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
// SubmitRequest.corrections: at most 20 changes
const MAX_CHANGES = 20;
const CHANGE_PARTS = ["field", "held", "corrected", "why"];
// documents supporting a correction go up as a signed permission does (documents.examine)
const DOCUMENT_TYPES = ["application/pdf", "image/png", "image/jpeg", "image/tiff"];
const DOCUMENT_MIN_BYTES = 1024;
const DOCUMENT_MAX_BYTES = 5 * 1024 * 1024;
const MAX_DOCUMENTS = 5;
const WHAT_IS_WRONG = [
  ["", "Choose what is wrong"],
  ["name", "My name"],
  ["email", "My email address"],
  ["phone", "My phone number"],
  ["company", "My company"],
  ["notes", "Notes about me or my calls"],
  ["recording", "A recording of a call"],
  ["transcript", "A transcript of a call"],
  ["other", "Something else"],
];
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

// --- the changes of a correction -----------------------------------------------------------

const changeList = document.getElementById("correction-list");
const addChangeButton = document.getElementById("correction-add");

/** The id of one part of the change at ``index`` (0-based): the first keeps the plain names. */
export function changeId(index, part) {
  return index === 0 ? `correction_${part}` : `correction_${part}_${index + 1}`;
}

function element(tag, attributes = {}, text = "") {
  const made = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) made.setAttribute(name, "");
    else if (value !== false && value !== undefined) made.setAttribute(name, value);
  }
  if (text) made.textContent = text;
  return made;
}

/** A label: its words, and which change it belongs to when there are several (for screen readers). */
function changeLabel(forId, words, index) {
  const label = element("label", { for: forId }, words);
  if (index > 0) label.append(element("span", { class: "visually-hidden" }, ` (change ${index + 1})`));
  return label;
}

function changeField(index, part, words, control, hint) {
  const id = changeId(index, part);
  const field = element("div", { class: "field" });
  field.append(changeLabel(id, words, index));
  if (hint) field.append(element("p", { class: "hint", id: `${id}-hint` }, hint));
  field.append(element("p", { class: "field-error", id: `${id}-error`, hidden: true }));
  control.id = id;
  control.name = id;
  if (hint) control.setAttribute("aria-describedby", `${id}-hint`);
  field.append(control);
  return field;
}

function buildChange(index) {
  const item = element("li", { class: "change" });
  const group = element("fieldset", { class: "change-group" });
  group.append(element("legend", { class: "change-title" }, `Change ${index + 1}`));
  const select = element("select");
  for (const [choice, words] of WHAT_IS_WRONG) select.append(element("option", { value: choice }, words));
  group.append(
    changeField(index, "field", "Which information is wrong?", select),
    changeField(
      index,
      "held",
      "What we have now (if you know it)",
      element("input", { type: "text", autocomplete: "off" }),
      "Exactly as you saw it, for example in an email from us or from the business you called.",
    ),
    changeField(index, "corrected", "What should it say?", element("input", { type: "text" }), "Up to 500 characters."),
    changeField(index, "why", "Why is it wrong? (optional)", element("textarea", { rows: "3" })),
  );
  const remove = element("button", { type: "button", class: "button secondary change-remove" }, "Remove this change");
  remove.append(element("span", { class: "visually-hidden" }, ` (change ${index + 1})`));
  remove.addEventListener("click", () => removeChange(index));
  group.append(remove);
  item.append(group);
  return item;
}

function changeCount() {
  return changeList.children.length;
}

/** What each change holds, read from the page (used to rebuild the list after a removal). */
function changeValues() {
  return [...Array(changeCount()).keys()].map((index) =>
    Object.fromEntries(CHANGE_PARTS.map((part) => [part, document.getElementById(changeId(index, part)).value])),
  );
}

/** Rebuilds the list with these values: ids, labels and the error map follow the positions. */
function renderChanges(values) {
  errors.clear();
  for (const name of Object.keys(FIELDS)) if (/^correction_(field|held|corrected|why)/.test(name)) delete FIELDS[name];
  const items = values.map((_, index) => buildChange(index));
  changeList.replaceChildren(...items);
  values.forEach((held, index) => {
    for (const part of CHANGE_PARTS) {
      const id = changeId(index, part);
      document.getElementById(id).value = held[part] || "";
      FIELDS[id] = { input: id };
    }
  });
  const several = values.length > 1;
  changeList.querySelectorAll(".change-remove").forEach((button) => {
    button.hidden = !several;
  });
  addChangeButton.hidden = values.length >= MAX_CHANGES;
}

function addChange() {
  const values = changeValues();
  if (values.length >= MAX_CHANGES) return;
  renderChanges([...values, {}]);
  document.getElementById("correction-count").textContent = `Change ${values.length + 1} added.`;
  document.getElementById(changeId(values.length, "field")).focus();
}

function removeChange(index) {
  const values = changeValues();
  values.splice(index, 1);
  renderChanges(values);
  document.getElementById("correction-count").textContent =
    `Change ${index + 1} removed. ${values.length} ${values.length === 1 ? "change" : "changes"} left.`;
  document.getElementById(changeId(Math.min(index, values.length - 1), "field")).focus();
}

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
    body.corrections = [...Array(changeCount()).keys()].map((index) => {
      const part = (name) => value(changeId(index, name));
      const correction = { field: part("field"), corrected: part("corrected") };
      if (part("held")) correction.held = part("held");
      if (part("why")) correction.why = part("why");
      return correction;
    });
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
    const changes = body.corrections || [];
    if (!changes.length) add("correction", "Add at least one change.");
    if (changes.length > MAX_CHANGES) add("correction", `Ask for ${MAX_CHANGES} changes or fewer in one request.`);
    changes.forEach((correction, index) => checkChange(correction, index, add));
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

/** One change: what is wrong, the value held (optional) and the value wanted, as the server checks them. */
function checkChange(correction, index, add) {
  const id = (part) => changeId(index, part);
  const several = (changeCount() > 1 ? ` (change ${index + 1})` : "");
  if (!correction.field) add(id("field"), `Choose which information is wrong${several}.`);
  for (const part of ["held", "corrected"]) {
    const given = correction[part] || "";
    if (!given) continue;
    if (codePoints(given) > MAX_CORRECTED) {
      add(id(part), `Shorten this to ${MAX_CORRECTED} characters or fewer${several}.`);
    } else if (correction.field === "email" && (codePoints(given) > MAX_EMAIL || !EMAIL_SHAPE.test(given))) {
      add(id(part), `Enter an email address like name@example.com${several}.`);
    } else if (correction.field === "phone" && !phoneShaped(given)) {
      add(id(part), `Enter a phone number with 7 to 15 digits${several}.`);
    }
  }
  if (!correction.corrected) add(id("corrected"), `Enter what it should say${several}.`);
  else if (correction.held && correction.held === correction.corrected) {
    add(id("corrected"), `What it should say is the same as what we have now${several}.`);
  }
  if (correction.why && codePoints(correction.why) > MAX_DETAILS) {
    add(id("why"), `Shorten this to ${MAX_DETAILS.toLocaleString("en-US")} characters or fewer${several}.`);
  }
}

function phoneShaped(text) {
  const digits = text.replace(/\D/g, "").length;
  return !/[^\d\s()+.\-/]/.test(text) && digits >= 7 && digits <= 15;
}

/** The documents chosen to support a correction, checked as the upload's signed form will be. */
function chosenDocuments() {
  const input = document.getElementById("correction_documents");
  return selectedType() === "correction" && input.files ? [...input.files] : [];
}

function checkDocuments(files) {
  if (files.length > MAX_DOCUMENTS) return `Choose ${MAX_DOCUMENTS} files or fewer.`;
  for (const file of files) {
    if (!DOCUMENT_TYPES.includes(file.type)) return `${file.name} is not a PDF, PNG, JPEG or TIFF file.`;
    if (file.size < DOCUMENT_MIN_BYTES) return `${file.name} is too small to be a document (under 1 KB).`;
    if (file.size > DOCUMENT_MAX_BYTES) return `${file.name} is larger than 5 MB.`;
  }
  return "";
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
    const index = Number(parts[2]);
    if (!Number.isInteger(index) || index < 0 || index >= changeCount()) return "correction";
    // a field's own check ("body.corrections.1.held"), or the change's ("held: ..." at body.corrections.1)
    const named = CHANGE_PARTS.find((part) => part === parts[3])
      || CHANGE_PARTS.find((part) => String(reason || "").startsWith(`${part}:`))
      || (/same value/.test(String(reason || "")) ? "corrected" : "field");
    return changeId(index, named);
  }
  if (parts[1] && FIELDS[parts[1]]) return parts[1];
  if (parts.length === 1) {
    const text = String(reason || "");
    if (/email or phone/.test(text)) return "email";
    if (text.includes("corrections")) return "correction";
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
    message: sentence(String(reason.reason || "").replace(/^(field|held|corrected|why): /, "")),
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
  // opt-outs and withdrawals of consent need no code (the workflow sends none): recorded on arrival
  const optOut = type === "opt_out";
  const withdrawal = type === "withdraw_consent";
  document.getElementById("result-verify").hidden = optOut || withdrawal;
  document.getElementById("result-opt-out").hidden = !optOut;
  document.getElementById("result-withdrawal").hidden = !withdrawal;
  document.getElementById("verify-link").href =
    `verify.html#request=${encodeURIComponent(answer.request_id)}&token=${encodeURIComponent(answer.status_token)}`;
  form.hidden = true;
  document.querySelector(".lead").hidden = true;
  document.getElementById("result").hidden = false;
  document.title = "Request received – CallX";
  focusOn(document.getElementById("result-title"));
}

/** One document, straight to storage through the form the API signs for it; "" when stored. */
async function sendDocument(answer, file) {
  let signed;
  try {
    signed = await callApi("POST", requestPath(answer.request_id, "/permission-upload"), {
      token: answer.status_token,
      body: { content_type: file.type, document: "correction_evidence" },
    });
  } catch {
    return "we could not reach our server";
  }
  if (signed.status !== 200 || !signed.data?.url) return "we could not prepare its upload";
  const upload = new FormData();
  for (const [name, field] of Object.entries(signed.data.fields || {})) upload.append(name, field);
  upload.append("file", file);
  try {
    const stored = await fetch(signed.data.url, { method: "POST", body: upload, credentials: "omit" });
    return stored.ok ? "" : "the upload did not go through";
  } catch {
    return "the upload did not go through";
  }
}

/** After the request is taken: each document sent, and the person told which arrived. */
async function sendDocuments(answer, files) {
  const box = document.getElementById("result-documents");
  const list = document.getElementById("result-documents-list");
  box.hidden = false;
  box.setAttribute("aria-busy", "true");
  list.replaceChildren(...files.map((file) => element("li", {}, `${file.name}: sending…`)));
  const failed = [];
  for (const [index, file] of files.entries()) {
    const why = await sendDocument(answer, file);
    list.children[index].textContent = why ? `${file.name}: not received (${why}).` : `${file.name}: received.`;
    if (why) failed.push(file.name);
  }
  box.removeAttribute("aria-busy");
  if (failed.length) {
    list.append(
      element(
        "li",
        {},
        "Your request is taken all the same, without the files that did not arrive.",
      ),
    );
  }
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
  const documents = chosenDocuments();
  const documentProblem = checkDocuments(documents);
  if (documentProblem) problems.push({ field: "correction_documents", message: documentProblem });
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
  if (status >= 200 && status < 300 && data?.request_id) {
    showAcknowledgement(data, body.type);
    if (documents.length) await sendDocuments(data, documents);
  }
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
addChangeButton.addEventListener("click", addChange);
renderChanges([{}]);
updateQuestions();
