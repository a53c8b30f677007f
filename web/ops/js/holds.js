// Legal holds: the holds in force (or all of them), place one, release one; each with the
// reason the audit keeps. A hold covers keyed hashes of a person's identifiers, never the
// identifiers themselves, so the list shows the matter and what kind of scope it holds.

import { actionForm, el, errorSentence, focusOn, latestOnly, moment, opsCall, say, signedIn } from "./common.js";

const all = new URLSearchParams(window.location.search).get("all") === "true";
let releasing = "";

function covers(hold) {
  if (hold.tenant_id) return `business customer ${hold.tenant_id}`;
  const count = (hold.subject_keys || []).length;
  return `a person (${count} identifier${count === 1 ? "" : "s"})`;
}

const fetchHolds = latestOnly(() => opsCall("GET", `/ops/holds${all ? "?all=true" : ""}`));

async function loadHolds() {
  document.getElementById("h-all").checked = all;
  const answer = await fetchHolds();
  if (answer === null) return; // a later load answers
  if (answer.status !== 200 || !Array.isArray(answer.data)) {
    say(errorSentence(answer), { problem: true });
    return;
  }
  const rows = answer.data.map((hold) => {
    const action = hold.released_at
      ? ""
      : el("button", { type: "button", class: "link-button", dataset: { holdId: hold.hold_id } }, "Release", el("span", { class: "visually-hidden" }, ` the hold for ${hold.matter}`));
    if (action) {
      action.addEventListener("click", () => {
        releasing = hold.hold_id;
        const panel = document.getElementById("release");
        panel.hidden = false;
        document.getElementById("release-title").textContent = `Release the hold for ${hold.matter}`;
        focusOn(document.getElementById("rl-reason"));
      });
    }
    return el(
      "tr",
      { dataset: { holdId: hold.hold_id } },
      el("td", {}, hold.matter),
      el("td", {}, covers(hold)),
      el("td", {}, hold.reason),
      el("td", {}, `${moment(hold.placed_at)} by ${hold.placed_by}`),
      el("td", {}, hold.until || "until released"),
      el("td", {}, hold.released_at ? `${moment(hold.released_at)} by ${hold.released_by}: ${hold.release_reason || ""}` : "in force"),
      el("td", {}, action),
    );
  });
  document.querySelector("#holds tbody").replaceChildren(
    ...(rows.length ? rows : [el("tr", {}, el("td", { colspan: "7" }, "No hold in force."))]),
  );
}

if (await signedIn()) {
  actionForm(
    document.getElementById("place-form"),
    (values) => opsCall("POST", "/ops/holds", values),
    async (hold) => {
      await loadHolds();
      say(`Placed the hold for ${hold.matter}.`);
    },
  );
  actionForm(
    document.getElementById("release-form"),
    (values) => opsCall("POST", `/ops/holds/${encodeURIComponent(releasing)}/release`, { reason: values.reason }),
    async (hold) => {
      document.getElementById("release").hidden = true;
      await loadHolds();
      say(`Released the hold for ${hold.matter}.`);
      focusOn(document.getElementById("message"));
    },
  );
  await loadHolds();
}
