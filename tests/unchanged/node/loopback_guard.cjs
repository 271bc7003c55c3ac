// A test guard, loaded with --require before anything else: no name lookup and no
// connection off loopback. A lookup of any other host (dns.lookup, dns.promises.lookup,
// which Node's own fetch and net/tls use) or a connection to a literal address off
// loopback fails at once, before any packet, and is reported: a marker line on stderr
// ("loopback-guard: refused ...") and exit status 86 however the program ends.
"use strict";
const dns = require("node:dns");
const net = require("node:net");

const EXIT = 86;
const refused = [];

function isLoopback(host) {
  const name = String(host).replace(/^\[|\]$/g, "").replace(/\.$/, "").toLowerCase();
  if (name === "localhost") return true;
  if (net.isIPv4(name)) return name.startsWith("127.");
  if (net.isIPv6(name)) return name === "::1" || /^::ffff:127\./.test(name);
  return false;
}

function refuse(what, host) {
  refused.push(host);
  process.stderr.write(`loopback-guard: refused ${what} ${host}\n`);
  process.exitCode = EXIT;
  const error = new Error(`loopback-guard: refused ${what} ${host}`);
  error.code = "ENOTFOUND";
  error.hostname = host;
  return error;
}

const lookup = dns.lookup;
dns.lookup = function guardedLookup(hostname, options, callback) {
  if (!isLoopback(hostname)) {
    const done = typeof options === "function" ? options : callback;
    const error = refuse("a lookup of", hostname);
    process.nextTick(() => done(error));
    return {};
  }
  return lookup.apply(this, arguments);
};

const promisesLookup = dns.promises.lookup;
dns.promises.lookup = function guardedPromisesLookup(hostname) {
  if (!isLoopback(hostname)) return Promise.reject(refuse("a lookup of", hostname));
  return promisesLookup.apply(this, arguments);
};

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const first = args[0];
  const options = first !== null && typeof first === "object" ? first : null;
  const host = options ? options.host : (typeof args[1] === "string" ? args[1] : undefined);
  const path = options ? options.path : (typeof first === "string" ? first : undefined);
  if (path === undefined && host !== undefined && net.isIP(String(host)) && !isLoopback(host)) {
    const error = refuse("a connection to", host);
    process.nextTick(() => this.destroy(error));
    return this;
  }
  return connect.apply(this, args);
};

process.on("exit", () => {
  if (refused.length) process.exitCode = EXIT;
});
