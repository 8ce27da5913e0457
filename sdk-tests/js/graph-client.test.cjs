// Drives tally over https with the unmodified Microsoft Graph JavaScript client
// (@microsoft/microsoft-graph-client): create, list with $filter paged by PageIterator, get,
// patch, delete, the report function, a batch through BatchRequestContent/BatchResponseContent,
// and a throttled call that the client's RetryHandler retries after Retry-After.
//
// Environment (sdk-tests/run.sh sets it): TALLY_URL (https://127.0.0.1:PORT), TALLY_THROTTLED_URL
// (a tally with --rate-limit 1), TALLY_TOKEN (an application token with Reports.ReadWrite.All),
// NODE_EXTRA_CA_CERTS (tally's self-signed certificate).
"use strict";

const assert = require("node:assert/strict");
const graph = require("@microsoft/microsoft-graph-client");
const { version } = require("@microsoft/microsoft-graph-client/package.json");
const { check, runChecks } = require("./harness.cjs");

const { Client, PageIterator, BatchRequestContent, BatchResponseContent, MiddlewareFactory } = graph;

const BASE = required("TALLY_URL");
const THROTTLED = required("TALLY_THROTTLED_URL");
const TOKEN = required("TALLY_TOKEN");
const COLLECTION = "/reports/azureADLicenseUsage";
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

/** A client with the default middleware chain (auth, retry, redirect, telemetry, fetch) and
 * a Recorder spliced in just before the fetch. */
function client(baseUrl, recorder) {
  const middleware = MiddlewareFactory.getDefaultMiddlewareChain({ getAccessToken: async () => TOKEN });
  middleware.splice(middleware.length - 1, 0, recorder);
  return Client.initWithMiddleware({ baseUrl: `${baseUrl}/`, defaultVersion: "v1.0", customHosts: CUSTOM_HOSTS, middleware });
}

/** Records each status the server answered, below the RetryHandler (so retries show). */
class Recorder {
  constructor() {
    this.seen = [];
  }
  async execute(context) {
    await this.next.execute(context);
    const headers = new Headers(context.options && context.options.headers);
    const url = typeof context.request === "string" ? context.request : context.request.url;
    this.seen.push({ url, status: context.response.status, retryAttempt: headers.get("Retry-Attempt") });
  }
  setNext(next) {
    this.next = next;
  }
}

const daysAgo = (days) => new Date(Date.now() - days * 86_400_000).toISOString();
const detail = (licenseType, total, assigned, used) => ({
  licenseType,
  totalLicenseCount: total,
  totalAssignedCount: assigned,
  totalUsageCount: used,
});

const recorder = new Recorder();
const api = client(BASE, recorder);
const created = [];

check("create answers 201's object with a server id", async () => {
  const body = { snapshotDateTime: daysAgo(1), licenseInfoDetails: [detail("premiumP2", 100, 90, 75)] };
  const snapshot = await api.api(COLLECTION).post(body);
  assert.match(snapshot.id, /^[0-9a-f-]{36}$/);
  assert.equal(snapshot["@odata.type"], "#microsoft.graph.azureADLicenseUsage");
  assert.equal(snapshot.snapshotDateTime, body.snapshotDateTime);
  assert.deepEqual(snapshot.licenseInfoDetails[0].totalUsageCount, 75);
  created.push(snapshot);
});

check("create more snapshots: premiumP2 in some, basic in others, one 40 days old", async () => {
  for (let i = 0; i < 6; i += 1) {
    const type = i % 2 === 0 ? "premiumP2" : "basic";
    const age = i === 5 ? 40 : 2 + i;
    created.push(await api.api(COLLECTION).post({ snapshotDateTime: daysAgo(age), licenseInfoDetails: [detail(type, 10 + i, 5, i)] }));
  }
  assert.equal(created.length, 7);
});

check("list with $filter, paged two at a time by PageIterator", async () => {
  const filter = "licenseInfoDetails/any(d: d/licenseType eq 'premiumP2')";
  const first = await api.api(COLLECTION).filter(filter).top(2).get();
  assert.ok(first["@odata.nextLink"].startsWith("https://"), "nextLink is https");
  const ids = [];
  const before = recorder.seen.length;
  const iterator = new PageIterator(api, first, (item) => {
    ids.push(item.id);
    return true;
  });
  await iterator.iterate();
  const followed = recorder.seen.slice(before);
  assert.ok(followed.every((s) => s.url.startsWith("https://") && s.url.includes("skiptoken") && s.status === 200));
  assert.ok(iterator.isComplete());
  const expected = created.filter((s) => s.licenseInfoDetails[0].licenseType === "premiumP2").map((s) => s.id);
  assert.deepEqual([...ids].sort(), [...expected].sort());
  assert.equal(followed.length, 1, "4 objects at 2 a page: one nextLink followed");
});

check("get one by id", async () => {
  const snapshot = await api.api(`${COLLECTION}/${created[0].id}`).get();
  assert.equal(snapshot.id, created[0].id);
  assert.equal(snapshot.snapshotDateTime, created[0].snapshotDateTime);
  assert.ok(snapshot["@odata.etag"].startsWith('W/"'));
});

check("patch answers the whole updated object", async () => {
  const body = { licenseInfoDetails: [detail("premiumP1", 1, 2, 15)] };
  const snapshot = await api.api(`${COLLECTION}/${created[0].id}`).patch(body);
  assert.equal(snapshot.id, created[0].id);
  assert.equal(snapshot.snapshotDateTime, created[0].snapshotDateTime, "untouched property kept");
  assert.equal(snapshot.licenseInfoDetails.length, 1);
  assert.equal(snapshot.licenseInfoDetails[0].licenseType, "premiumP1");
  assert.equal(snapshot.licenseInfoDetails[0].totalUsageCount, 15);
  const again = await api.api(`${COLLECTION}/${created[0].id}`).get();
  assert.deepEqual(again.licenseInfoDetails, snapshot.licenseInfoDetails);
});

check("getAzureADLicenseUsage(period='D7') answers the last week, oldest first", async () => {
  const report = await api.api("/reports/getAzureADLicenseUsage(period='D7')").get();
  const ids = report.value.map((s) => s.id);
  const week = created.filter((s) => Date.parse(s.snapshotDateTime) >= Date.now() - 7 * 86_400_000);
  assert.deepEqual([...ids].sort(), week.map((s) => s.id).sort());
  const times = report.value.map((s) => Date.parse(s.snapshotDateTime));
  assert.deepEqual(times, [...times].sort((a, b) => a - b));
  assert.ok(!ids.includes(created[6].id), "the 40-day-old snapshot is outside D7");
});

check("a bad $filter is a GraphError 400 BadRequest", async () => {
  await assert.rejects(api.api(COLLECTION).filter("snapshotDateTime gt").get(), (error) => {
    assert.equal(error.statusCode, 400);
    assert.equal(error.code, "BadRequest");
    return true;
  });
});

check("batch: create, get, delete, a 404 (serial dependsOn) through BatchRequestContent", async () => {
  const url = (path) => `${BASE}/v1.0${path}`;
  const json = { "Content-Type": "application/json" };
  const content = new BatchRequestContent([
    { id: "create", request: new Request(url(COLLECTION), { method: "POST", headers: json, body: JSON.stringify({ snapshotDateTime: daysAgo(3) }) }) },
    { id: "read", request: new Request(url(`${COLLECTION}/${created[1].id}`), { method: "GET" }), dependsOn: ["create"] },
    { id: "remove", request: new Request(url(`${COLLECTION}/${created[2].id}`), { method: "DELETE" }), dependsOn: ["read"] },
    { id: "missing", request: new Request(url(`${COLLECTION}/00000000-0000-0000-0000-000000000000`), { method: "GET" }), dependsOn: ["remove"] },
  ]);
  const answer = await api.api("/$batch").post(await content.getContent());
  const responses = new BatchResponseContent(answer);
  const create = responses.getResponseById("create");
  assert.equal(create.status, 201);
  const made = await create.json();
  assert.match(made.id, /^[0-9a-f-]{36}$/);
  const read = responses.getResponseById("read");
  assert.equal(read.status, 200);
  assert.equal((await read.json()).id, created[1].id);
  assert.equal(responses.getResponseById("remove").status, 204);
  const missing = responses.getResponseById("missing");
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error.code, "Request_ResourceNotFound");
  created.splice(2, 1);
  created.push(made);
});

check("delete, then get is a 404 Request_ResourceNotFound", async () => {
  const id = created[1].id;
  await api.api(`${COLLECTION}/${id}`).delete();
  await assert.rejects(api.api(`${COLLECTION}/${id}`).get(), (error) => {
    assert.equal(error.statusCode, 404);
    assert.equal(error.code, "Request_ResourceNotFound");
    return true;
  });
});

check("a throttled call (429 Retry-After) is retried by RetryHandler and succeeds", async () => {
  const seenThrottled = new Recorder();
  const throttled = client(THROTTLED, seenThrottled);
  // Spend the bucket (1 request/s, burst 2) with plain fetch, so the client's call is throttled.
  const statuses = [];
  for (let i = 0; i < 4; i += 1) {
    const response = await fetch(`${THROTTLED}/v1.0${COLLECTION}/$count`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    statuses.push(response.status);
    await response.arrayBuffer();
  }
  assert.ok(statuses.includes(429), `the bucket is spent: ${statuses}`);
  const started = Date.now();
  const list = await throttled.api(COLLECTION).top(1).get();
  assert.ok(Array.isArray(list.value));
  const seen = seenThrottled.seen.map((s) => s.status);
  assert.equal(seen[0], 429, `first answer throttled: ${seen}`);
  assert.equal(seen[seen.length - 1], 200, `last answer 200: ${seen}`);
  assert.equal(seenThrottled.seen[1].retryAttempt, "1", "the retry carries Retry-Attempt: 1");
  assert.ok(Date.now() - started >= 900, "waited for Retry-After");
});

async function main() {
  console.log(`@microsoft/microsoft-graph-client ${version} on node ${process.version}, against ${BASE}`);
  await runChecks();
}

main();
