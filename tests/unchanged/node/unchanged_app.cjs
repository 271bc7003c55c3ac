// An unchanged Node program: the Speakeasy SDK @lukehagar/plexjs with its default server
// URL (https://plex.tv, on Node's built-in fetch) and an axios call to https://plex.tv.
// Run in a folder that has them (and undici) installed, with nothing but the variables
// of mockplex's env file, it reaches the mock through the proxy. Prints the pin as a
// JSON line, waits for a line on stdin (the human step, done by the test), then prints
// what it got as a JSON line.
"use strict";
const { createRequire } = require("node:module");
const path = require("node:path");
const readline = require("node:readline");

const fromApp = createRequire(path.join(process.cwd(), "package.json"));
const { PlexAPI } = fromApp("@lukehagar/plexjs");
const axios = fromApp("axios");

function nextLine() {
  const lines = readline.createInterface({ input: process.stdin });
  return new Promise((resolve) => lines.once("line", () => {
    lines.close();
    process.stdin.destroy(); // or the open stdin keeps Node running
    resolve();
  }));
}

async function main() {
  const clientID = "unchanged-node-app";
  const sdk = new PlexAPI({});
  const created = await sdk.plex.getPin({ clientID, clientName: "unchanged" });
  const pin = created.authPinContainer;
  console.log(JSON.stringify({ pinId: pin.id, code: pin.code }));
  await nextLine();
  const polled = await sdk.plex.getTokenByPinId({ pinID: pin.id, clientID });
  const token = polled.authPinContainer.authToken;
  const user = await axios.get("https://plex.tv/api/v2/user", {
    headers: { "X-Plex-Token": token, "X-Plex-Client-Identifier": clientID,
               Accept: "application/json" },
  });
  console.log(JSON.stringify({
    status: [created.statusCode, polled.statusCode, user.status],
    token, username: user.data.username,
  }));
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : error);
  process.exit(1);
});
