// Held notices: those the provider refused (held for a retry) and those that may have gone (a
// person decides). A person's decision, with the reason the audit keeps: send it again, record
// it as delivered, or give it up.

import { actionForm, el, errorSentence, focusOn, latestOnly, moment, opsCall, say, signedIn, words } from "./common.js";

let deciding = null;

/** What became of the notice, as the API's result says it. */
function outcome(result) {
  switch (result) {
    case "already_delivered":
    case "already_sent":
      return "it had been delivered already; nothing was sent";
    case "confirmed_by_ops":
      return "recorded as delivered";
    case "withheld":
      return "recorded as not sent (withheld)";
    case "email":
    case "sms":
    case "voice":
      return `sent again by ${result}`;
    case "held":
      return "refused again: held for another retry";
    case "uncertain":
      return "it may have gone: still held for a person";
    default:
      return words(result);
  }
}

const fetchNotices = latestOnly(() => opsCall("GET", "/ops/notices"));

async function loadNotices() {
  const answer = await fetchNotices();
  if (answer === null) return; // a later load answers
  if (answer.status !== 200 || !Array.isArray(answer.data)) {
    say(errorSentence(answer), { problem: true });
    return;
  }
  const held = answer.data;
  document.getElementById("notices-caption").textContent = held.length
    ? `${held.length} notice${held.length === 1 ? "" : "s"} not delivered, oldest first`
    : "Every notice was delivered.";
  document.querySelector("#notices tbody").replaceChildren(
    ...held.map((notice) => {
      const label = `${words(notice.notice)} of ${notice.request_id}`;
      const decide = el("button", { type: "button", class: "link-button" }, "Decide", el("span", { class: "visually-hidden" }, ` the ${label}`));
      decide.addEventListener("click", () => {
        deciding = notice;
        document.getElementById("decide").hidden = false;
        document.getElementById("decide-title").textContent = `Decide the ${label}`;
        focusOn(document.getElementById("decide-title"));
      });
      return el(
        "tr",
        { dataset: { requestId: notice.request_id, notice: notice.notice } },
        el("td", {}, el("a", { href: `request.html?id=${encodeURIComponent(notice.request_id)}` }, notice.request_id)),
        el("td", {}, words(notice.notice)),
        el("td", {}, notice.needs === "retry" ? "a retry" : "a person decides", notice.unsent_over_an_hour ? [" ", el("span", { class: "badge overdue" }, "Over an hour")] : ""),
        el("td", {}, moment(notice.since)),
        el("td", {}, String(notice.attempts)),
        el("td", {}, notice.needs === "retry" ? moment(notice.next_at) : "—"),
        el("td", {}, notice.last_error || "—"),
        el("td", {}, decide),
      );
    }),
  );
}

if (await signedIn()) {
  actionForm(
    document.getElementById("decide-form"),
    (values) =>
      opsCall("POST", `/ops/requests/${encodeURIComponent(deciding.request_id)}/notices/${encodeURIComponent(deciding.notice)}/decision`, values),
    async (result) => {
      document.getElementById("decide").hidden = true;
      await loadNotices();
      say(`The ${words(result.notice)} of ${result.request_id}: ${outcome(result.result)}.`);
      focusOn(document.getElementById("message"));
    },
  );
  await loadNotices();
}
