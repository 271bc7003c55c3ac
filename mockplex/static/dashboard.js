// The mockplex dashboard (/_mockplex/): what the mock holds, updated by polling the
// control API every half second (no connection held open: waitress has few threads),
// and every change made through the control API. With a control token, open it once as
// /_mockplex/?control_token=...: the server trades it for a cookie (HttpOnly, this
// origin's only) and shows the clean URL, so the page never holds the token itself.
"use strict";

const API = "/_mockplex";
const POLL_MS = 500;
const JOURNAL_SHOWN = 200;

const state = { fetchedAt: 0, pins: [], users: [], requests: [], faults: [], servers: [],
                shares: [], invites: [], autoApprove: null };

class ApiError extends Error {}

async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  const options = { method, headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(API + path, options);
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const message = data && data.errors && data.errors[0] && data.errors[0].message;
    throw new ApiError(message || `${method} ${API}${path} answered ${response.status}`);
  }
  return data;
}

const $ = (id) => document.getElementById(id);

function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

function cell(row, index) {
  while (row.cells.length <= index) row.insertCell();
  return row.cells[index];
}

// Keep the rows of ``tbody`` one per item, in order, keyed: rows that stay keep their
// elements (and so a focused button or an open select), new ones are made, gone ones go.
function syncRows(tbody, items, keyOf, update) {
  const existing = new Map([...tbody.rows].map((row) => [row.dataset.key, row]));
  let previous = null;
  for (const item of items) {
    const key = String(keyOf(item));
    let row = existing.get(key);
    if (row) existing.delete(key);
    else {
      row = document.createElement("tr");
      row.dataset.key = key;
    }
    update(row, item);
    const expected = previous ? previous.nextSibling : tbody.firstChild;
    if (row !== expected) tbody.insertBefore(row, expected);
    previous = row;
  }
  for (const row of existing.values()) row.remove();
}

function userOfToken(token) {
  return state.users.find((user) => user.authToken === token);
}

function timeLeft(pin) {
  const elapsed = (performance.now() - state.fetchedAt) / 1000;
  const seconds = Math.max(0, Math.ceil(pin.expiresIn - elapsed));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

function pollsOf(pin) {
  return state.requests.filter((entry) => entry.pinId === pin.id && entry.method === "GET")
    .length;
}

function accountOptions(select) {
  const names = state.users.map((user) => user.username);
  const current = [...select.options].map((option) => option.value);
  if (names.join("\n") === current.join("\n")) return;
  const chosen = select.value;
  select.replaceChildren(...state.users.map((user) =>
    new Option(`${user.title} (${user.username})`, user.username)));
  select.value = names.includes(chosen) ? chosen : names[0] || "";
}

function pinRow(row, pin) {
  setText(cell(row, 0), pin.code);
  setText(cell(row, 1), String(pin.id));
  setText(cell(row, 2), pin.clientIdentifier);
  setText(cell(row, 3), pin.product);
  setText(cell(row, 4), pin.code.length > 4 ? "strong" : "4-character");
  const approver = pin.authToken ? userOfToken(pin.authToken) : null;
  const status = cell(row, 5);
  setText(status, pin.authToken ? `approved by ${approver ? approver.username : "a token"}`
                                 : "pending");
  status.className = pin.authToken ? "state-approved" : "";
  setText(cell(row, 6), String(pollsOf(pin)));
  setText(cell(row, 7), timeLeft(pin));
  const actions = cell(row, 8);
  if (!actions.firstChild) {
    actions.className = "actions";
    const select = document.createElement("select");
    select.setAttribute("aria-label", `Approve pin ${pin.code} as`);
    const approve = button("Approve", `Approve pin ${pin.code}`, () =>
      act(`Approving pin ${pin.code}`, "POST", `/pins/${pin.id}/verify`, { user: select.value }));
    const expire = button("Expire", `Expire pin ${pin.code}`, () =>
      act(`Expiring pin ${pin.code}`, "POST", `/pins/${pin.id}/expire`));
    actions.append(select, approve, expire);
  }
  accountOptions(actions.querySelector("select"));
}

function button(label, name, onClick) {
  const element = document.createElement("button");
  element.type = "button";
  element.textContent = label;
  element.setAttribute("aria-label", name);
  element.addEventListener("click", onClick);
  return element;
}

// A managed user of a Plex Home: its home's owner, restricted or not, a PIN or none.
function homeOf(user) {
  if (!user.homeOf) return "";
  const traits = [user.restricted ? "restricted" : "", user.protected ? "PIN" : ""]
    .filter(Boolean).join(", ");
  return `managed user in ${user.homeOf}'s home` + (traits ? ` (${traits})` : "");
}

function accountRow(row, user) {
  setText(cell(row, 0), user.username);
  setText(cell(row, 1), user.email || homeOf(user));
  const token = cell(row, 2);
  if (!token.firstChild) {
    token.className = "actions";
    const code = document.createElement("code");
    token.append(code, button("Copy", `Copy ${user.username}'s token`, () => copy(code.textContent)));
  }
  setText(token.querySelector("code"), user.authToken);
}

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    setText($("status"), "Token copied");
  } catch (error) {
    showError(`Copying needs the clipboard: ${error.message}`);
  }
}

function journalMatches(entry, filter) {
  if (!filter) return true;
  return entry.path.includes(filter) || String(entry.pinId ?? "").includes(filter) ||
    entry.server.includes(filter);
}

// Which side was asked: plex.tv's, or a live server (named as the faults name it).
function askedOf(entry) {
  return entry.server ? `server ${entry.server}` : "plex.tv";
}

let journalShown = "";

function renderJournal() {
  const filter = $("journal-filter").value.trim();
  const matching = state.requests.filter((entry) => journalMatches(entry, filter));
  const newest = matching.slice(-JOURNAL_SHOWN).reverse();
  const signature = JSON.stringify([filter, state.requests.length, newest[0] || null]);
  if (signature === journalShown) return;
  journalShown = signature;
  const total = state.requests.length;
  setText($("journal-count"), total === 0 ? "No requests yet." :
    `${matching.length} of ${total} request(s)` +
    (matching.length > JOURNAL_SHOWN ? `, the newest ${JOURNAL_SHOWN} shown` : "") + ".");
  const rows = newest.map((entry) => {
    const row = document.createElement("tr");
    const query = Object.entries(entry.query || {}).map(([k, v]) => `${k}=${v}`).join("&");
    const notes = [!entry.matched && !entry.fault ? "not emulated" : "",
                   entry.fault ? "injected fault" : "", entry.cut ? "cut" : ""].filter(Boolean);
    for (const text of [entry.time.slice(11, 19), askedOf(entry), entry.method,
                        entry.path + (query ? `?${query}` : ""),
                        entry.status === null ? "dropped" : String(entry.status),
                        entry.pinId === null ? "" : String(entry.pinId), notes.join(", ")]) {
      row.insertCell().textContent = text;
    }
    row.cells[0].title = entry.time; // the whole mock time; the cell shows its clock
    if (!entry.matched && !entry.fault) row.className = "unmatched";
    return row;
  });
  $("journal").tBodies[0].replaceChildren(...rows);
}

// Show ``lines`` in ``element``, one block each (text only: a client's text stays text).
function setLines(element, lines) {
  const shown = [...element.children].map((line) => line.textContent);
  if (shown.join("\n") === lines.join("\n") && shown.length === lines.length) return;
  element.replaceChildren(...lines.map((text) => {
    const line = document.createElement("div");
    line.textContent = text;
    return line;
  }));
}

function answeredBy(server) {
  if (!server.live) return "not live: its own connections";
  return server.port === null ? "live, not listening" : `live on port ${server.port}`;
}

function serverRow(row, server) {
  setText(cell(row, 0), server.name);
  setText(cell(row, 1), server.owner);
  setText(cell(row, 2), server.machineIdentifier);
  const answers = cell(row, 3);
  setText(answers, answeredBy(server));
  answers.className = server.live && server.port !== null ? "state-approved" : "";
  setLines(cell(row, 4), server.connections.map((connection) =>
    connection.uri + (connection.local ? "" : " (remote)") + (connection.relay ? " (relay)" : "")));
  setLines(cell(row, 5), server.libraries.map((library) =>
    `${library.title} (${library.type}, ${library.items.length} item(s))`));
}

function describeFault(fault) {
  const what = fault.drop ? "drop the connection" :
    fault.status ? `answer ${fault.status}` : "";
  const wait = fault.delay_ms ? `wait ${fault.delay_ms} ms` : "";
  const times = fault.times === null ? "until cleared" : `${fault.times} more time(s)`;
  const side = fault.server === null ? "" :
    fault.server === "*" ? "every server: " : `server ${fault.server}: `;
  return `${side}${fault.method} ${fault.path}: ${[wait, what].filter(Boolean).join(", then ")} (${times})`;
}

function render() {
  const pins = $("pins");
  pins.hidden = state.pins.length === 0;
  $("pins-empty").hidden = state.pins.length > 0;
  syncRows(pins.tBodies[0], state.pins, (pin) => pin.id, pinRow);
  syncRows($("accounts").tBodies[0], state.users, (user) => user.username, accountRow);
  $("servers-section").hidden = state.servers.length === 0;
  syncRows($("servers").tBodies[0], state.servers, (server) => server.name, serverRow);
  $("shares-section").hidden = state.shares.length === 0;
  syncRows($("shares").tBodies[0], state.shares, (share) => share.id, (row, share) => {
    setText(cell(row, 0), share.server);
    setText(cell(row, 1), share.user);
  });
  const invites = state.invites;
  $("invites-section").hidden = invites.length === 0;
  syncRows($("invites").tBodies[0], invites, (invite) => invite.id, (row, invite) => {
    setText(cell(row, 0), invite.server);
    setText(cell(row, 1), invite.owner);
    setText(cell(row, 2), invite.user);
  });
  renderJournal();
  const faults = state.faults.length ? state.faults.map(describeFault) : ["none"];
  const list = $("faults");
  if ([...list.children].map((item) => item.textContent).join("\n") !== faults.join("\n")) {
    list.replaceChildren(...faults.map((text) => {
      const item = document.createElement("li");
      item.textContent = text;
      return item;
    }));
  }
  setText($("auto-approve"), state.autoApprove || "off");
}

function setStatus(live, detail) {
  const status = $("status");
  status.classList.toggle("gone", !live);
  setText(status, live ? `Live, updated ${new Date().toLocaleTimeString()}` : detail);
}

let goneSince = null;
let timer = null;
let running = false;
let again = false;

// Read everything, show it, and come back in POLL_MS; called at once after a change
// (never two at a time: a call while one runs makes it go again when done).
async function refresh() {
  if (running) {
    again = true;
    return;
  }
  running = true;
  clearTimeout(timer);
  try {
    const [pins, users, requests, faults, servers, shares, invites, auto] =
      await Promise.all([
        call("GET", "/pins"), call("GET", "/users"), call("GET", "/requests"),
        call("GET", "/faults"), call("GET", "/servers"), call("GET", "/shares"),
        call("GET", "/invites"), call("GET", "/auto-approve")]);
    Object.assign(state, { pins, users, requests, faults, servers, shares, invites,
                           autoApprove: auto.autoApprove, fetchedAt: performance.now() });
    goneSince = null;
    setStatus(true);
    render();
  } catch (error) {
    if (error instanceof ApiError) {
      setStatus(false, `mockplex refused: ${error.message}`);
    } else {
      goneSince = goneSince || new Date();
      setStatus(false, `mockplex is not answering (since ${goneSince.toLocaleTimeString()});` +
                       " retrying");
    }
  } finally {
    running = false;
    if (again) {
      again = false;
      refresh();
    } else {
      timer = setTimeout(refresh, POLL_MS);
    }
  }
}

function showError(message) {
  const element = $("action-error");
  element.textContent = message;
  element.hidden = !message;
}

// A change through the control API, then an update at once; a refusal is shown.
async function act(what, method, path, body) {
  try {
    const answer = await call(method, path, body);
    showError("");
    refresh();
    return answer;
  } catch (error) {
    showError(`${what} failed: ${error.message}`);
    return null;
  }
}

function autoApproveBody(rule) {
  const match = /^after-(polls|seconds)=(\d+)$/.exec(rule.trim());
  if (!match) return null;
  return match[1] === "polls" ? { afterPolls: Number(match[2]) }
                              : { afterSeconds: Number(match[2]) };
}

document.addEventListener("DOMContentLoaded", () => {
  $("journal-filter").addEventListener("input", renderJournal);
  $("journal-clear").addEventListener("click", () =>
    act("Clearing the requests", "DELETE", "/requests"));
  $("fault-add").addEventListener("click", () =>
    act("Adding the fault", "POST", "/faults", JSON.parse($("fault-preset").value)));
  $("faults-clear").addEventListener("click", () => act("Clearing the faults", "DELETE", "/faults"));
  $("auto-approve-set").addEventListener("click", () => {
    const body = autoApproveBody($("auto-approve-rule").value);
    if (!body) return showError("A rule is after-polls=N or after-seconds=S");
    return act("Setting the rule", "PUT", "/auto-approve", body);
  });
  $("auto-approve-off").addEventListener("click", () =>
    act("Turning auto-approve off", "DELETE", "/auto-approve"));
  $("advance").addEventListener("click", async () => {
    const answer = await act("Advancing the clock", "POST", "/clock",
                             { advance: Number($("advance-seconds").value) });
    if (answer) setText($("clock-now"), `mock time now ${answer.now}`);
  });
  $("reset").addEventListener("click", () => act("Resetting", "POST", "/reset"));
  refresh();
});
