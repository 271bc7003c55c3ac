// The approval pages of mockplex: /auth (OAuth style) and /link (type a code).
// They use the mock's own routes only: the control API to list pins and accounts, and
// PUT /api/v2/pins/link (plex.tv's linking call) with the chosen account's token.
// Served on a plex.tv host (through the proxy), where there is no control API, the
// page carries the accounts and pins itself (#mockplex-data).
"use strict";

const DEVICE_KEYS = ["product", "version", "platform", "platformVersion", "device", "deviceName"];

// "#?a=1", "#!?a=1", "#!a=1" and "#a=1" all hold the same parameters.
function fragmentParams(hash) {
  return new URLSearchParams(hash.replace(/^#!?\??/, ""));
}

// With a control token (mockplex serve --control-token), open the page as
// /auth?control_token=...#?code=... : the page sends it on to the control API.
const CONTROL_TOKEN = new URLSearchParams(location.search).get("control_token");

async function getJSON(path) {
  const headers = { Accept: "application/json" };
  if (CONTROL_TOKEN) headers["X-Mockplex-Token"] = CONTROL_TOKEN;
  const response = await fetch(path, { headers });
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
    const option = new Option(`${user.title} (${user.username})`, user.authToken,
                              index === 0, index === 0);
    option.dataset.username = user.username;
    select.add(option);
  }
}

// PUT /api/v2/pins/link as the chosen account; resolves to the HTTP status.
async function link(code, token) {
  const response = await fetch("/api/v2/pins/link.json", {
    method: "PUT",
    headers: { "X-Plex-Token": token, "X-Plex-Product": "Plex SSO",
               "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ code }),
  });
  return response.status;
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
    const chosen = select.selectedOptions[0];
    const status = await link(code, chosen.value);
    if (status !== 204) return fail("Code not found or expired.");
    const forward = safeForwardUrl(params.get("forwardUrl"));
    if (forward) { location.assign(forward); return; }
    fill("account", chosen.dataset.username);
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
    const status = pin ? await link(pin.code, select.value) : 404;
    if (status !== 204) {
      error.textContent = "Code not found or expired.";
      error.hidden = false;
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    if (pin.product !== "0") fill("product", pin.product);
    fill("account", select.selectedOptions[0].dataset.username);
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
