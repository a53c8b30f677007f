// Business customers (tenants), as `privacy-ops customers` shows them: the list, one customer
// (contact, standing instruction, principals), and onboarding one with the reason the audit
// keeps. The API's 422 reasons are shown next to their fields (fields.js); a conflict (the tenant
// exists, a principal speaks for another) as one sentence.

import { el, errorSentence, focusOn, latestOnly, moment, opsCall, say, signedIn } from "./common.js";
import { fieldForm, reasonCheck } from "./fields.js";

const INSTRUCTIONS = {
  fulfil: "fulfil (we answer)",
  forward: "forward (we pass it on)",
  ask: "ask (it decides each time)",
};

const fetchList = latestOnly(() => opsCall("GET", "/ops/customers"));

function tenantUrl(tenantId) {
  return `customers.html?tenant=${encodeURIComponent(tenantId)}`;
}

async function loadList() {
  const answer = await fetchList();
  if (answer === null) return; // a later load answers
  if (answer.status !== 200 || !Array.isArray(answer.data)) {
    say(errorSentence(answer), { problem: true });
    return;
  }
  const count = answer.data.length;
  document.getElementById("customers-caption").textContent = count
    ? `${count} customer${count === 1 ? "" : "s"} onboarded`
    : "No customer is onboarded yet.";
  document.querySelector("#customers tbody").replaceChildren(
    ...answer.data.map((row) => {
      const link = el("a", { href: tenantUrl(row.tenant_id) }, "Show", el("span", { class: "visually-hidden" }, ` ${row.name}`));
      link.addEventListener("click", (event) => {
        event.preventDefault();
        window.history.pushState(null, "", link.href);
        showCustomer(row.tenant_id);
      });
      return el(
        "tr",
        { dataset: { tenantId: row.tenant_id } },
        el("td", {}, row.tenant_id),
        el("td", {}, row.name),
        el("td", {}, INSTRUCTIONS[row.instruction] || row.instruction),
        el("td", { class: "number" }, String(row.principals)),
        el("td", {}, row.webhook ? "yes" : "no"),
        el("td", {}, link),
      );
    }),
  );
}

async function showCustomer(tenantId) {
  const answer = await opsCall("GET", `/ops/customers/${encodeURIComponent(tenantId)}`);
  if (answer.status !== 200 || !answer.data) {
    say(errorSentence(answer), { problem: true });
    return;
  }
  const customer = answer.data;
  const row = (term, value) => el("div", {}, el("dt", {}, term), el("dd", {}, value));
  document.getElementById("customer").hidden = false;
  document.getElementById("customer-title").textContent = `${customer.name} (${customer.tenant_id})`;
  document.getElementById("customer-summary").replaceChildren(
    row("Standing instruction", INSTRUCTIONS[customer.instruction] || customer.instruction),
    row("Privacy contact", customer.privacy_email ? el("a", { href: `mailto:${customer.privacy_email}` }, customer.privacy_email) : "none"),
    row("Webhook", customer.webhook_url || "none"),
    row("Tracking line", customer.tracking_number || "none"),
    row("Onboarded", customer.added_at ? `${moment(customer.added_at)} by ${customer.added_by || "?"}` : "before onboarding was audited"),
  );
  const principals = customer.principal_arns || [];
  document.getElementById("customer-principals").replaceChildren(
    ...(principals.length ? principals.map((arn) => el("li", {}, el("code", {}, arn))) : [el("li", {}, "None: nobody can answer for it on the customer API.")]),
  );
  focusOn(document.getElementById("customer-title"));
}

function addBody(form) {
  const text = (name) => form.elements[name].value.trim();
  const body = {
    tenant_id: text("tenant_id"),
    name: text("name"),
    privacy_email: text("privacy_email"),
    instruction: form.querySelector("input[name=instruction]:checked")?.value || "fulfil",
    principal_arns: text("principal_arns").split(/\s+/).filter(Boolean),
    reason: text("reason"),
  };
  if (text("webhook_url")) body.webhook_url = text("webhook_url");
  if (text("tracking_number")) body.tracking_number = text("tracking_number");
  return body;
}

if (await signedIn()) {
  const form = document.getElementById("add-form");
  fieldForm(form, {
    check: () => reasonCheck(form),
    send: () => opsCall("POST", "/ops/customers", addBody(form)),
    done: async (customer) => {
      form.reset();
      window.history.pushState(null, "", tenantUrl(customer.tenant_id));
      await loadList();
      await showCustomer(customer.tenant_id);
      say(`Onboarded ${customer.name} (${customer.tenant_id}).`);
    },
  });
  await loadList();
  const tenant = new URLSearchParams(window.location.search).get("tenant");
  if (tenant) await showCustomer(tenant);
  window.addEventListener("popstate", () => {
    const shown = new URLSearchParams(window.location.search).get("tenant");
    if (shown) showCustomer(shown);
    else document.getElementById("customer").hidden = true;
  });
}
