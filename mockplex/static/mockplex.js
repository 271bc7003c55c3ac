// The approval pages of mockplex: /auth (OAuth style) and /link (type a code).
// They use the mock's own routes only: the control API to list pins and accounts and to
// approve a pin as the chosen account. They never hold a token: with a control token,
// the page was opened once with ?control_token=..., which the server traded for a
// cookie. Served on a plex.tv host (through the proxy), where there is no control API,
// the page carries the accounts' names and the pending pins itself (#mockplex-data) and
// approves through POST /auth/approve, which only that host answers.
"use strict";

const DEVICE_KEYS = ["product", "version", "platform", "platformVersion", "device", "deviceName"];

// "#?a=1", "#!?a=1", "#!a=1" and "#a=1" all hold the same parameters.
function fragmentParams(hash) {
  return new URLSearchParams(hash.replace(/^#!?\??/, ""));
}

async function getJSON(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return response.json();
}

// The accounts and pins the page carries, or null where the control API answers.
function embedded() {
  const node = document.getElementById("mockplex-data");
  return node ? JSON.parse(node.textContent) : null;
}

function fill(name, value) {
  for (const element of document.querySelectorAll(`[data-field="${name}"]`)) {
    if (value) element.textContent = value;
  }
}

function show(id) {
  for (const section of document.querySelectorAll("main > section")) {
    section.hidden = section.id !== id;
  }
  const heading = document.querySelector(`#${id} h1`);
  if (heading) { heading.tabIndex = -1; heading.focus(); }
}

async function fillAccounts(select) {
  const users = embedded()?.users ?? await getJSON("/_mockplex/users");
  for (const [index, user] of users.entries()) {
    select.add(new Option(`${user.title} (${user.username})`, user.username,
                          index === 0, index === 0));
  }
}

// Approve the pin as the chosen account; resolves to true when it is approved.
async function approvePin(pin, user) {
  const [path, body] = embedded() ? ["/auth/approve", { code: pin.code, user }]
    : [`/_mockplex/pins/${pin.id}/verify`, { user }];
  const response = await fetch(path, {
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return response.ok;
}

async function findPin(code) {
  const data = embedded();
  const pins = data ? data.pins.filter((pin) => pin.code === code)
                    : await getJSON(`/_mockplex/pins?code=${encodeURIComponent(code)}`);
  return pins[0] || null;
}

function safeForwardUrl(value) {
  if (!value) return null;
  try {
    const url = new URL(value);
    return ["http:", "https:"].includes(url.protocol) ? url.href : null;
  } catch (error) {
    return null;
  }
}

async function authPage() {
  const params = fragmentParams(location.hash);
  const code = params.get("code");
  const fail = (message) => {
    document.getElementById("error-message").textContent = message;
    show("error");
  };
  if (!code) return fail("The link has no code.");
  const pin = await findPin(code);
  if (!pin) return fail("Code not found or expired.");
  for (const key of DEVICE_KEYS) fill(key, params.get(`context[device][${key}]`));
  if (!params.get("context[device][product]") && pin.product !== "0") fill("product", pin.product);
  fill("clientID", params.get("clientID") || pin.clientIdentifier);
  const select = document.getElementById("account");
  await fillAccounts(select);
  show("request");
  document.getElementById("approve").focus();

  document.getElementById("decision").addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = select.value;
    if (!await approvePin(pin, chosen)) return fail("Code not found or expired.");
    const forward = safeForwardUrl(params.get("forwardUrl"));
    if (forward) { location.assign(forward); return; }
    fill("account", chosen);
    show("signed-in");
  });
  document.getElementById("deny").addEventListener("click", () => show("denied"));
}

async function linkPage() {
  const select = document.getElementById("account");
  const input = document.getElementById("code");
  const error = document.getElementById("link-error");
  const approve = document.getElementById("approve");
  // The handler first, so that no submit can reach the server as a plain form; Approve
  // stays disabled until the accounts are there.
  document.getElementById("link-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (approve.disabled) return;
    const code = input.value.trim();
    const pin = await findPin(code) || await findPin(code.toUpperCase());
    if (!pin || !await approvePin(pin, select.value)) {
      error.textContent = "Code not found or expired.";
      error.hidden = false;
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    if (pin.product !== "0") fill("product", pin.product);
    fill("account", select.value);
    show("linked");
  });
  await fillAccounts(select);
  approve.disabled = false;
  input.focus();
}

document.addEventListener("DOMContentLoaded", () => {
  const page = document.getElementById("link-form") ? linkPage : authPage;
  page().catch((error) => {
    const message = document.getElementById("error-message") ||
                    document.getElementById("link-error");
    message.textContent = `mockplex failed: ${error.message}`;
    message.hidden = false;
    if (document.getElementById("error")) show("error");
  });
});
