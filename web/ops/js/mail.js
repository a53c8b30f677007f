// The mail review queue: emails to the privacy address that wait for a person. Show one,
// accept it as the request(s) it is, or dismiss it; each with the reason the audit keeps.

import { actionForm, el, errorSentence, focusOn, latestOnly, moment, opsCall, say, signedIn, words } from "./common.js";

const params = new URLSearchParams(window.location.search);
const queue = params.get("queue") || "human_review";

const fetchList = latestOnly(() => opsCall("GET", `/ops/mail?queue=${encodeURIComponent(queue)}`));

async function loadList() {
  document.getElementById("m-queue").value = queue;
  const answer = await fetchList();
  if (answer === null) return; // a later load answers
  if (answer.status !== 200 || !Array.isArray(answer.data)) {
    say(errorSentence(answer), { problem: true });
    return;
  }
  document.getElementById("mail-caption").textContent = answer.data.length
    ? `${answer.data.length} email${answer.data.length === 1 ? "" : "s"} waiting`
    : "No email waits in this queue.";
  document.querySelector("#mail tbody").replaceChildren(
    ...answer.data.map((row) => {
      const link = el("a", { href: `mail.html?queue=${encodeURIComponent(queue)}&mail=${encodeURIComponent(row.mail_id)}` }, "Show", el("span", { class: "visually-hidden" }, ` the email received ${moment(row.received_at)}`));
      link.addEventListener("click", (event) => {
        event.preventDefault();
        window.history.pushState(null, "", link.href);
        showMail(row.mail_id);
      });
      return el(
        "tr",
        { dataset: { mailId: row.mail_id } },
        el("td", {}, moment(row.received_at)),
        el("td", {}, words(row.reason || row.outcome || "")),
        el("td", {}, (row.flags || []).map(words).join(", ")),
        el("td", {}, String(row.attachments)),
        el("td", {}, (row.request_ids || []).join(", ")),
        el("td", {}, link),
      );
    }),
  );
}

let current = "";

async function showMail(mailId) {
  current = mailId;
  const answer = await opsCall("GET", `/ops/mail/${encodeURIComponent(mailId)}`);
  if (answer.status !== 200 || !answer.data) {
    say(errorSentence(answer), { problem: true });
    return;
  }
  const mail = answer.data;
  document.getElementById("mail-detail").hidden = false;
  document.getElementById("mail-subject").textContent = mail.subject || "(no subject)";
  const row = (term, value) => el("div", {}, el("dt", {}, term), el("dd", {}, value));
  document.getElementById("mail-summary").replaceChildren(
    row("From", `${mail.sender_name ? `${mail.sender_name} ` : ""}${mail.sender || "(no single sender)"}`),
    row("Received", moment(mail.received_at)),
    row("Queue", words(mail.queue || "closed")),
    row("Why it waits", words(mail.reason || mail.outcome || "")),
    row("Attachments", (mail.attachment_keys || []).join(", ") || "none"),
    row("Requests", (mail.request_ids || []).join(", ") || "none yet"),
  );
  document.getElementById("mail-text").textContent = mail.text || "";
  document.getElementById("mail-trail").replaceChildren(
    ...(mail.trail || []).map((entry) => el("li", {}, `${moment(entry.at)} ${words(entry.action || entry.event || "")} ${entry.actor ? `(${entry.actor})` : ""}`)),
  );
  focusOn(document.getElementById("mail-subject"));
}

function acceptBody(values) {
  const types = [].concat(values.types || []);
  const body = { types, jurisdiction: values.jurisdiction || "other", reason: values.reason };
  if (types.includes("opt_out")) body.opt_out_of = [].concat(values.opt_out_of || []);
  if (types.includes("withdraw_consent")) body.consent_to_withdraw = [].concat(values.consent_to_withdraw || []);
  if (values.us_state) body.us_state = values.us_state.toUpperCase();
  return body;
}

async function closed(message) {
  document.getElementById("mail-detail").hidden = true;
  window.history.replaceState(null, "", `mail.html?queue=${encodeURIComponent(queue)}`);
  await loadList();
  say(message);
  focusOn(document.getElementById("message"));
}

if (await signedIn()) {
  const accept = document.getElementById("accept-form");
  accept.addEventListener("change", () => {
    document.getElementById("a-opt-out").hidden = !accept.querySelector("#a-opt_out").checked;
    document.getElementById("a-withdraw").hidden = !accept.querySelector("#a-withdraw_consent").checked;
  });
  actionForm(
    accept,
    (values) => opsCall("POST", `/ops/mail/${encodeURIComponent(current)}/accept`, acceptBody(values)),
    async (result) => closed(`Accepted: ${(result.request_ids || []).join(", ") || "done"}.`),
  );
  actionForm(
    document.getElementById("dismiss-form"),
    (values) => opsCall("POST", `/ops/mail/${encodeURIComponent(current)}/dismiss`, { reason: values.reason }),
    async () => closed("Dismissed: the email left the queue."),
  );
  await loadList();
  if (params.get("mail")) await showMail(params.get("mail"));
  window.addEventListener("popstate", () => {
    const mail = new URLSearchParams(window.location.search).get("mail");
    if (mail) showMail(mail);
    else document.getElementById("mail-detail").hidden = true;
  });
}
