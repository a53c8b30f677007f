// The mail review queue: emails to the privacy address that wait for a person. Show one,
// accept it as the request(s) it is, or dismiss it; each with the reason the audit keeps. Below
// it, the email-intake dead letters, sent back through intake with the reason.

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

const fetchDeadLetters = latestOnly(() => opsCall("GET", "/ops/mail/dead-letters"));

/** The email-intake dead-letter queue: how many, and a sample (message id, tries, object keys). */
async function loadDeadLetters() {
  const answer = await fetchDeadLetters();
  if (answer === null) return; // a later load answers
  if (answer.status !== 200 || !answer.data) {
    say(errorSentence(answer), { problem: true });
    return;
  }
  const count = Number(answer.data.count || 0);
  const sample = answer.data.sample || [];
  document.getElementById("dead-count").textContent = count
    ? `${count} message${count === 1 ? "" : "s"} on the email-intake dead-letter queue.`
    : "The email-intake dead-letter queue is empty.";
  document.getElementById("dead").hidden = !sample.length;
  document.getElementById("replay-form").hidden = !count;
  document.querySelector("#dead tbody").replaceChildren(
    ...sample.map((message) =>
      el(
        "tr",
        { dataset: { messageId: message.message_id } },
        el("td", {}, message.message_id),
        el("td", { class: "number" }, String(message.receive_count)),
        el("td", {}, (message.objects || []).join(", ") || "(not an S3 event)"),
      ),
    ),
  );
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
  actionForm(
    document.getElementById("replay-form"),
    (values) => opsCall("POST", "/ops/mail/dead-letters/replay", { reason: values.reason, limit: Number(values.limit || 100) }),
    async (result) => {
      await loadDeadLetters();
      say(`Sent ${result.replayed} message${result.replayed === 1 ? "" : "s"} back to email intake.`);
      focusOn(document.getElementById("message"));
    },
    (values) =>
      /^\d+$/.test(values.limit || "100") && Number(values.limit || 100) >= 1 && Number(values.limit || 100) <= 1000
        ? null
        : { control: document.getElementById("d-limit"), message: "Send back from 1 to 1000 messages at a time." },
  );
  await Promise.all([loadList(), loadDeadLetters()]);
  if (params.get("mail")) await showMail(params.get("mail"));
  window.addEventListener("popstate", () => {
    const mail = new URLSearchParams(window.location.search).get("mail");
    if (mail) showMail(mail);
    else document.getElementById("mail-detail").hidden = true;
  });
}
