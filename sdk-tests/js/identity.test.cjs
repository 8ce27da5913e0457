// Signs in to tally with the unmodified @azure/identity (client credentials, SPEC §12.4) and
// drives the unmodified Microsoft Graph JavaScript client with that credential through the
// client's own TokenCredentialAuthenticationProvider: no token is minted by tally's CLI or
// pasted anywhere; the app is registered with `tally app add` and the credential (msal-node
// underneath) asks tally's token endpoint, as it would ask Entra ID.
//
// Checks: getToken answers an application token of the app's tenant and roles that expires in
// the future; the client lists a SKU (set up through tally's own POST /subscribedSkus), creates a
// user and reads it back; a wrong secret is refused with AADSTS7000215 in the error, both from
// getToken and through the client; a second app without a directory role gets a GraphError 403.
//
// Environment (sdk-tests/run.sh sets it): TALLY_URL (https://127.0.0.1:PORT, also the authority
// host), TALLY_TENANT (a fresh tenant), TALLY_CLIENT_ID and TALLY_CLIENT_SECRET (an app there
// with Directory.ReadWrite.All and Reports.ReadWrite.All), TALLY_LIMITED_CLIENT_ID and
// TALLY_LIMITED_CLIENT_SECRET (an app there with Reports.Read.All only), NODE_EXTRA_CA_CERTS
// (tally's self-signed certificate).
"use strict";

const assert = require("node:assert/strict");
const { randomUUID } = require("node:crypto");
const { ClientSecretCredential } = require("@azure/identity");
const { Client } = require("@microsoft/microsoft-graph-client");
const { TokenCredentialAuthenticationProvider } = require("@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials");
const graphVersion = require("@microsoft/microsoft-graph-client/package.json").version;
const identityVersion = require("@azure/identity/package.json").version;
const msalVersion = require("@azure/msal-node/package.json").version;
const { check, runChecks } = require("./harness.cjs");

const BASE = required("TALLY_URL");
const TENANT = required("TALLY_TENANT");
const CLIENT_ID = required("TALLY_CLIENT_ID");
const SECRET = required("TALLY_CLIENT_SECRET");
const LIMITED_ID = required("TALLY_LIMITED_CLIENT_ID");
const LIMITED_SECRET = required("TALLY_LIMITED_CLIENT_SECRET");
required("NODE_EXTRA_CA_CERTS");
const SCOPE = "https://graph.microsoft.com/.default";
// tally is not a Microsoft host: the client sends the token only to hosts listed here.
const CUSTOM_HOSTS = new Set(["127.0.0.1", "localhost"]);

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set (run sdk-tests/run.sh)`);
    process.exit(2);
  }
  return value;
}

// The credential and the client, as a user builds them.
const credential = (clientId = CLIENT_ID, secret = SECRET) =>
  new ClientSecretCredential(TENANT, clientId, secret, { authorityHost: BASE, disableInstanceDiscovery: true });
const graphClient = (tokenCredential) =>
  Client.initWithMiddleware({
    baseUrl: `${BASE}/`,
    defaultVersion: "v1.0",
    customHosts: CUSTOM_HOSTS,
    authProvider: new TokenCredentialAuthenticationProvider(tokenCredential, { scopes: [SCOPE] }),
  });

const claims = (token) => JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
const api = graphClient(credential());
const run = randomUUID().slice(0, 8);
const skuId = randomUUID();
const users = [];

// An authentication failure names the Entra error code in its message.
const refusedWith = (code) => (error) => {
  assert.ok(
    ["AuthenticationError", "AuthenticationRequiredError", "CredentialUnavailableError"].includes(error.name),
    `${error.name}: ${error.message}`,
  );
  assert.match(error.message, new RegExp(code));
  return true;
};

check("ClientSecretCredential.getToken answers the app's token, expiring in about an hour", async () => {
  const now = Date.now();
  const token = await credential().getToken(SCOPE);
  assert.ok(token.expiresOnTimestamp > now + 3000 * 1000, `${token.expiresOnTimestamp} against ${now}`);
  const got = claims(token.token);
  assert.equal(got.tid, TENANT);
  assert.equal(got.appid, CLIENT_ID);
  assert.equal(got.azp, CLIENT_ID);
  assert.equal(got.idtyp, "app");
  assert.deepEqual([...got.roles].sort(), ["Directory.ReadWrite.All", "Reports.ReadWrite.All"]);
});

check("setup (tally only): a SKU through the client's POST /subscribedSkus, signed in by the credential", async () => {
  const sku = await api.api("/subscribedSkus").post({
    skuId,
    skuPartNumber: "ENTERPRISEPREMIUM",
    appliesTo: "User",
    capabilityStatus: "Enabled",
    prepaidUnits: { enabled: 3, suspended: 0, warning: 0, lockedOut: 0 },
    servicePlans: [],
  });
  assert.equal(sku.id, `${TENANT}_${skuId}`);
});

check("GET /subscribedSkus through the client lists the SKU", async () => {
  const page = await api.api("/subscribedSkus").get();
  assert.deepEqual(page.value.map((sku) => sku.skuId), [skuId]);
  assert.equal(page.value[0].prepaidUnits.enabled, 3);
  assert.equal(page.value[0].consumedUnits, 0);
});

check("POST /users then GET /users/{id} and /users/{userPrincipalName} through the client", async () => {
  const body = {
    accountEnabled: true,
    displayName: `IdJs${run} Ada`,
    mailNickname: `ada${run}`,
    userPrincipalName: `ada.${run}@contoso.example`,
    usageLocation: "US",
    passwordProfile: { forceChangePasswordNextSignIn: true, password: "xWwvJ]6NMw+bWH-d" },
  };
  const user = await api.api("/users").post(body);
  assert.equal(user.id.length, 36);
  users.push(user);
  const got = await api.api(`/users/${user.id}`).get();
  assert.equal(got.displayName, body.displayName);
  assert.equal(got.userPrincipalName, body.userPrincipalName);
  assert.equal((await api.api(`/users/${encodeURIComponent(body.userPrincipalName)}`).get()).id, user.id);
});

check("a wrong secret: getToken rejects (AuthenticationRequiredError) with AADSTS7000215", async () => {
  await assert.rejects(credential(CLIENT_ID, `${SECRET}x`).getToken(SCOPE), refusedWith("AADSTS7000215"));
});

check("a wrong secret: a call through the client is a GraphError naming the credential's error and AADSTS7000215", async () => {
  await assert.rejects(graphClient(credential(CLIENT_ID, `${SECRET}x`)).api("/users").get(), (error) => {
    // The client wraps what getToken threw: its name becomes the GraphError's code, and no
    // request reached Graph (statusCode -1).
    assert.equal(error.constructor.name, "GraphError");
    assert.equal(error.statusCode, -1);
    return refusedWith("AADSTS7000215")({ name: error.code, message: error.message });
  });
});

check("an app with Reports.Read.All only: GraphError 403 Authorization_RequestDenied", async () => {
  const limited = credential(LIMITED_ID, LIMITED_SECRET);
  assert.deepEqual(claims((await limited.getToken(SCOPE)).token).roles, ["Reports.Read.All"]);
  const denied = graphClient(limited);
  for (const path of ["/users", `/users/${users[0].id}`]) {
    await assert.rejects(denied.api(path).get(), (error) => {
      assert.equal(error.statusCode, 403, `${path}: ${error.statusCode} ${error.message}`);
      assert.equal(error.code, "Authorization_RequestDenied");
      return true;
    });
  }
});

async function main() {
  console.log(
    `@azure/identity ${identityVersion} (@azure/msal-node ${msalVersion}), @microsoft/microsoft-graph-client ${graphVersion} on node ${process.version}, against ${BASE} (sign-in)`,
  );
  await runChecks();
}

main();
