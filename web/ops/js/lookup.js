// Look up a person: what the platform holds for identifiers, counts only (as `privacy-ops
// lookup`). The reason is asked first: the look-up itself is audited.

import { actionForm, countRows, focusOn, moment, opsCall, signedIn } from "./common.js";

function render(summary) {
  document.getElementById("found").hidden = false;
  document.getElementById("found-summary").textContent =
    `${summary.total_records} records, ${summary.released_records} reachable through the identifiers given; ` +
    `customers: ${(summary.tenants || []).join(", ") || "none"}. Data map ${summary.data_map_version}, ` +
    `resolved ${moment(summary.resolved_at)}.`;
  const flags = document.getElementById("found-flags");
  flags.hidden = !(summary.flags && summary.flags.length);
  flags.textContent = flags.hidden ? "" : `FLAGGED (a request would need an ops decision): ${summary.flags.join("; ")}.`;
  document.querySelector("#found-table tbody").replaceChildren(
    ...countRows(summary.counts),
  );
  focusOn(document.getElementById("found-title"));
}

if (await signedIn()) {
  actionForm(document.getElementById("lookup-form"), (values) => opsCall("POST", "/ops/lookups", values), async (summary) => render(summary));
}
