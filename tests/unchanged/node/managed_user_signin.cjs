// An unchanged Node client from npm, plex-api-credentials (phillipj): a managed user's
// sign-in. It signs the home's owner in (POST https://plex.tv/users/sign_in.xml, basic
// auth), finds the managed user by title in GET /api/home/users, switches to it
// (POST /api/home/users/<id>/switch, ?pin= when the user is protected) and reads the
// first server's access token from GET /api/resources as that user.
//
// Usage: node managed_user_signin.cjs FOLDER LOGIN PASSWORD TITLE [PIN]
// (FOLDER holds node_modules/plex-api-credentials.) Prints {"token": ...} or
// {"error": ...} as one JSON line; exits 0 either way once the library has answered.
const path = require("path");
const [folder, username, password, name, pin] = process.argv.slice(2);
const credentials = require(path.join(folder, "node_modules", "plex-api-credentials"));

// What the library reads of the plex-api object it authenticates: its options.
const plexApi = { options: { identifier: "mockplex-creds-client", product: "Unchanged",
                             version: "1.0", deviceName: "CI" } };
const authenticator = credentials({ username, password, managedUser: { name, pin } });
authenticator.authenticate(plexApi, (error, token) => {
  console.log(JSON.stringify(error ? { error: String(error.message || error) } : { token }));
});
