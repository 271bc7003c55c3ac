// Node's built-in fetch, unchanged, with only the env file's variables: a POST to
// plex.tv's pins (given as a string, a URL and a Request), a GET of the mock's health
// on loopback (MOCKPLEX_URL), and, given REDIRECTOR_URL, a GET of a loopback URL that
// redirects to plex.tv. Prints one JSON line: for each call, its status or how it failed.
"use strict";

async function outcome(call) {
  try {
    const response = await call();
    return { status: response.status, body: await response.text() };
  } catch (error) {
    return { error: error.name, code: error.code, message: error.message,
             cause: error.cause ? String(error.cause.message || error.cause) : null };
  }
}

async function main() {
  const pins = "https://plex.tv/api/v2/pins.json";
  const init = () => ({ method: "POST", headers: { "X-Plex-Client-Identifier": "node-fetch",
                                                   Accept: "application/json" } });
  const result = {
    string: await outcome(() => fetch(pins, init())),
    url: await outcome(() => fetch(new URL(pins), init())),
    request: await outcome(() => fetch(new Request(pins, init()))),
    health: await outcome(() => fetch(`${process.env.MOCKPLEX_URL}/_mockplex/health`)),
  };
  // A loopback URL that redirects to plex.tv: the redirect is fetch's own to follow.
  if (process.env.REDIRECTOR_URL) {
    result.redirect = await outcome(() => fetch(process.env.REDIRECTOR_URL));
  }
  console.log(JSON.stringify(result));
}

main();
