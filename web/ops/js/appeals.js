// Appeals awaiting a decision (US state laws): the appealed requests, soonest appeal due first.
// One opened (?request=ID, so a link can be shared) shows the answer appealed and what the person
// wrote, and decides it: granted or denied, with the written explanation the person reads and
// the reason the audit keeps.

import { actionForm, daysUntil, el, errorSentence, focusOn, latestOnly, moment, opsCall, say, signedIn, words } from "./common.js";

const chosen = new URLSearchParams(window.location.search).get("request") || "";

function dueCell(isoDay) {
  const cell = el("td", {}, el("time", { datetime: isoDay }, isoDay));
  const days = daysUntil(isoDay);
  if (days < 0) cell.append(" ", el("span", { class: "badge overdue" }, `Late by ${-days} d`));
  else if (days <= 7) cell.append(" ", el("span", { class: "badge soon" }, days === 0 ? "Due today" : `Due in ${days} d`));
  return cell;
}

const fetchAppeals = latestOnly(() => opsCall("GET", "/ops/requests?status=appealed&limit=500"));

async function loadAppeals() {
  const answer = await fetchAppeals();
  if (answer === null) return; // a later load answers
  if (answer.status !== 200 || !Array.isArray(answer.data)) {
    say(errorSentence(answer), { problem: true });
    return;
  }
  const appeals = [...answer.data].sort((a, b) => String(a.appeal_due || a.due_at).localeCompare(String(b.appeal_due || b.due_at)));
  document.getElementById("appeals-caption").textContent = appeals.length
    ? `${appeals.length} appeal${appeals.length === 1 ? "" : "s"} awaiting a decision, soonest due first`
    : "No appeal is awaiting a decision.";
  document.querySelector("#appeals tbody").replaceChildren(
    ...appeals.map((row) =>
      el(
        "tr",
        { dataset: { requestId: row.request_id } },
        el("td", { class: "reference" }, row.request_id),
        el("td", {}, words(row.type)),
        el("td", {}, words(row.jurisdiction)),
        el("td", {}, moment(row.status_changed_at)),
        dueCell(row.appeal_due || row.due_at),
        el("td", {}, el("a", { href: `appeals.html?request=${encodeURIComponent(row.request_id)}` }, "Decide", el("span", { class: "visually-hidden" }, ` the appeal on ${row.request_id}`))),
      ),
    ),
  );
}

function denialText(denial) {
  if (!denial) return "(no refusal recorded)";
  const parts = [words(denial.reason)];
  if (denial.exemption) parts.push(`exception: ${denial.exemption}`);
  if (denial.detail) parts.push(`“${denial.detail}”`);
  return parts.join("; ");
}

async function openAppeal() {
  const answer = await opsCall("GET", `/ops/requests/${encodeURIComponent(chosen)}`);
  if (answer.status !== 200 || !answer.data) {
    say(errorSentence(answer), { problem: true });
    return;
  }
  const detail = answer.data;
  const appeal = detail.appeal;
  const panel = document.getElementById("appeal");
  panel.hidden = false;
  document.getElementById("appeal-title").textContent = `Appeal on request ${detail.request_id}`;
  document.getElementById("appeal-request").href = `request.html?id=${encodeURIComponent(detail.request_id)}`;
  document.getElementById("appeal-denial").textContent = denialText(detail.denial);
  document.getElementById("appeal-statement").textContent = appeal?.statement || "(nothing written)";
  document.getElementById("appeal-filed").textContent = appeal ? `${moment(appeal.filed_at)}${appeal.via ? ` (${words(appeal.via)})` : ""}` : "";
  document.getElementById("appeal-due").textContent = appeal ? appeal.due : "";
  const form = document.getElementById("decide-form");
  if (!appeal || appeal.decision) {
    form.hidden = true;
    say(appeal ? `This appeal was ${appeal.decision} on ${moment(appeal.decided_at)}: “${appeal.explanation}”` : `Request ${detail.request_id} has no appeal.`);
  }
  focusOn(document.getElementById("appeal-title"));
}

if (await signedIn()) {
  actionForm(
    document.getElementById("decide-form"),
    (values) => opsCall("POST", `/ops/requests/${encodeURIComponent(chosen)}/appeal`, values),
    async (result) => {
      document.getElementById("appeal").hidden = true;
      await loadAppeals();
      const late = result.late ? " It was decided after its due date." : "";
      say(`Appeal ${result.decision}: the request is ${words(result.status)}; the notice: ${words(result.notice)}.${late} Next: ${result.next}.`);
      focusOn(document.getElementById("message"));
    },
  );
  await loadAppeals();
  if (chosen) await openAppeal();
}
