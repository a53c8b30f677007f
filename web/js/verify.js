// verify.html: one code at a time (or a fact about a recent call) for the request in the hash
// (#request=...&token=...: the status token, sent only in the Authorization header).
// POST /requests/{id}/verify -> 200 {verified, pending, proven} | 400 wrong | 410 expired (a new
// code is on its way) | 429 locked | 404 unknown request or wrong token.

import { callApi, focusOn, hashParams, requestPath } from "./api.js";
import { FieldErrors } from "./errors.js";

const FIELDS = {
  code: { input: "code" },
  recent_call_month: { input: "recent_call_month" },
  business: { input: "business" },
};
const NAMES = { email: "email", phone: "phone" };
const CODE_SHAPE = /^\d{6}$/;
const MONTH_SHAPE = /^\d{4}-(0[1-9]|1[0-2])$/;

const codeForm = document.getElementById("code-form");
const factForm = document.getElementById("fact-form");
const codeInput = document.getElementById("code");
const problem = document.getElementById("problem");
const progress = document.getElementById("progress");
const errors = new FieldErrors(FIELDS, null);
const requestId = hashParams().get("request") || "";
const token = hashParams().get("token") || "";
let busy = false;

function showProblem(message, { focus = true } = {}) {
  problem.textContent = message;
  problem.hidden = false;
  if (focus) focusOn(problem);
}

function clearMessages() {
  problem.hidden = true;
  problem.textContent = "";
  errors.clear();
}

function stopAsking() {
  codeForm.hidden = true;
  factForm.hidden = true;
}

function showMissing() {
  stopAsking();
  document.getElementById("intro").hidden = true;
  document.getElementById("reference").hidden = true;
  progress.textContent = "";
  const missing = document.getElementById("missing");
  missing.hidden = false;
  focusOn(document.getElementById("missing-title"));
}

function listWords(words) {
  return words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

function showResult(result) {
  if (result.verified) {
    stopAsking();
    document.getElementById("intro").hidden = true;
    progress.textContent = "";
    document.getElementById("verified").hidden = false;
    document.title = "Verified – CallX privacy request";
    focusOn(document.getElementById("verified-title"));
    return;
  }
  const pending = Array.isArray(result.pending) ? result.pending : [];
  const proven = (Array.isArray(result.proven) ? result.proven : []).filter((kind) => NAMES[kind]);
  const codes = pending.filter((kind) => NAMES[kind]);
  const needFact = pending.includes("fact");
  const sentences = [
    proven.length
      ? `Thank you: your ${listWords(proven.map((kind) => NAMES[kind]))} ${proven.length > 1 ? "are" : "is"} confirmed.`
      : "Thank you: that code is right.",
  ];
  if (codes.length) {
    sentences.push(`We also sent a code to your ${listWords(codes.map((kind) => NAMES[kind]))}: enter it below.`);
  }
  if (needFact) {
    sentences.push(
      `We ${codes.length ? "also " : ""}need one more piece of information: answer the questions about a recent call.`,
    );
  }
  progress.textContent = sentences.join(" ");
  codeInput.value = "";
  codeForm.hidden = codes.length === 0;
  factForm.hidden = !needFact;
  if (codes.length) codeInput.focus();
  else if (needFact) document.getElementById("recent_call_month").focus();
}

/** Answers that are not a 200: the same words for a code and for a fact, except where noted. */
function showRefusal(status, data, field) {
  if (status === 400) {
    errors.set(
      field,
      field === "code"
        ? "That code is not right. Check it and try again."
        : "Enter the code we sent to your phone first; your answers about a call count after that.",
    );
    document.getElementById(FIELDS[field].input).focus();
  } else if (status === 410) {
    codeInput.value = "";
    showProblem("This code has expired; we have sent a new one.");
  } else if (status === 429) {
    stopAsking();
    showProblem("Too many attempts; this request is locked for now.");
  } else if (status === 404) {
    showMissing();
  } else if (status === 409) {
    showProblem("Your codes are still on their way. Wait a minute, then try again.");
  } else if (status === 422) {
    const reasons = Array.isArray(data?.errors) ? data.errors : [];
    let placed = false;
    for (const reason of reasons) {
      const name = String(reason.field || "").split(".").at(-1);
      if (FIELDS[name]) placed = errors.set(name, "This is not valid. Check it and try again.") || placed;
    }
    if (!placed) errors.set(field, field === "code" ? "Enter the 6 digits of your code." : "Check your answers.");
  } else {
    showProblem("Something went wrong on our side. Please try again in a few minutes.");
  }
}

async function send(body, field) {
  busy = true;
  try {
    const { status, data } = await callApi("POST", requestPath(requestId, "/verify"), { body, token });
    if (status === 200 && data) showResult(data);
    else showRefusal(status, data, field);
  } catch {
    showProblem("We could not reach our server. Check your connection, then try again.");
  } finally {
    busy = false;
  }
}

codeForm.addEventListener("submit", (event) => {
  event.preventDefault();
  if (busy) return;
  clearMessages();
  const code = codeInput.value.replace(/[\s-]/g, "");
  if (!CODE_SHAPE.test(code)) {
    errors.set("code", "Enter the 6 digits of your code.");
    codeInput.focus();
    return;
  }
  send({ code }, "code");
});

factForm.addEventListener("submit", (event) => {
  event.preventDefault();
  if (busy) return;
  clearMessages();
  const month = document.getElementById("recent_call_month").value.trim();
  const business = document.getElementById("business").value.trim();
  let first = null;
  if (!MONTH_SHAPE.test(month)) {
    errors.set("recent_call_month", "Enter the month of the call, for example 2026-03.");
    first = first || "recent_call_month";
  }
  if (business.length < 2 || business.length > 120) {
    errors.set("business", "Enter the name of the business you called.");
    first = first || "business";
  }
  if (first) {
    document.getElementById(first).focus();
    return;
  }
  send({ fact: { recent_call_month: month, business } }, "business");
});

if (requestId && token) {
  document.getElementById("request-id").textContent = requestId;
  document.getElementById("reference").hidden = false;
  codeForm.hidden = false;
} else {
  showMissing();
}
