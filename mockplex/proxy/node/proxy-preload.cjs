// mockplex: make Node's built-in fetch honour HTTPS_PROXY / NO_PROXY, or refuse.
//
// Loaded through NODE_OPTIONS="--require=.../proxy-preload.cjs" (mockplex serve
// --env-file writes it). Node 22.21+ and 24+ do this themselves with
// NODE_USE_ENV_PROXY=1; older Node's fetch ignores proxy variables, so this installs
// undici's EnvHttpProxyAgent as the global dispatcher. undici comes from the program's
// own dependencies, looked up from its working directory, then from its main script's
// folder: add it as a dev dependency (npm install --save-dev undici@6).
//
// Without a usable undici it fails closed: fetch to any host but loopback rejects at
// once (a TypeError naming the fix, before any DNS lookup), never going direct. Only
// fetch (and what rides on its global dispatcher): http.request / https.request ignore
// proxy variables on Node 20 by design; axios, got and the like read them themselves.
"use strict";

const [major, minor] = process.versions.node.split(".").map(Number);
const nodeDoesIt = major >= 24 || (major === 22 && minor >= 21);
const FIX = "npm install --save-dev undici@6 in the app, or run Node 22.21+ " +
            "(it honours NODE_USE_ENV_PROXY=1)";

function isLoopback(hostname) {
  const net = require("node:net");
  const name = String(hostname).replace(/^\[|\]$/g, "").replace(/\.$/, "").toLowerCase();
  if (name === "localhost") return true;
  if (net.isIPv4(name)) return name.startsWith("127.");
  if (net.isIPv6(name)) return name === "::1" || /^::ffff:7f[0-9a-f]{2}:/.test(name);
  return false;
}

// Folders to find undici from: the working directory, then the main script's folder
// (as given, and with symlinks resolved, as Node loads it). require.main is not set yet
// while --require runs, but is taken when it is.
function folders() {
  const fs = require("node:fs");
  const path = require("node:path");
  const found = [process.cwd()];
  const scripts = [];
  if (process.argv[1]) scripts.push(path.resolve(process.argv[1]));
  if (require.main && require.main.filename) scripts.push(require.main.filename);
  for (const script of scripts) {
    found.push(path.dirname(script));
    try {
      found.push(path.dirname(fs.realpathSync(script)));
    } catch {
      // not a file (node -e, a script named without its extension): its folder will do
    }
  }
  return [...new Set(found)];
}

function findUndici(dirs) {
  const { createRequire } = require("node:module");
  const path = require("node:path");
  for (const dir of dirs) {
    try {
      return createRequire(path.join(dir, "package.json"))("undici");
    } catch {
      // not from this folder
    }
  }
  return null;
}

// fetch to anything but loopback rejects at once, as fetch's own failures do (TypeError).
function failClosed(why) {
  const reason = `Node ${process.versions.node}'s fetch ignores HTTPS_PROXY and ${why}`;
  process.stderr.write(`mockplex: ${reason}: fetch will refuse every host but loopback. ` +
                       `Fix: ${FIX}.\n`);
  const original = globalThis.fetch;
  if (typeof original !== "function") return;
  const refusal = (host) => {
    const error = new TypeError(
      `mockplex: fetch to ${host} refused rather than sent around the proxy: ${reason}. ` +
      `Fix: ${FIX}.`);
    error.code = "MOCKPLEX_NO_PROXY";
    return error;
  };
  const Request = globalThis.Request;

  // The URL is checked once and that same value is fetched.
  const fetch = function fetch(input, init = undefined) {
    let target = input;
    let url;
    try {
      if (typeof Request === "function" && input instanceof Request) {
        url = new URL(input.url);
      } else {
        target = String(input);
        url = new URL(target);
      }
    } catch (error) {
      // not a URL: fetch rejects it itself, without a connection
      if (target === input) return Promise.reject(error);
      return original.call(this, target, init);
    }
    if (!isLoopback(url.hostname)) return Promise.reject(refusal(url.host));
    return original.call(this, target, init);
  };
  Object.defineProperty(globalThis, "fetch", {
    value: fetch, writable: true, enumerable: true, configurable: true,
  });

  // Behind it, the dispatcher fetch uses refuses too: a redirect from loopback to
  // another host (and anything else on the global dispatcher) cannot go direct.
  const key = Symbol.for("undici.globalDispatcher.1");
  const agent = globalThis[key]; // set by Node's undici, loaded by the Request above
  if (!agent || typeof agent.dispatch !== "function") return;
  const guarded = new Proxy(agent, {
    get(target, property) {
      if (property === "dispatch") {
        return function dispatch(options, handler) {
          let origin = null;
          try {
            origin = new URL(String(options.origin));
          } catch {
            // not an origin: refused below
          }
          if (origin && isLoopback(origin.hostname)) return target.dispatch(options, handler);
          const error = refusal(origin ? origin.host : String(options.origin));
          queueMicrotask(() => handler.onError(error));
          return false;
        };
      }
      const value = Reflect.get(target, property, target);
      const own = typeof value === "function" && property !== "constructor";
      return own ? value.bind(target) : value;
    },
  });
  Object.defineProperty(globalThis, key, {
    value: guarded, writable: true, enumerable: false, configurable: false,
  });
}

function install() {
  if (nodeDoesIt && process.env.NODE_USE_ENV_PROXY === "1") return;
  const dirs = folders();
  const undici = findUndici(dirs);
  if (!undici) {
    failClosed(`undici was not found from ${dirs.join(" nor ")} to make it use the proxy`);
  } else if (typeof undici.EnvHttpProxyAgent !== "function") {
    failClosed("the undici found has no EnvHttpProxyAgent (it came in undici 6.14)");
  } else {
    undici.setGlobalDispatcher(new undici.EnvHttpProxyAgent());
  }
}

install();
