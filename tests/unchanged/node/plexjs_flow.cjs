// The PIN flow and token details of @lukehagar/plexjs, unchanged but for its server
// URL, against a running mockplex. The approval in between is the human step, done over
// mockplex's control API. Prints one JSON line of what the SDK returned.
//
//   node plexjs_flow.cjs <folder the SDK is installed in> <mockplex URL>
"use strict";
const path = require("node:path");

async function main() {
  const [folder, mockplex] = process.argv.slice(2);
  const { PlexAPI } = require(path.join(folder, "node_modules", "@lukehagar", "plexjs"));
  const serverURL = `${mockplex}/api/v2`; // plex.tv's is https://plex.tv/api/v2
  const clientID = "plexjs-compat";

  const sdk = new PlexAPI({});
  const created = await sdk.plex.getPin({ clientID, clientName: "plexjs" }, { serverURL });
  const pin = created.authPinContainer;

  const approved = await fetch(`${mockplex}/_mockplex/pins/${pin.id}/verify`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: "{}",
  });
  if (!approved.ok) throw new Error(`approving the pin: ${approved.status}`);

  const polled = await sdk.plex.getTokenByPinId({ pinID: pin.id, clientID }, { serverURL });
  const token = polled.authPinContainer.authToken;

  const signedIn = new PlexAPI({ accessToken: token });
  const details = await signedIn.authentication.getTokenDetails({ serverURL });
  const user = details.userPlexAccount;

  console.log(JSON.stringify({
    status: [created.statusCode, polled.statusCode, details.statusCode],
    pinId: pin.id, code: pin.code, expiresIn: pin.expiresIn, token,
    username: user.username, userToken: user.authToken, subscriptions: user.subscriptions,
  }));
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : error);
  process.exit(1);
});
