// Forms whose every field may be refused: the API's 422 reasons shown next to their fields (as the
// public form does), the field marked aria-invalid and tied to its reason by aria-describedby, the
// focus on the first one. A field is an element with data-field="name" (a dotted path for nested
// values: "requester.email", "corrections.0.corrected") holding its own <p class="field-error">;
// the form's first <p class="field-error"> (a direct child) takes what belongs to no field.

import { errorSentence, focusOn } from "./common.js";

let made = 0;

function controlsOf(holder) {
  return [...holder.querySelectorAll("input, select, textarea")].filter((c) => c.closest("[data-field]") === holder);
}

function errorOf(holder) {
  return holder.querySelector(":scope > .field-error");
}

function describe(control, id, add) {
  const tokens = (control.getAttribute("aria-describedby") || "").split(/\s+/).filter((t) => t && t !== id);
  if (add) tokens.push(id);
  if (tokens.length) control.setAttribute("aria-describedby", tokens.join(" "));
  else control.removeAttribute("aria-describedby");
}

/** Clears every field's reason and the form's own. */
export function clearErrors(form) {
  for (const holder of form.querySelectorAll("[data-field].has-error")) {
    holder.classList.remove("has-error");
    const error = errorOf(holder);
    if (error) {
      error.hidden = true;
      error.textContent = "";
      for (const control of controlsOf(holder)) {
        control.removeAttribute("aria-invalid");
        describe(control, error.id, false);
      }
      if (holder.tagName === "FIELDSET") describe(holder, error.id, false);
    }
  }
  const general = form.querySelector(":scope > .field-error");
  if (general) {
    general.hidden = true;
    general.textContent = "";
  }
}

/** The holder of an API field path ("body.requester.email"): the deepest one the form has; for a
 * reason about the whole body, the field the reason names (e.g. "(opt_out_of)"). */
function holderFor(form, path) {
  const parts = String(path || "").replace(/^(body|query)\.?/, "").split(".").filter(Boolean);
  for (let n = parts.length; n > 0; n -= 1) {
    const found = form.querySelector(`[data-field="${CSS.escape(parts.slice(0, n).join("."))}"]`);
    if (found && !found.closest("[hidden]")) return found;
  }
  return null;
}

function namedIn(form, reason, prefix) {
  const names = [...form.querySelectorAll("[data-field]")]
    .filter((h) => !h.closest("[hidden]"))
    .map((h) => h.dataset.field)
    .filter((name) => name.startsWith(prefix) && !name.slice(prefix.length).includes("."))
    .sort((a, b) => b.length - a.length);
  const text = ` ${reason} `;
  const found = names.find((name) => {
    const last = name.slice(prefix.length);
    return new RegExp(`[^a-z_]${last}[^a-z_]`).test(text);
  });
  return found ? form.querySelector(`[data-field="${CSS.escape(found)}"]`) : null;
}

/** Shows one reason next to its field; false when the form has no such field. */
export function showError(form, holder, reason) {
  const error = holder && errorOf(holder);
  if (!error) return false;
  if (!error.id) {
    made += 1;
    error.id = `field-error-${made}`;
  }
  const already = error.hidden ? "" : `${error.textContent} `;
  error.textContent = `${already}${reason.replace(/\.?$/, ".")}`;
  error.hidden = false;
  holder.classList.add("has-error");
  for (const control of controlsOf(holder)) {
    control.setAttribute("aria-invalid", "true");
    describe(control, error.id, true);
  }
  if (holder.tagName === "FIELDSET") describe(holder, error.id, true);
  return true;
}

function firstControl(holder) {
  const controls = controlsOf(holder);
  return controls.find((c) => c.checked) || controls[0] || holder;
}

/** Puts an API answer's reasons in place: per field when it names them, else the form's own
 * line (errorSentence). Focus goes to the first field in the page's order, or to that line. */
export function showAnswerErrors(form, answer) {
  const placed = [];
  const unplaced = [];
  const reasons = answer.status === 422 && answer.data && Array.isArray(answer.data.errors) ? answer.data.errors : [];
  for (const item of reasons) {
    const path = String(item.field || "");
    let holder = holderFor(form, path);
    const bare = path.replace(/^(body|query)\.?/, "");
    if (holder && holder.querySelector("[data-field]")) {
      // a reason about a group as a whole (e.g. "requester"): the member it names, if any
      holder = namedIn(form, item.reason, `${holder.dataset.field}.`) || holder;
    }
    if (!holder && !bare) holder = namedIn(form, item.reason, "");
    // "corrected: not a valid email address" next to "corrected" needs no field name
    const last = holder ? holder.dataset.field.split(".").pop() : "";
    const reason = String(item.reason || "not valid").replace(new RegExp(`^${last}: `), "");
    if (holder && showError(form, holder, reason)) placed.push(holder);
    else unplaced.push(item);
  }
  const general = form.querySelector(":scope > .field-error");
  if (!placed.length || unplaced.length) {
    general.textContent = placed.length
      ? `Also: ${unplaced.map((e) => `${String(e.field || "").replace(/^(body|query)\.?/, "") || "the request"}: ${e.reason}`).join("; ")}.`
      : errorSentence(answer);
    general.hidden = false;
  }
  if (placed.length) {
    placed.sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
    focusOn(firstControl(placed[0]));
  } else {
    focusOn(general);
  }
}

/**
 * A submit handler for such a form: `check()` may refuse before sending (it returns
 * [[holder, reason], ...]); `send()` returns an API answer; `done(data)` takes a 2xx's.
 */
export function fieldForm(form, { check = () => [], send, done }) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const refused = check().filter(([holder]) => holder);
    if (refused.length) {
      for (const [holder, reason] of refused) showError(form, holder, reason);
      focusOn(firstControl(refused[0][0]));
      return;
    }
    form.setAttribute("aria-busy", "true");
    const answer = await send();
    form.removeAttribute("aria-busy");
    if (answer.status >= 200 && answer.status < 300) {
      await done(answer.data);
    } else {
      showAnswerErrors(form, answer);
    }
  });
}

/** The reason the audit keeps: at least five characters (as every action form asks). */
export function reasonCheck(form) {
  const holder = form.querySelector("[data-field=reason]");
  const reason = holder && holder.querySelector("textarea, input");
  if (reason && reason.value.trim().length < 5) {
    return [[holder, "Give the reason (at least five characters): the audit trail keeps it"]];
  }
  return [];
}
