// The yearly metrics (CCPA regulations §7102) from the ops API: per right, received, complied
// with in whole or in part, denied (and why), withdrawn, open, and the days to respond. The year
// and scope are in the address (?year=2026&scope=all), so a view can be shared.

import { el, errorSentence, opsCall, say, signedIn, words } from "./common.js";

const params = new URLSearchParams(window.location.search);
const year = /^\d{4}$/.test(params.get("year") || "") ? params.get("year") : String(new Date().getUTCFullYear());
const scope = params.get("scope") === "all" ? "all" : "california";

function days(value) {
  return value === null || value === undefined ? "—" : Number(value).toFixed(1);
}

async function loadMetrics() {
  const form = document.getElementById("metrics-form");
  form.elements.year.value = year;
  form.elements.scope.value = scope;
  const answer = await opsCall("GET", `/ops/metrics?year=${year}&scope=${scope}&format=json`);
  if (answer.status !== 200 || !answer.data || !Array.isArray(answer.data.rights)) {
    say(errorSentence(answer), { problem: true });
    return;
  }
  const metrics = answer.data;
  const who = metrics.scope === "all" ? "every law" : "the CCPA and California";
  document.getElementById("metrics-caption").textContent = `Requests received in ${metrics.year} under ${who}, per right`;
  document.querySelector("#metrics tbody").replaceChildren(
    ...metrics.rights.map((row) =>
      el(
        "tr",
        { dataset: { right: row.right } },
        el("th", { scope: "row" }, row.label),
        ...[row.received, row.complied_in_whole, row.complied_in_part, row.denied, row.withdrawn, row.open].map((n) => el("td", { class: "number" }, String(n))),
        el("td", { class: "number" }, days(row.median_days_to_respond)),
        el("td", { class: "number" }, days(row.mean_days_to_respond)),
      ),
    ),
  );
  const reasons = metrics.rights.flatMap((row) =>
    Object.entries(row.denial_reasons || {}).map(([reason, count]) => el("li", {}, `${row.label}: ${words(reason)}, ${count}`)),
  );
  document.getElementById("reasons").replaceChildren(...(reasons.length ? reasons : [el("li", {}, "No request was denied.")]));
}

if (await signedIn()) {
  await loadMetrics();
}
