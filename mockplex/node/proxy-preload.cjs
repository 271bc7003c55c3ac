// mockplex: make Node's built-in fetch honour HTTPS_PROXY / NO_PROXY.
//
// Loaded through NODE_OPTIONS="--require .../proxy-preload.cjs" (mockplex serve
// --env-file writes it). Node 22.21+ and 24+ do this themselves with
// NODE_USE_ENV_PROXY=1; older Node's fetch ignores proxy variables, so this installs
// undici's EnvHttpProxyAgent as the global dispatcher. undici comes from the program's
// own dependencies (looked up from its working directory): add it as a dev dependency
// (npm install --save-dev undici@6). axios, got and the like read the variables
// themselves and need none of this.
"use strict";

const [major, minor] = process.versions.node.split(".").map(Number);
const nodeDoesIt = major >= 24 || (major === 22 && minor >= 21);

function install() {
  if (nodeDoesIt && process.env.NODE_USE_ENV_PROXY === "1") return;
  const { createRequire } = require("node:module");
  const path = require("node:path");
  let undici;
  try {
    undici = createRequire(path.join(process.cwd(), "package.json"))("undici");
  } catch (error) {
    process.stderr.write(
      `mockplex: Node ${process.versions.node}'s fetch ignores HTTPS_PROXY, and undici ` +
      `was not found from ${process.cwd()} to make it use the proxy: add it as a dev ` +
      "dependency (npm install --save-dev undici@6), or run Node 22.21+.\n");
    return;
  }
  if (typeof undici.EnvHttpProxyAgent !== "function") {
    process.stderr.write(
      "mockplex: this undici has no EnvHttpProxyAgent (it came in undici 6.14); " +
      "install undici@6 as a dev dependency.\n");
    return;
  }
  undici.setGlobalDispatcher(new undici.EnvHttpProxyAgent());
}

install();
