// The frame every console page shares, written once: the skip link, the header (the console's
// navigation and who is signed in), the live message line and the sign-in form. A page's HTML
// holds only <main id="main"> with its own <div id="page">; signedIn() (common.js) puts the frame
// around it before anything else runs. Plain static files, no build step: each page loads this
// through its own module script.

/** The console's pages, in the navigation's order. */
export const PAGES = [
  ["index.html", "Queue"],
  ["phone.html", "Phone request"],
  ["appeals.html", "Appeals"],
  ["notices.html", "Held notices"],
  ["instructions.html", "Business instructions"],
  ["mail.html", "Mail review"],
  ["holds.html", "Legal holds"],
  ["customers.html", "Business customers"],
  ["retention.html", "Retention"],
  ["lookup.html", "Look up"],
  ["metrics.html", "Yearly metrics"],
];

function node(tag, attributes = {}, ...children) {
  const made = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) made.setAttribute(name, value);
  made.append(...children);
  return made;
}

function header(here) {
  const links = PAGES.map(([href, label]) =>
    node("li", {}, node("a", href === here ? { href, "aria-current": "page" } : { href }, label)),
  );
  return node(
    "header",
    { class: "site-header" },
    node(
      "div",
      { class: "wrap ops-bar" },
      node("span", {}, node("span", { class: "brand" }, "CallX"), " ", node("span", { class: "brand-sub" }, "Privacy operations")),
      node("nav", { "aria-label": "Console" }, node("ul", {}, ...links)),
      node("p", { id: "who", class: "who" }),
    ),
  );
}

function signInForm() {
  const error = node("p", { class: "field-error" });
  error.hidden = true;
  const form = node(
    "form",
    { id: "signin", "aria-labelledby": "signin-title", novalidate: "" },
    node("h2", { id: "signin-title", tabindex: "-1" }, "Sign in"),
    node(
      "div",
      { class: "field local-only" },
      node("label", { for: "operator" }, "Your operator name"),
      node(
        "p",
        { class: "hint", id: "operator-hint" },
        "On the local stack your name stands in for your IAM identity, as ",
        node("code", {}, "privacy-ops --operator NAME"),
        " does. Every action is audited with it.",
      ),
      error,
      node("input", {
        type: "text",
        id: "operator",
        name: "operator",
        autocomplete: "username",
        "aria-describedby": "operator-hint",
        spellcheck: "false",
      }),
    ),
    node("button", { class: "button", type: "submit" }, "Sign in"),
  );
  form.hidden = true;
  return form;
}

/** Puts the frame around the page's <main id="main"> (once). */
export function renderFrame() {
  if (document.getElementById("who")) return;
  const main = document.getElementById("main");
  const here = window.location.pathname.split("/").pop() || "index.html";
  const message = node("p", { id: "message", role: "status" });
  message.hidden = true;
  document.body.prepend(node("a", { class: "skip-link", href: "#main" }, "Skip to main content"), header(here));
  main.prepend(message, signInForm());
}
