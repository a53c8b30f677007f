// The queue: requests by status, type, law and due date, soonest due first (overdue, then due
// within two days). The filters live in the address (?status=failed&type=deletion&page=2).

import { daysUntil, el, errorSentence, moment, opsCall, say, signedIn, words } from "./common.js";

const PAGE_SIZE = 50;
const DUE_SOON_DAYS = 2;

function filters() {
  const params = new URLSearchParams(window.location.search);
  const form = document.getElementById("filters");
  for (const name of ["status", "type", "jurisdiction", "due", "stuck"]) {
    const field = form.elements[name];
    if (field && params.get(name)) field.value = params.get(name);
  }
  return params;
}

function apiQuery(params) {
  const query = new URLSearchParams();
  for (const name of ["status", "type", "jurisdiction"]) if (params.get(name)) query.set(name, params.get(name));
  const due = params.get("due");
  if (due === "overdue") query.set("overdue", "true");
  else if (/^\d+$/.test(due || "")) query.set("due_within_days", due);
  if (/^\d+$/.test(params.get("stuck") || "")) query.set("stuck_for_hours", params.get("stuck"));
  const page = Math.max(1, Number.parseInt(params.get("page") || "1", 10) || 1);
  query.set("limit", String(PAGE_SIZE + 1)); // one more: whether a next page exists
  if (page > 1) query.set("offset", String((page - 1) * PAGE_SIZE));
  return { query, page };
}

function dueCell(isoDay) {
  const days = daysUntil(isoDay);
  const cell = el("td", {}, el("time", { datetime: isoDay }, isoDay));
  if (days < 0) cell.append(" ", el("span", { class: "badge overdue" }, `Overdue ${-days} d`));
  else if (days <= DUE_SOON_DAYS) cell.append(" ", el("span", { class: "badge soon" }, days === 0 ? "Due today" : `Due in ${days} d`));
  return cell;
}

function pageLink(id, params, page) {
  const link = document.getElementById(id);
  const next = new URLSearchParams(params);
  next.set("page", String(page));
  link.href = `index.html?${next}`;
  link.hidden = false;
}

async function load() {
  const params = filters();
  const { query, page } = apiQuery(params);
  const answer = await opsCall("GET", `/ops/requests?${query}`);
  if (answer.status !== 200 || !Array.isArray(answer.data)) {
    say(errorSentence(answer), { problem: true });
    return;
  }
  const more = answer.data.length > PAGE_SIZE;
  const rows = answer.data.slice(0, PAGE_SIZE);
  // Overdue and due soon first: the API sorts by due date, soonest (most overdue) first.
  const body = rows.map((row) =>
    el(
      "tr",
      { dataset: { requestId: row.request_id } },
      el("td", {}, el("a", { href: `request.html?id=${encodeURIComponent(row.request_id)}` }, row.request_id)),
      el("td", {}, words(row.type)),
      el("td", {}, words(row.jurisdiction).toUpperCase()),
      el("td", {}, words(row.channel)),
      el("td", {}, words(row.status)),
      dueCell(row.due_at),
      el("td", {}, moment(row.status_changed_at)),
      el("td", {}, row.failed_step || ""),
    ),
  );
  document.querySelector("#queue tbody").replaceChildren(...body);
  const first = (page - 1) * PAGE_SIZE + 1;
  document.getElementById("queue-caption").textContent = rows.length
    ? `Requests ${first} to ${first + rows.length - 1}${more ? "" : " (the last page)"}`
    : "No requests match these filters.";
  if (page > 1) pageLink("previous", params, page - 1);
  if (more) pageLink("next", params, page + 1);
  await showClocks();
  const notices = await opsCall("GET", "/ops/notices");
  const held = notices.status === 200 && Array.isArray(notices.data) ? notices.data : [];
  document.getElementById("notices").replaceChildren(
    ...(held.length
      ? held.map((n) =>
          el(
            "li",
            {},
            el("a", { href: `request.html?id=${encodeURIComponent(n.request_id)}` }, n.request_id),
            ` ${words(n.notice)}: unsent since ${moment(n.since)}, ${n.needs === "retry" ? "held for a retry" : "a person decides"}.`,
          ),
        )
      : [el("li", {}, "Every notice was delivered.")]),
  );
}

const CLOCKS = {
  acknowledgement: "Acknowledgement",
  response: "Response",
  extension_notice: "Extension notice",
  appeal_decision: "Appeal decision",
};

// What `privacy-ops deadlines` prints: the sweep's clocks, overdue first (the API's order).
async function showClocks() {
  const answer = await opsCall("GET", "/ops/deadlines");
  const caption = document.getElementById("clocks-caption");
  const clocks = answer.status === 200 && Array.isArray(answer.data?.clocks) ? answer.data.clocks : null;
  if (clocks === null) {
    document.querySelector("#clocks tbody").replaceChildren();
    caption.textContent =
      answer.status === 200
        ? "The legal clocks could not be read: the ops API's answer has no clocks."
        : `The legal clocks could not be read: ${errorSentence(answer)}`;
    return;
  }
  document.querySelector("#clocks tbody").replaceChildren(
    ...clocks.map((clock) =>
      el(
        "tr",
        { dataset: { requestId: clock.request_id, clock: clock.kind } },
        el("td", {}, el("a", { href: `request.html?id=${encodeURIComponent(clock.request_id)}` }, clock.request_id)),
        el("td", {}, CLOCKS[clock.kind] || words(clock.kind)),
        el("td", {}, clock.due),
        el("td", {}, el("span", { class: `badge ${clock.state === "overdue" ? "overdue" : "soon"}` }, clock.state === "overdue" ? "Overdue" : "Due soon")),
        el("td", {}, words(clock.status)),
        el("td", {}, words(clock.jurisdiction).toUpperCase()),
      ),
    ),
  );
  caption.textContent = clocks.length
    ? `${clocks.length} clock(s) as of ${answer.data.today}`
    : `No clock is overdue or due within two business days (as of ${answer.data.today}).`;
}

if (await signedIn()) await load();
