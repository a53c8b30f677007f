// Retention: the dry run of the daily retention run (GET /ops/retention, as `privacy-ops
// retention`): the closed requests whose record (request, ledger, audit trail) it would remove
// now, and those a legal hold keeps. Counts, ids and dates only: nothing personal.

import { el, errorSentence, focusOn, latestOnly, moment, opsCall, say, signedIn } from "./common.js";

const fetchReport = latestOnly(() => opsCall("GET", "/ops/retention"));

function requestLink(requestId) {
  return el("a", { href: `request.html?id=${encodeURIComponent(requestId)}` }, requestId);
}

function plural(count, one, many) {
  return `${count} ${count === 1 ? one : many}`;
}

async function loadReport() {
  const answer = await fetchReport();
  if (answer === null) return false; // a later load answers
  if (answer.status !== 200 || !answer.data) {
    say(errorSentence(answer), { problem: true });
    return false;
  }
  const report = answer.data;
  const due = report.due || [];
  const held = report.held || [];
  const row = (term, value) => el("div", {}, el("dt", {}, term), el("dd", {}, value));
  document.getElementById("retention-summary").replaceChildren(
    row("Asked", moment(report.now)),
    row("Kept after closing", `${report.months} months`),
    row("Would be removed now", plural(due.length, "record", "records")),
    row("Kept by a legal hold", plural(held.length, "record", "records")),
    row("No longer due when read", plural(report.skipped || 0, "record (re-opened or changed)", "records (re-opened or changed)")),
  );
  document.getElementById("retention-more").hidden = !report.more;
  document.getElementById("due-caption").textContent = due.length
    ? `${plural(due.length, "record", "records")} the run would remove (request, ledger, audit trail)`
    : `No record is due for removal (${report.months} months after closing).`;
  const none = (columns, text) => [el("tr", {}, el("td", { colspan: String(columns) }, text))];
  document.querySelector("#due tbody").replaceChildren(
    ...(due.length ? [] : none(4, "None.")),
    ...due.map((record) =>
      el(
        "tr",
        { dataset: { requestId: record.request_id } },
        el("td", {}, requestLink(record.request_id)),
        el("td", {}, moment(record.closed_at)),
        el("td", {}, moment(record.expires_at)),
        el("td", {}, record.expiring ? "begun: the next run finishes it" : "not begun"),
      ),
    ),
  );
  document.getElementById("held-caption").textContent = held.length
    ? `${plural(held.length, "record", "records")} due but kept by a legal hold`
    : "No due record is kept by a legal hold.";
  document.querySelector("#held tbody").replaceChildren(
    ...(held.length ? [] : none(1, "None.")),
    ...held.map((requestId) => el("tr", { dataset: { requestId } }, el("td", {}, requestLink(requestId)))),
  );
  return true;
}

if (await signedIn()) {
  document.getElementById("refresh").addEventListener("click", async () => {
    if (await loadReport()) {
      say("Asked again: nothing was removed.");
      focusOn(document.getElementById("due-caption"));
    }
  });
  await loadReport();
}
