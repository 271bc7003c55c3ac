// An unchanged Node client of the Plex Media Server API from npm, plex-api (phillipj),
// as Overseerr uses it: GET / for the machine identifier, then /library/sections. It asks
// for JSON (Accept: application/json) and parses JSON only when the answer's Content-Type
// is exactly application/json.
//
// Usage: node pms_client.cjs FOLDER HOSTNAME PORT TOKEN [https]
// (FOLDER holds node_modules/plex-api.) Prints what it read as one JSON line.
const path = require("path");
const [folder, hostname, port, token, https] = process.argv.slice(2);
const PlexAPI = require(path.join(folder, "node_modules", "plex-api"));

const client = new PlexAPI({
  hostname, port: Number(port), token, https: https === "https", timeout: 10000,
  options: { identifier: "mockplex-pms-client", product: "Overseerr", deviceName: "CI" },
});

(async () => {
  const root = await client.query("/");
  const sections = await client.query("/library/sections");
  console.log(JSON.stringify({
    machineIdentifier: root.MediaContainer.machineIdentifier,
    friendlyName: root.MediaContainer.friendlyName,
    sections: sections.MediaContainer.Directory.map((d) => [d.key, d.title, d.type]),
  }));
})().catch((error) => {
  console.error(String(error && error.stack || error));
  process.exit(1);
});
