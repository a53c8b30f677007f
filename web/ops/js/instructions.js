// Business customers' pending instructions: the requests parked until a business customer whose
// standing instruction is "ask" answers through the customer API. Which business was told and
// has not answered comes from the request's ledger (customer_told:<tenant> without
// customer:<tenant>); its name and privacy contact from the customer registry.

import { el, errorSentence, moment, opsCall, say, signedIn, words } from "./common.js";

const TOLD = "customer_told:";
const ANSWERED = "customer:";
const customers = new Map();

async function customer(tenantId) {
  if (!customers.has(tenantId)) {
    const answer = await opsCall("GET", `/ops/customers/${encodeURIComponent(tenantId)}`);
    customers.set(tenantId, answer.status === 200 && answer.data ? answer.data : { tenant_id: tenantId, name: tenantId });
  }
  return customers.get(tenantId);
}

/** The businesses told about the request that have not answered yet. */
function unanswered(detail) {
  const steps = new Set(detail.completed_steps || []);
  return [...steps].filter((step) => step.startsWith(TOLD)).map((step) => step.slice(TOLD.length)).filter((tenant) => !steps.has(ANSWERED + tenant));
}

async function rowsFor(row) {
  const answer = await opsCall("GET", `/ops/requests/${encodeURIComponent(row.request_id)}`);
  if (answer.status !== 200 || !answer.data) return [];
  const tenants = unanswered(answer.data);
  const businesses = await Promise.all(tenants.map(customer));
  return businesses.map((business) =>
    el(
      "tr",
      { dataset: { requestId: row.request_id, tenantId: business.tenant_id } },
      el("td", {}, el("a", { href: `request.html?id=${encodeURIComponent(row.request_id)}` }, row.request_id)),
      el("td", {}, words(row.type)),
      el("td", {}, `${business.name} (${business.tenant_id})`),
      el("td", {}, business.privacy_email ? el("a", { href: `mailto:${business.privacy_email}` }, business.privacy_email) : "no privacy contact on file"),
      el("td", {}, moment(row.status_changed_at)),
      el("td", {}, el("time", { datetime: row.due_at }, row.due_at)),
    ),
  );
}

async function loadPending() {
  const answer = await opsCall("GET", "/ops/requests?status=in_progress&waiting_for=customer&limit=500");
  if (answer.status !== 200 || !Array.isArray(answer.data)) {
    say(errorSentence(answer), { problem: true });
    return;
  }
  const waiting = [...answer.data].sort((a, b) => String(a.status_changed_at).localeCompare(String(b.status_changed_at)));
  const rows = (await Promise.all(waiting.map(rowsFor))).flat();
  document.getElementById("instructions-caption").textContent = rows.length
    ? `${waiting.length} request${waiting.length === 1 ? "" : "s"} waiting for a business, oldest first`
    : "No request is waiting for a business customer's answer.";
  document.querySelector("#instructions tbody").replaceChildren(...rows);
}

if (await signedIn()) await loadPending();
