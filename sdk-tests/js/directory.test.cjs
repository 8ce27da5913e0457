// Drives tally's directory API (SPEC §12.2) over https with the unmodified Microsoft Graph
// JavaScript client (@microsoft/microsoft-graph-client): a SKU (tally's own POST /subscribedSkus)
// and users, assignLicense inside a JSON batch through BatchRequestContent/BatchResponseContent,
// consumedUnits read back, a $filter on assignedLicenses, and the GraphError of a license with no
// free unit, both as a batch item and as a plain call; then a subscription (SPEC §13.2) of that
// SKU, listed with $filter, whose licenses become the SKU's units.
//
// Environment (sdk-tests/run.sh sets it): TALLY_URL (https://127.0.0.1:PORT), TALLY_TOKEN (an
// application token with Directory.ReadWrite.All in a fresh tenant), NODE_EXTRA_CA_CERTS (tally's
// self-signed certificate).
"use strict";

const assert = require("node:assert/strict");
const { randomUUID } = require("node:crypto");
const graph = require("@microsoft/microsoft-graph-client");
const { version } = require("@microsoft/microsoft-graph-client/package.json");
const { check, runChecks } = require("./harness.cjs");

const { Client, BatchRequestContent, BatchResponseContent } = graph;

const BASE = required("TALLY_URL");
const TOKEN = required("TALLY_TOKEN");
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

const api = Client.initWithMiddleware({
  baseUrl: `${BASE}/`,
  defaultVersion: "v1.0",
  customHosts: CUSTOM_HOSTS,
  authProvider: { getAccessToken: async () => TOKEN },
});

const tenant = JSON.parse(Buffer.from(TOKEN.split(".")[1], "base64url").toString()).tid;
const run = randomUUID().slice(0, 8);
const skuId = randomUUID();
const planId = randomUUID();
const skuObjectId = `${tenant}_${skuId}`;
const users = [];

const url = (path) => `${BASE}/v1.0${path}`;
const json = { "Content-Type": "application/json" };
const userBody = (name) => ({
  accountEnabled: true,
  displayName: `Js${run} ${name}`,
  mailNickname: `${name.toLowerCase()}${run}`,
  userPrincipalName: `${name.toLowerCase()}.${run}@contoso.example`,
  usageLocation: "US",
  passwordProfile: { forceChangePasswordNextSignIn: true, password: "xWwvJ]6NMw+bWH-d" },
});
const assignBody = (add, remove = []) => ({
  addLicenses: add.map((id) => ({ skuId: id, disabledPlans: [] })),
  removeLicenses: remove,
});

check("setup (tally only): a SKU with one unit through the client's POST /subscribedSkus", async () => {
  const sku = await api.api("/subscribedSkus").post({
    skuId,
    skuPartNumber: "ENTERPRISEPREMIUM",
    appliesTo: "User",
    capabilityStatus: "Enabled",
    prepaidUnits: { enabled: 1, suspended: 0, warning: 0, lockedOut: 0 },
    servicePlans: [{ servicePlanId: planId, servicePlanName: "AAD_PREMIUM", provisioningStatus: "Success", appliesTo: "User" }],
  });
  assert.equal(sku.id, skuObjectId);
  assert.equal(sku.skuId, skuId);
  assert.equal(sku.consumedUnits, 0);
  assert.deepEqual(sku.prepaidUnits, { enabled: 1, suspended: 0, warning: 0, lockedOut: 0 });
});

check("POST /users answers 201's user (two users)", async () => {
  for (const name of ["Ada", "Bea"]) {
    const body = userBody(name);
    const user = await api.api("/users").post(body);
    assert.match(user.id, /^[0-9a-f-]{36}$/);
    assert.equal(user.userPrincipalName, body.userPrincipalName);
    assert.ok(user.passwordProfile == null, "the password is never returned");
    users.push(user);
  }
});

check("batch: assignLicense answers 200 with the user, then consumedUnits is 1 (dependsOn)", async () => {
  const content = new BatchRequestContent([
    {
      id: "assign",
      request: new Request(url(`/users/${users[0].id}/assignLicense`), { method: "POST", headers: json, body: JSON.stringify(assignBody([skuId])) }),
    },
    { id: "sku", request: new Request(url(`/subscribedSkus/${skuObjectId}`), { method: "GET" }), dependsOn: ["assign"] },
    { id: "details", request: new Request(url(`/users/${users[0].id}/licenseDetails`), { method: "GET" }), dependsOn: ["assign"] },
  ]);
  const responses = new BatchResponseContent(await api.api("/$batch").post(await content.getContent()));
  const assign = responses.getResponseById("assign");
  assert.equal(assign.status, 200);
  assert.equal((await assign.json()).id, users[0].id);
  const sku = responses.getResponseById("sku");
  assert.equal(sku.status, 200);
  assert.equal((await sku.json()).consumedUnits, 1);
  const details = responses.getResponseById("details");
  assert.equal(details.status, 200);
  const value = (await details.json()).value;
  assert.equal(value.length, 1);
  assert.equal(value[0].skuId, skuId);
  // and outside the batch
  assert.equal((await api.api(`/subscribedSkus/${skuObjectId}`).get()).consumedUnits, 1);
});

check("$filter assignedLicenses/any(...) with $select finds the licensed user only", async () => {
  const page = await api
    .api("/users")
    .filter(`assignedLicenses/any(x:x/skuId eq ${skuId})`)
    .select("id,assignedLicenses")
    .get();
  assert.deepEqual(page.value.map((u) => u.id), [users[0].id]);
  assert.deepEqual(page.value[0].assignedLicenses, [{ skuId, disabledPlans: [] }]);
});

check("batch: assignLicense with no free unit is a 400 Request_BadRequest item; consumedUnits stays 1", async () => {
  const content = new BatchRequestContent([
    {
      id: "assign",
      request: new Request(url(`/users/${encodeURIComponent(users[1].userPrincipalName)}/assignLicense`), { method: "POST", headers: json, body: JSON.stringify(assignBody([skuId])) }),
    },
    { id: "after", request: new Request(url(`/subscribedSkus/${skuObjectId}`), { method: "GET" }), dependsOn: ["assign"] },
  ]);
  const responses = new BatchResponseContent(await api.api("/$batch").post(await content.getContent()));
  const assign = responses.getResponseById("assign");
  assert.equal(assign.status, 400);
  assert.equal((await assign.json()).error.code, "Request_BadRequest");
  assert.equal(responses.getResponseById("after").status, 424, "an item after a failed one is 424");
  assert.equal((await api.api(`/subscribedSkus/${skuObjectId}`).get()).consumedUnits, 1);
});

check("assignLicense with no free unit, outside a batch, is a GraphError 400 Request_BadRequest", async () => {
  await assert.rejects(api.api(`/users/${users[1].id}/assignLicense`).post(assignBody([skuId])), (error) => {
    assert.equal(error.statusCode, 400);
    assert.equal(error.code, "Request_BadRequest");
    return true;
  });
});

check("batch: removeLicenses frees the unit and the other user gets it", async () => {
  const content = new BatchRequestContent([
    {
      id: "remove",
      request: new Request(url(`/users/${users[0].id}/assignLicense`), { method: "POST", headers: json, body: JSON.stringify(assignBody([], [skuId])) }),
    },
    {
      id: "give",
      request: new Request(url(`/users/${users[1].id}/assignLicense`), { method: "POST", headers: json, body: JSON.stringify(assignBody([skuId])) }),
      dependsOn: ["remove"],
    },
  ]);
  const responses = new BatchResponseContent(await api.api("/$batch").post(await content.getContent()));
  assert.equal(responses.getResponseById("remove").status, 200);
  assert.equal(responses.getResponseById("give").status, 200);
  assert.equal((await api.api(`/subscribedSkus/${skuObjectId}`).get()).consumedUnits, 1);
  const details = await api.api(`/users/${users[1].id}/licenseDetails`).get();
  assert.deepEqual(details.value.map((d) => d.skuId), [skuId]);
});

check("subscriptions (SPEC §13.2): POST one (Warning 2), list it with $filter, the SKU's units are its", async () => {
  const posted = await api.api("/directory/subscriptions").post({ skuId, status: "Warning", totalLicenses: 2 });
  const page = await api.api("/directory/subscriptions").filter("status eq 'Warning'").select("id,skuId,totalLicenses").get();
  assert.deepEqual(page.value.map((s) => [s.id, s.skuId, s.totalLicenses]), [[posted.id, skuId, 2]]);
  const sku = await api.api(`/subscribedSkus/${skuObjectId}`).get();
  assert.deepEqual(sku.prepaidUnits, { enabled: 0, suspended: 0, warning: 2, lockedOut: 0 });
  assert.deepEqual(sku.subscriptionIds, [posted.commerceSubscriptionId]);
});

async function main() {
  console.log(`@microsoft/microsoft-graph-client ${version} on node ${process.version}, against ${BASE} (directory)`);
  await runChecks();
}

main();
