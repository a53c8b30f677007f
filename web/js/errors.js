// Field errors and the error summary, the same way on every page:
// - each field has <p class="field-error" id="FIELD-error" hidden> inside its .field (or fieldset);
// - an invalid input gets aria-invalid="true" and the error's id in its aria-describedby;
// - a group (fieldset) gets the error's id in its aria-describedby, each of its inputs aria-invalid;
// - the summary (role="alert") lists links that move focus to the fields, and takes focus itself.

import { focusOn } from "./api.js";

function addToken(element, attribute, token) {
  const tokens = (element.getAttribute(attribute) || "").split(/\s+/).filter(Boolean);
  if (!tokens.includes(token)) tokens.push(token);
  element.setAttribute(attribute, tokens.join(" "));
}

function removeToken(element, attribute, token) {
  const tokens = (element.getAttribute(attribute) || "").split(/\s+/).filter((t) => t && t !== token);
  if (tokens.length) element.setAttribute(attribute, tokens.join(" "));
  else element.removeAttribute(attribute);
}

export class FieldErrors {
  /**
   * @param {Record<string, {input?: string, group?: string, label: string}>} fields
   *   field name -> the id of its input (or of its fieldset, for a group) and how the summary names it
   * @param {HTMLElement|null} summary the error summary container (role="alert", tabindex="-1")
   */
  constructor(fields, summary) {
    this.fields = fields;
    this.summary = summary;
    this.shown = [];
  }

  /** The element that takes focus for a field: the input, or a group's checked/first input. */
  focusTarget(name) {
    const spec = this.fields[name];
    if (!spec) return null;
    if (spec.input) return document.getElementById(spec.input);
    const group = document.getElementById(spec.group);
    return group && (group.querySelector("input:checked") || group.querySelector("input, select, textarea"));
  }

  clear() {
    for (const name of this.shown) {
      const spec = this.fields[name];
      const error = document.getElementById(`${name}-error`);
      if (error) {
        error.textContent = "";
        error.hidden = true;
      }
      const holder = document.getElementById(spec.input || spec.group);
      if (!holder) continue;
      holder.closest(".field, fieldset")?.classList.remove("has-error");
      if (spec.input) {
        holder.removeAttribute("aria-invalid");
        removeToken(holder, "aria-describedby", `${name}-error`);
      } else {
        removeToken(holder, "aria-describedby", `${name}-error`);
        holder.querySelectorAll("input").forEach((input) => input.removeAttribute("aria-invalid"));
      }
    }
    this.shown = [];
    if (this.summary) {
      this.summary.hidden = true;
      const list = this.summary.querySelector("ul");
      if (list) list.replaceChildren();
    }
  }

  /** Shows one message next to its field; false when the page has no such field. */
  set(name, message) {
    const spec = this.fields[name];
    const error = document.getElementById(`${name}-error`);
    const holder = spec && document.getElementById(spec.input || spec.group);
    if (!spec || !error || !holder) return false;
    const hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = "Error: ";
    error.replaceChildren(hidden, document.createTextNode(message));
    error.hidden = false;
    holder.closest(".field, fieldset")?.classList.add("has-error");
    addToken(holder, "aria-describedby", `${name}-error`);
    if (spec.input) holder.setAttribute("aria-invalid", "true");
    else holder.querySelectorAll("input").forEach((input) => input.setAttribute("aria-invalid", "true"));
    if (!this.shown.includes(name)) this.shown.push(name);
    return true;
  }

  /**
   * Shows every problem next to its field and lists them in the summary, which takes focus.
   * @param {{field: string|null, message: string}[]} problems field null: the summary alone
   */
  show(problems) {
    this.clear();
    const list = this.summary.querySelector("ul");
    for (const problem of problems) {
      const item = document.createElement("li");
      const placed = problem.field ? this.set(problem.field, problem.message) : false;
      if (placed) {
        const link = document.createElement("a");
        const target = this.focusTarget(problem.field);
        link.href = `#${target ? target.id : ""}`;
        link.textContent = problem.message;
        link.addEventListener("click", (event) => {
          event.preventDefault();
          const spec = this.fields[problem.field];
          const where = document.getElementById(spec.input || spec.group);
          const label = spec.input
            ? document.querySelector(`label[for="${spec.input}"]`)
            : where.querySelector("legend");
          (label || where).scrollIntoView({ block: "start" });
          this.focusTarget(problem.field)?.focus({ preventScroll: true });
        });
        item.append(link);
      } else {
        item.textContent = problem.message;
      }
      list.append(item);
    }
    this.summary.hidden = false;
    focusOn(this.summary);
  }
}
