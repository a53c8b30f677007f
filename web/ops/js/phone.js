// Take a request by phone: what a caller to the toll-free line asks, entered by ops as
// `privacy-ops phone` does (POST /ops/requests, channel phone, the operator its audited actor).
// Every field SubmitRequest takes; the API's 422 reasons next to their fields (fields.js).

import { focusOn, opsCall, say, signedIn, words } from "./common.js";
import { clearErrors, fieldForm } from "./fields.js";

const form = document.getElementById("phone-form");
const changes = document.getElementById("ph-changes");
const MAX_CHANGES = 20;

const value = (id) => document.getElementById(id).value.trim();
const checked = (name) => [...form.querySelectorAll(`input[name=${name}]:checked`)].map((i) => i.value);

function numberChanges() {
  [...changes.children].forEach((row, n) => {
    row.dataset.field = `corrections.${n}`;
    row.querySelector("legend").textContent = `Change ${n + 1}`;
    for (const slot of row.querySelectorAll("[data-slot]")) {
      slot.dataset.field = `corrections.${n}.${slot.dataset.slot}`;
      const id = `ph-change-${n}-${slot.dataset.slot}`;
      slot.querySelector("[data-name]").id = id;
      slot.querySelector("label").setAttribute("for", id);
    }
    const remove = row.querySelector("[data-remove]");
    remove.hidden = changes.children.length === 1;
    remove.textContent = `Remove change ${n + 1}`;
  });
  document.getElementById("ph-add-change").hidden = changes.children.length >= MAX_CHANGES;
}

function addChange() {
  const row = document.getElementById("change-row").content.firstElementChild.cloneNode(true);
  row.querySelector("[data-remove]").addEventListener("click", () => {
    row.remove();
    numberChanges();
    focusOn(changes.lastElementChild.querySelector("select"));
  });
  changes.append(row);
  numberChanges();
  return row;
}

/** Shows the questions the chosen type and law ask, hides the others (their values are not sent). */
function showWhatApplies() {
  const type = value("ph-type");
  const show = (id, yes) => {
    document.getElementById(id).hidden = !yes;
  };
  show("ph-us-state-field", value("ph-jurisdiction") === "us_state");
  show("ph-scope", type === "access" || type === "portability");
  show("ph-declaration-field", (type === "access" || type === "portability") && checked("scope")[0] === "specific_pieces");
  show("ph-opt-out", type === "opt_out");
  show("ph-object", type === "objection");
  show("ph-withdraw", type === "withdraw_consent");
  show("ph-corrections", type === "correction");
  show("ph-requester", value("ph-role") !== "");
  if (type === "correction" && !changes.children.length) addChange();
}

/** The body of POST /ops/requests: only what applies, empty fields left out. */
function body() {
  const type = value("ph-type");
  const sent = { type, jurisdiction: value("ph-jurisdiction") };
  const optional = {
    email: value("ph-email"),
    phone: value("ph-phone"),
    phone_held_since: value("ph-held-since"),
    name: value("ph-name"),
    account_id: value("ph-account"),
    details: value("ph-details"),
    clarifies: value("ph-clarifies"),
  };
  for (const [name, text] of Object.entries(optional)) if (text) sent[name] = text;
  if (sent.jurisdiction === "us_state") sent.us_state = value("ph-us-state").toUpperCase();
  if (type === "access" || type === "portability") {
    const scope = checked("scope")[0];
    if (scope) sent.scope = scope; // not said: verification decides (categories or specific pieces)
    if (scope === "specific_pieces" && document.getElementById("ph-declaration").checked) sent.declaration = true;
  }
  if (type === "opt_out") sent.opt_out_of = checked("opt_out_of");
  if (type === "objection") sent.object_to = checked("object_to");
  if (type === "withdraw_consent") sent.consent_to_withdraw = checked("consent_to_withdraw");
  if (type === "correction") {
    sent.corrections = [...changes.children].map((row) => {
      const change = {};
      for (const input of row.querySelectorAll("[data-name]")) {
        const text = input.value.trim();
        if (text || input.dataset.name === "corrected") change[input.dataset.name] = text;
      }
      return change;
    });
  }
  const role = value("ph-role");
  if (role) {
    sent.requester = { role, name: value("ph-r-name") };
    if (value("ph-r-email")) sent.requester.email = value("ph-r-email");
    if (value("ph-r-phone")) sent.requester.phone = value("ph-r-phone");
    if (document.getElementById("ph-r-poa").checked) sent.requester.power_of_attorney = true;
  }
  return sent;
}

/** What the page can tell before sending (the API checks it all again). */
function check() {
  const holder = (field) => form.querySelector(`[data-field="${field}"]`);
  const refused = [];
  if (!value("ph-email") && !value("ph-phone")) {
    refused.push([holder("phone"), "Give the caller's phone or email (at least one): the request is verified through it"]);
  }
  const type = value("ph-type");
  const none = { opt_out: "opt_out_of", objection: "object_to", withdraw_consent: "consent_to_withdraw" }[type];
  if (none && !checked(none).length) refused.push([holder(none), "Tick at least one"]);
  if (value("ph-jurisdiction") === "us_state" && !/^[A-Za-z]{2}$/.test(value("ph-us-state"))) {
    refused.push([holder("us_state"), "Give the state's two-letter code, e.g. VA"]);
  }
  return refused;
}

function entered(acknowledgement) {
  const id = acknowledgement.request_id;
  document.getElementById("entered").hidden = false;
  document.getElementById("entered-summary").textContent =
    `${id}: ${words(acknowledgement.status)}, due ${acknowledgement.due_at}. ` +
    "The caller gets the acknowledgement and their status link by message.";
  const link = document.getElementById("entered-link");
  link.href = `request.html?id=${encodeURIComponent(id)}`;
  link.textContent = `Open request ${id}`;
  form.reset();
  changes.replaceChildren();
  clearErrors(form);
  showWhatApplies();
  say(`Entered ${id}.`);
  focusOn(document.getElementById("entered-title"));
}

if (await signedIn()) {
  form.addEventListener("change", showWhatApplies);
  document.getElementById("ph-add-change").addEventListener("click", () => {
    focusOn(addChange().querySelector("select"));
  });
  showWhatApplies();
  fieldForm(form, { check, send: () => opsCall("POST", "/ops/requests", body()), done: entered });
}
