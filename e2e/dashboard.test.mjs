// The dashboard, end to end, in real headless Chromium: start `tally serve` on a free port,
// seed 180 days of three license types through the API, open the link `tally dashboard` prints,
// switch periods with the keyboard and the mouse, check that the page's numbers equal the API's,
// download the CSV, check sign-in, security headers and contrast, and save a screenshot. Then
// seed SKUs and users and assign licenses through the API, and check that the Licenses view shows
// what was seeded (units bought, assigned and free; the holders of a SKU, page by page), its
// empty state and its errors, and save a screenshot of it. Then, with sign-in dates and premium
// feature use seeded too, check that the Insight view shows the API's entitlement and feature
// counts and marks the over-used feature, that the Reclaim view lists the inactive holders and
// the units they hold (page by page), that its CSV holds every one of them, and that a tenant
// without P1 or P2 is told so; and save screenshots of both. The Usage tab's month-over-month
// change is checked against the API's snapshots in every period; the Subscriptions and Costs
// views have their own modules (subscriptions.checks.mjs, costs.checks.mjs).
//
// Environment: TALLY_BIN (default target/debug/tally), CHROMIUM (default /usr/bin/chromium),
// TALLY_E2E_SCREENSHOT (default docs/dashboard.png), TALLY_E2E_LICENSES_SCREENSHOT (default
// docs/licenses.png), TALLY_E2E_INSIGHT_SCREENSHOT (default docs/insight.png),
// TALLY_E2E_RECLAIM_SCREENSHOT (default docs/reclaim.png), TALLY_E2E_SUBSCRIPTIONS_SCREENSHOT
// (default docs/subscriptions.png), TALLY_E2E_COSTS_SCREENSHOT (default docs/costs.png). Exits
// non-zero when a check fails.

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import {
  snapshots, DAYS, SKUS, USERS, GUESTS, expectedSku, signInActivity, featureUsage, expectedInsight, expectedReclaim,
  subscriptionBodies, priceBodies,
} from './seed.mjs';
import { contrastProblems } from './contrast.mjs';
import { check, expect, expectEqual, fail, summary, unserved } from './runner.mjs';
import { expectedChange } from './month-over-month.expect.mjs';
import { subscriptionChecks } from './subscriptions.checks.mjs';
import { costChecks } from './costs.checks.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = process.env.TALLY_BIN || path.join(ROOT, 'target/debug/tally');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SCREENSHOT = process.env.TALLY_E2E_SCREENSHOT || path.join(ROOT, 'docs/dashboard.png');
const LICENSES_SCREENSHOT = process.env.TALLY_E2E_LICENSES_SCREENSHOT || path.join(ROOT, 'docs/licenses.png');
const INSIGHT_SCREENSHOT = process.env.TALLY_E2E_INSIGHT_SCREENSHOT || path.join(ROOT, 'docs/insight.png');
const RECLAIM_SCREENSHOT = process.env.TALLY_E2E_RECLAIM_SCREENSHOT || path.join(ROOT, 'docs/reclaim.png');
const SUBSCRIPTIONS_SCREENSHOT = process.env.TALLY_E2E_SUBSCRIPTIONS_SCREENSHOT || path.join(ROOT, 'docs/subscriptions.png');
const COSTS_SCREENSHOT = process.env.TALLY_E2E_COSTS_SCREENSHOT || path.join(ROOT, 'docs/costs.png');
const RECLAIM_TYPES = ['premiumP2', 'premiumP1', 'basic'];
const TENANT = '3f2b9c4e-8a71-4d2e-9b6f-5c1d7e0a4b28';
const OTHER_TENANT = 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';
const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// ---- the server ----------------------------------------------------------------------------

function tally(args) {
  return execFileSync(BIN, args, { encoding: 'utf8' }).trim();
}

/** Starts `tally serve` on port 0 and resolves with the base URL it prints. */
function startServer(dataDir) {
  const child = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-4000); });
  const base = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tally serve did not start:\n${stderr}`)), 30000);
    child.on('exit', (code) => reject(new Error(`tally serve exited with ${code}:\n${stderr}`)));
    readline.createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      const match = /^listening on (http:\/\/\S+)$/.exec(line);
      if (match) resolve(match[1]);
      else reject(new Error(`unexpected first line: ${line}`));
    });
  });
  return { child, base };
}

async function api(base, token, method, url, body) {
  const response = await fetch(url.startsWith('http') ? url : base + url, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** The report for `period` as the API gives it, following every nextLink. */
async function report(base, token, period) {
  let url = `/v1.0/reports/getAzureADLicenseUsage(period='${period}')`;
  const all = [];
  while (url) {
    const { status, body } = await api(base, token, 'GET', url);
    expect(status === 200, `report ${period}: HTTP ${status} ${JSON.stringify(body)}`);
    all.push(...body.value);
    url = body['@odata.nextLink'];
  }
  return all;
}

async function seed(base, token, bodies) {
  const queue = bodies.slice();
  const worker = async () => {
    for (let body = queue.shift(); body; body = queue.shift()) {
      const { status } = await api(base, token, 'POST', '/v1.0/reports/azureADLicenseUsage', body);
      expect(status === 201, `seeding: HTTP ${status}`);
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
}

/**
 * The SKUs, their subscriptions, the users (members with their sign-in activity `now`, and
 * guests), the assignments and the premium feature use of seed.mjs, through the API; resolves to
 * the users' ids by nickname.
 */
async function seedDirectory(base, token, now) {
  for (const sku of SKUS) {
    const { status, body } = await api(base, token, 'POST', '/v1.0/subscribedSkus', sku.body);
    expect(status === 201, `POST subscribedSkus ${sku.body.skuPartNumber}: HTTP ${status} ${JSON.stringify(body)}`);
  }
  for (const subscription of subscriptionBodies(now)) {
    const { status, body } = await api(base, token, 'POST', '/v1.0/directory/subscriptions', subscription);
    expect(status === 201, `POST directory/subscriptions ${JSON.stringify(subscription)}: HTTP ${status} ${JSON.stringify(body)}`);
  }
  const ids = {};
  for (const user of [...USERS, ...GUESTS]) {
    const activity = signInActivity(user.mailNickname, now);
    const { status, body } = await api(base, token, 'POST', '/v1.0/users', activity ? { ...user, signInActivity: activity } : user);
    expect(status === 201 && body && body.id, `POST users ${user.userPrincipalName}: HTTP ${status} ${JSON.stringify(body)}`);
    ids[user.mailNickname] = body.id;
  }
  for (const record of featureUsage(ids, now)) {
    const { status, body } = await api(base, token, 'POST', '/beta/reports/azureADUserFeatureUsage', record);
    expect(status === 201, `POST azureADUserFeatureUsage ${record.userPrincipalName}: HTTP ${status} ${JSON.stringify(body)}`);
  }
  for (const user of USERS) {
    const skus = SKUS.filter((sku) => sku.holders.includes(user.mailNickname));
    if (!skus.length) continue;
    const assignment = { addLicenses: skus.map((sku) => ({ skuId: sku.body.skuId, disabledPlans: [] })), removeLicenses: [] };
    const { status, body } = await api(base, token, 'POST', `/v1.0/users/${ids[user.mailNickname]}/assignLicense`, assignment);
    expect(status === 200, `assignLicense ${user.userPrincipalName}: HTTP ${status} ${JSON.stringify(body)}`);
  }
  return ids;
}

/** The prices of seed.mjs; false when the server has no licensePrices endpoint (404). */
async function seedPrices(base, token) {
  for (const { skuId, part, body } of priceBodies()) {
    const reply = await api(base, token, 'PUT', `/beta/reports/licensePrices/${skuId}`, body);
    if (unserved(reply)) return false;
    expect(reply.status === 200, `PUT licensePrices ${part}: HTTP ${reply.status} ${JSON.stringify(reply.body)}`);
  }
  return true;
}

// ---- what the page shows -------------------------------------------------------------------

async function waitReady(page, period) {
  await page.waitForSelector(`body[data-state="ready"][data-period="${period}"]`, { timeout: 20000 });
}

const digits = (text) => text.replace(/[^\d]/g, '');

/** Compares the latest-snapshot table and every license type's chart and table with `expected`. */
async function checkPage(page, period, expected) {
  const latest = expected[expected.length - 1];
  const status = await page.textContent('#status');
  expect(status.includes(`${expected.length} snapshots`), `status "${status}" should count ${expected.length} snapshots`);

  const rows = await page.$$eval('#latest tbody tr', (trs) => trs.map((tr) => ({
    type: tr.dataset.licenseType,
    cells: Object.fromEntries([...tr.querySelectorAll('[data-field]')].map((td) => [td.dataset.field, td.innerText.trim()])),
  })));
  expectEqual(rows.map((r) => r.type).sort(), latest.licenseInfoDetails.map((d) => d.licenseType).sort(), 'latest table types');
  for (const detail of latest.licenseInfoDetails) {
    const row = rows.find((r) => r.type === detail.licenseType);
    const shown = (n) => (n == null ? '—' : String(n));
    expectEqual(digits(row.cells.total) || row.cells.total, shown(detail.totalLicenseCount), `${detail.licenseType} total`);
    expectEqual(digits(row.cells.assigned) || row.cells.assigned, shown(detail.totalAssignedCount), `${detail.licenseType} assigned`);
    expectEqual(digits(row.cells.used) || row.cells.used, shown(detail.totalUsageCount), `${detail.licenseType} used`);
    const over = detail.totalAssignedCount > detail.totalLicenseCount;
    expect(row.cells.status.includes('Over-assigned') === over, `${detail.licenseType} over-assigned mark: ${row.cells.status}`);
    if (detail.totalUsageCount != null) {
      expectEqual(digits(row.cells.idle), String(Math.max(detail.totalLicenseCount - detail.totalUsageCount, 0)), `${detail.licenseType} idle`);
      const idle = detail.totalUsageCount / detail.totalLicenseCount < 0.8;
      expect(row.cells.status.includes('Idle') === idle, `${detail.licenseType} idle mark: ${row.cells.status}`);
    }
  }

  const types = [...new Set(expected.flatMap((s) => s.licenseInfoDetails.map((d) => d.licenseType)))];
  const cards = await page.$$eval('#types section', (sections) => sections.map((s) => s.dataset.licenseType));
  expectEqual(cards.slice().sort(), types.slice().sort(), `${period} license type cards`);
  for (const type of types) {
    const points = expected.flatMap((s) => s.licenseInfoDetails.filter((d) => d.licenseType === type));
    const shown = await page.evaluate((t) => {
      const section = document.querySelector(`#types section[data-license-type="${t}"]`);
      const counts = window.Chart.getChart(section.querySelector('canvas.counts'));
      const util = window.Chart.getChart(section.querySelector('canvas.utilization'));
      return {
        labels: counts.data.labels.length,
        total: counts.data.datasets[0].data,
        assigned: counts.data.datasets[1].data,
        used: counts.data.datasets[2].data,
        utilPoints: util.data.datasets[0].data.length,
        tableRows: section.querySelectorAll('.series tbody tr').length,
        tableUsed: [...section.querySelectorAll('.series tbody [data-field="used"]')].map((td) => td.dataset.value),
      };
    }, type);
    expectEqual(shown.labels, points.length, `${period} ${type} chart points`);
    expectEqual(shown.utilPoints, points.length, `${period} ${type} utilization points`);
    expectEqual(shown.tableRows, points.length, `${period} ${type} data table rows`);
    expectEqual(shown.total, points.map((d) => d.totalLicenseCount), `${period} ${type} chart totals`);
    expectEqual(shown.assigned, points.map((d) => d.totalAssignedCount), `${period} ${type} chart assigned`);
    expectEqual(shown.used, points.map((d) => d.totalUsageCount), `${period} ${type} chart used`);
    expectEqual(shown.tableUsed, points.map((d) => (d.totalUsageCount == null ? '' : String(d.totalUsageCount))), `${period} ${type} table used`);
    await checkChange(page, period, type, expectedChange(expected, type));
  }
}

/** A license type's month-over-month box against what the API's snapshots give. */
async function checkChange(page, period, type, want) {
  const shown = await page.evaluate((t) => {
    const box = document.querySelector(`#types section[data-license-type="${t}"] .mom`);
    const figure = (key) => {
      const f = box.querySelector(`[data-field="${key}"]`);
      return { change: f.dataset.change, share: f.dataset.share, text: f.querySelector('.mom-change').innerText.trim(), shareText: f.querySelector('.mom-share').innerText.trim() };
    };
    return {
      from: box.dataset.from, to: box.dataset.to,
      figures: !box.querySelector('.mom-figures').hidden, none: !box.querySelector('.mom-none').hidden,
      assigned: figure('assigned'), used: figure('used'),
    };
  }, type);
  const what = `${period} ${type} month over month`;
  expectEqual([shown.from, shown.to], [want.from ? want.from.at : '', want.to.at], `${what}: snapshots compared`);
  expectEqual([shown.figures, shown.none], [!!want.from, !want.from], `${what}: figures or the reason there are none`);
  if (!want.from) return;
  for (const key of ['assigned', 'used']) {
    const w = want[key];
    expectEqual(shown[key], w ? { change: String(w.change), share: w.percent == null ? '' : String(w.percent), text: w.text, shareText: w.shareText }
      : { change: '', share: '', text: 'n/a', shareText: '' }, `${what}: ${key}`);
  }
}

/** Every inactive holder of `type` as the API gives them, following every nextLink, and the counts. */
async function reclaimList(base, token, type) {
  let url = `/beta/reports/licenseReclaim?licenseType=${type}&$count=true&$top=999`;
  const rows = [];
  let counts = null;
  while (url) {
    const { status, body } = await api(base, token, 'GET', url);
    expect(status === 200, `licenseReclaim ${type}: HTTP ${status} ${JSON.stringify(body)}`);
    counts = counts || { users: body['@odata.count'], units: body['@tally.unitCount'] };
    rows.push(...body.value);
    url = body['@odata.nextLink'];
  }
  return { rows, ...counts };
}

/** The Insight view's feature table: feature → its cells' text, and each cell's data-value. */
async function featureRows(page) {
  const rows = await page.$$eval('#features tbody tr', (trs) => trs.map((tr) => [tr.dataset.feature,
    Object.fromEntries([...tr.querySelectorAll('[data-field]')].map((td) => [td.dataset.field, { text: td.innerText.trim(), value: td.dataset.value }]))]));
  return Object.fromEntries(rows);
}

async function openLicenses(page) {
  await page.click('#tab-licenses');
  await page.waitForSelector('#licenses[data-state="ready"]', { timeout: 20000 });
}

/** The Licenses table: skuId → its cells' text. */
async function skuRows(page) {
  const rows = await page.$$eval('#skus > tbody > tr[data-sku-id]', (trs) => trs.map((tr) => [tr.dataset.skuId,
    Object.fromEntries([...tr.querySelectorAll(':scope > [data-field]')].map((td) => [td.dataset.field, td.innerText.trim()]))]));
  return Object.fromEntries(rows);
}

/** Opens a SKU's holder list and presses "Show more" until it is complete; resolves to [displayName, upn] rows. */
async function allHolders(page, skuId) {
  const list = `#holders-${skuId}`;
  await page.click(`tr[data-sku-id="${skuId}"] .holders-toggle`);
  for (let presses = 0; ; presses += 1) {
    await page.waitForSelector(`${list} .holders[data-state="ready"]`, { timeout: 20000 });
    if (await page.$(`${list} .holders[data-complete="true"]`)) break;
    expect(presses < 20, 'Show more never ends');
    await page.click(`${list} button.more`);
  }
  return page.$$eval(`${list} .holder-list tbody tr`, (trs) => trs.map((tr) => [...tr.children].map((c) => c.innerText.trim())));
}

// ---- the run -------------------------------------------------------------------------------

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tally-e2e-'));
  const server = startServer(dataDir);
  let browser;
  try {
    const base = await server.base;
    console.log(`# tally at ${base}, data in ${dataDir}`);
    const writer = tally(['token', '--tenant', TENANT, '--app', '--data-dir', dataDir]);
    const now = Date.now();
    await seed(base, writer, snapshots(now));
    const otherWriter = tally(['token', '--tenant', OTHER_TENANT, '--app', '--data-dir', dataDir]);
    await seed(base, otherWriter, [{
      snapshotDateTime: new Date(now - 3600e3).toISOString(),
      licenseInfoDetails: [{ licenseType: 'basic', totalLicenseCount: 1, totalAssignedCount: 1, totalUsageCount: 1 }],
    }]);
    console.log(`# seeded ${DAYS + 1} snapshots for ${TENANT} and 1 for another tenant`);
    const directoryWriter = tally(['token', '--tenant', TENANT, '--app', '--role', 'Directory.ReadWrite.All',
      '--role', 'Reports.ReadWrite.All', '--data-dir', dataDir]);
    const userIds = await seedDirectory(base, directoryWriter, now);
    console.log(`# seeded ${SKUS.length} SKUs, ${USERS.length} members and ${GUESTS.length} guests, ` +
      `${SKUS.reduce((n, sku) => n + sku.holders.length, 0)} licenses assigned, ${featureUsage(userIds, now).length} feature usage records`);
    const pricesSeeded = await seedPrices(base, directoryWriter);
    console.log(pricesSeeded ? `# seeded ${priceBodies().length} prices`
      : '# !!! PUT /beta/reports/licensePrices is not served: no prices seeded, the Costs view will be skipped');

    const link = tally(['dashboard', '--tenant', TENANT, '--url', base, '--data-dir', dataDir]);
    const token = link.slice(link.indexOf('#token=') + 7);

    await check('tally dashboard prints BASE/#token=<jwt>', async () => {
      expect(new RegExp(`^${base.replace(/[.]/g, '\\.')}/#token=[\\w-]+\\.[\\w-]+\\.[\\w-]+$`).test(link), link);
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
      expectEqual(claims.roles, ['Reports.Read.All', 'LicenseAssignment.Read.All', 'User.Read.All', 'AuditLog.Read.All'], 'roles');
      expectEqual(claims.tid, TENANT, 'tid');
      expectEqual(claims.exp - claims.iat, 3600, 'lifetime');
    });

    await check("the link's token reads but cannot write", async () => {
      const read = await api(base, token, 'GET', "/v1.0/reports/getAzureADLicenseUsage(period='D7')");
      expectEqual(read.status, 200, 'read');
      const write = await api(base, token, 'POST', '/v1.0/reports/azureADLicenseUsage', { snapshotDateTime: '2026-01-01T00:00:00Z' });
      expectEqual(write.status, 403, 'write');
    });

    await check("the link's token reads SKUs and users but cannot write them", async () => {
      expectEqual((await api(base, token, 'GET', '/v1.0/subscribedSkus')).status, 200, 'GET subscribedSkus');
      expectEqual((await api(base, token, 'GET', '/v1.0/users?$top=1')).status, 200, 'GET users');
      const sku = { skuId: '6fd2c87f-b296-42f0-b197-1e91e994b900', skuPartNumber: 'ENTERPRISEPACK', prepaidUnits: { enabled: 1, suspended: 0, warning: 0, lockedOut: 0 } };
      expectEqual((await api(base, token, 'POST', '/v1.0/subscribedSkus', sku)).status, 403, 'POST subscribedSkus');
      expectEqual((await api(base, token, 'POST', '/v1.0/users', { ...USERS[0], userPrincipalName: 'x@contoso.example', mailNickname: 'x' })).status, 403, 'POST users');
      const assign = { addLicenses: [{ skuId: SKUS[3].body.skuId, disabledPlans: [] }], removeLicenses: [] };
      expectEqual((await api(base, token, 'POST', `/v1.0/users/${userIds.MiriamG}/assignLicense`, assign)).status, 403, 'assignLicense');
    });

    await check('the API counts what was seeded: units bought and assigned per SKU, holders per SKU', async () => {
      const { status, body } = await api(base, token, 'GET', '/v1.0/subscribedSkus');
      expectEqual(status, 200, 'GET subscribedSkus');
      expectEqual(body.value.map((s) => s.skuId).sort(), SKUS.map((s) => s.body.skuId).sort(), 'skuIds');
      for (const sku of SKUS) {
        const got = body.value.find((s) => s.skuId === sku.body.skuId);
        const want = expectedSku(sku);
        expectEqual([got.skuPartNumber, got.prepaidUnits.enabled, got.prepaidUnits.warning, got.consumedUnits],
          [want.name, want.bought, want.warning, want.assigned], `${want.name} as GET subscribedSkus gives it`);
      }
      const filter = encodeURIComponent(`assignedLicenses/any(x:x/skuId eq ${SKUS[0].body.skuId})`);
      const holders = await api(base, token, 'GET', `/v1.0/users?$filter=${filter}&$select=id,displayName,userPrincipalName&$top=999`);
      expectEqual(holders.status, 200, `GET users?$filter=${decodeURIComponent(filter)}`);
      expectEqual(holders.body.value.map((u) => u.userPrincipalName).sort(),
        SKUS[0].holders.map((n) => `${n}@contoso.example`).sort(), `holders of ${SKUS[0].body.skuPartNumber}`);
    });

    await check('the page and its files are served with their types and a strict CSP', async () => {
      for (const [url, type] of [['/', 'text/html'], ['/dashboard/app.js', 'text/javascript'],
        ['/dashboard/style.css', 'text/css'], ['/dashboard/chart.umd.js', 'text/javascript'],
        ['/dashboard/licenses.js', 'text/javascript'], ['/dashboard/insight.js', 'text/javascript'],
        ['/dashboard/reclaim.js', 'text/javascript'], ['/dashboard/subscriptions.js', 'text/javascript'],
        ['/dashboard/costs.js', 'text/javascript'], ['/dashboard/month-over-month.js', 'text/javascript']]) {
        const response = await fetch(base + url);
        expectEqual(response.status, 200, url);
        expect(response.headers.get('content-type').startsWith(type), `${url}: ${response.headers.get('content-type')}`);
        const csp = response.headers.get('content-security-policy') || '';
        expect(csp.includes("default-src 'self'") && !csp.includes('unsafe'), `${url} CSP: ${csp}`);
        expectEqual(response.headers.get('x-content-type-options'), 'nosniff', `${url} nosniff`);
      }
      expectEqual((await fetch(`${base}/dashboard/nothing.js`)).status, 404, 'unknown asset');
      expectEqual((await fetch(`${base}/v1.0/reports/getAzureADLicenseUsage(period='D7')`)).status, 401, 'API without a token');
    });

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    const problems = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(`${base}/`) && !url.startsWith('blob:') && !url.startsWith('data:')) problems.push(`request to another origin: ${url}`);
    });
    // Small pages, so the page must follow @odata.nextLink to get every snapshot.
    let reportRequests = 0;
    await page.route(/getAzureADLicenseUsage/, (route) => {
      reportRequests += 1;
      route.continue({ url: route.request().url().replace('$top=999', '$top=40') });
    });

    // Small pages of holders, so the page must offer "Show more" for the seven holders of a SKU.
    let usersRequests = 0;
    await page.route(/\/v1\.0\/users\?/, (route) => {
      usersRequests += 1;
      route.continue({ url: route.request().url().replace('$top=100', '$top=3') });
    });

    // Small pages of inactive holders, so the page must offer "Show more" and the CSV must follow nextLinks.
    let reclaimRequests = 0;
    await page.route(/\/beta\/reports\/licenseReclaim\?/, (route) => {
      reclaimRequests += 1;
      route.continue({ url: route.request().url().replace(/\$top=\d+/, '$top=2') });
    });

    const expected = {};
    for (const period of ['D7', 'D30', 'D90', 'D180']) expected[period] = await report(base, token, period);

    await check('the API holds 7/30/90/180 snapshots for D7/D30/D90/D180', async () => {
      expectEqual(['D7', 'D30', 'D90', 'D180'].map((p) => expected[p].length), [7, 30, 90, 180], 'counts');
    });

    await check('90 days always reach the month before the latest: every type has a change to show', async () => {
      for (const type of ['premiumP1', 'premiumP2', 'free']) {
        const change = expectedChange(expected.D90, type);
        expect(change.from && change.assigned && change.used, `${type}: ${JSON.stringify(change)}`);
      }
      const reclaimed = expectedChange(expected.D90, 'premiumP2').assigned;
      expect(reclaimed.change < 0 && reclaimed.text.startsWith('\u2212'), `P2 reclaimed on the latest day: ${JSON.stringify(reclaimed)}`);
    });

    await check('opening the link signs in, clears the token from the address bar and shows D30', async () => {
      await page.goto(link);
      await waitReady(page, 'D30');
      expectEqual(new URL(page.url()).hash, '', 'hash after sign-in');
      expectEqual(await page.evaluate(() => sessionStorage.getItem('tally.dashboard.token')), token, 'stored token');
      expect((await page.textContent('#who')).includes(TENANT), 'tenant shown');
      expect(reportRequests >= 1, 'report fetched');
    });

    await check('D30: the latest snapshot, the charts and the data tables equal the API', async () => {
      reportRequests = 0;
      await page.reload();
      await waitReady(page, 'D30');
      expect(reportRequests === 1, `30 snapshots at 40 per page is one request, made ${reportRequests}`);
      await checkPage(page, 'D30', expected.D30);
    });

    await check('the arrow keys switch the period to D90, then D180, and the numbers follow', async () => {
      await page.focus('#period-D30');
      reportRequests = 0;
      await page.keyboard.press('ArrowRight');
      await waitReady(page, 'D90');
      expect(reportRequests === 3, `90 snapshots at 40 per page: 3 requests, made ${reportRequests}`);
      await checkPage(page, 'D90', expected.D90);
      await page.keyboard.press('ArrowRight');
      await waitReady(page, 'D180');
      expectEqual(await page.$eval('#period-D180', (input) => input.checked && document.activeElement === input), true, 'D180 checked and focused');
      await checkPage(page, 'D180', expected.D180);
    });

    await check('the CSV download holds every value of the period', async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
      expectEqual(download.suggestedFilename(), `license-usage-${TENANT}-D180.csv`, 'file name');
      const text = readFileSync(await download.path(), 'utf8');
      const rows = ['snapshotDateTime,id,licenseType,totalLicenseCount,totalAssignedCount,totalUsageCount'];
      for (const s of expected.D180) {
        for (const d of s.licenseInfoDetails) {
          rows.push([s.snapshotDateTime, s.id, d.licenseType, d.totalLicenseCount, d.totalAssignedCount, d.totalUsageCount ?? ''].join(','));
        }
      }
      expectEqual(text.split('\r\n').length - 1, rows.length, 'CSV lines');
      expectEqual(text, rows.join('\r\n') + '\r\n', 'CSV text');
    });

    await check('the month-over-month CSV holds each type\'s change, as the API\'s snapshots give it', async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-mom')]);
      expectEqual(download.suggestedFilename(), `license-usage-month-over-month-${TENANT}-D180.csv`, 'file name');
      const text = readFileSync(await download.path(), 'utf8');
      const rows = ['licenseType,fromSnapshotDateTime,toSnapshotDateTime,assignedFrom,assignedTo,assignedChange,' +
        'assignedChangePercent,usedFrom,usedTo,usedChange,usedChangePercent'];
      const order = await page.$$eval('#types section', (sections) => sections.map((s) => s.dataset.licenseType));
      for (const type of order) {
        const change = expectedChange(expected.D180, type);
        const figure = (f) => (f ? [f.from, f.to, f.change, f.percent ?? ''] : ['', '', '', '']);
        rows.push([type, change.from ? change.from.at : '', change.to.at, ...figure(change.assigned), ...figure(change.used)].join(','));
      }
      expectEqual(text, rows.join('\r\n') + '\r\n', 'CSV text');
      expect(/^premiumP2,[^,]*,[^,]*,\d+,\d+,-\d+,-[\d.]+,/m.test(text), `a fall is written as a plain negative number: ${text}`);
    });

    await check('controls have labels, charts have text alternatives, text has contrast', async () => {
      const unlabelled = await page.$$eval('input, button, select, textarea', (elements) => elements
        .filter((e) => !(e.labels && e.labels.length) && !e.textContent.trim() && !e.getAttribute('aria-label'))
        .map((e) => e.outerHTML));
      expectEqual(unlabelled, [], 'unlabelled controls');
      const charts = await page.$$eval('canvas', (canvases) => canvases.map((c) => [c.getAttribute('role'), (c.getAttribute('aria-label') || '').length > 40]));
      expect(charts.length === 6 && charts.every(([role, described]) => role === 'img' && described), JSON.stringify(charts));
      const lowContrast = await page.evaluate(contrastProblems);
      expectEqual(lowContrast, [], 'text below 4.5:1');
    });

    await check('a screenshot of 180 days of three license types', async () => {
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.mouse.move(0, 0);
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      console.log(`#    saved ${path.relative(ROOT, SCREENSHOT)}`);
    });

    await check('D7 by mouse, and the period survives a reload', async () => {
      await page.click('label[for="period-D7"]');
      await waitReady(page, 'D7');
      await checkPage(page, 'D7', expected.D7);
      await page.reload();
      await waitReady(page, 'D7');
    });

    await check('the Licenses tab shows one row per SKU: bought, warning, assigned and free as seeded', async () => {
      await openLicenses(page);
      expectEqual(await page.isVisible('#report'), false, 'usage hidden');
      expectEqual(await page.getAttribute('#tab-licenses', 'aria-selected'), 'true', 'tab selected');
      const rows = await skuRows(page);
      expectEqual(Object.keys(rows).sort(), SKUS.map((s) => s.body.skuId).sort(), 'one row per SKU');
      for (const sku of SKUS) {
        const want = expectedSku(sku);
        const row = rows[sku.body.skuId];
        expectEqual([row.sku, digits(row.bought), digits(row.warning), digits(row.assigned), digits(row.free)],
          [want.name, String(want.bought), String(want.warning), String(want.assigned), String(want.free)], `${want.name} row`);
        expect(!row.status.includes('Over-assigned'), `${want.name} status: ${row.status}`);
      }
      const total = (f) => SKUS.reduce((n, sku) => n + f(expectedSku(sku)), 0).toLocaleString('en-US');
      expectEqual(await page.textContent('#licenses-status'),
        `${SKUS.length} SKUs: ${total((e) => e.bought)} bought, ${total((e) => e.assigned)} assigned, ${total((e) => e.free)} free.`, 'summary');
    });

    await check("a SKU's holders, three at a time behind Show more, are the users it was assigned to", async () => {
      const [sku, none] = [SKUS[0], SKUS[3]];
      usersRequests = 0;
      const shown = await allHolders(page, sku.body.skuId);
      const want = USERS.filter((u) => sku.holders.includes(u.mailNickname)).map((u) => [u.displayName, u.userPrincipalName]);
      expectEqual(shown.slice().sort(), want.sort(), `holders of ${sku.body.skuPartNumber}`);
      expectEqual(usersRequests, Math.ceil(want.length / 3), 'pages of holders fetched');
      expectEqual(await page.textContent(`#holders-${sku.body.skuId} .holders-status`), `All ${want.length} holders.`, 'status');
      expectEqual(await page.getAttribute(`tr[data-sku-id="${sku.body.skuId}"] .holders-toggle`, 'aria-expanded'), 'true', 'toggle expanded');
      expectEqual(await allHolders(page, none.body.skuId), [], `holders of ${none.body.skuPartNumber}`);
      expectEqual(await page.textContent(`#holders-${none.body.skuId} .holders-status`), 'No user holds this SKU.', 'none status');
      await page.click(`tr[data-sku-id="${none.body.skuId}"] .holders-toggle`);
      expectEqual(await page.isVisible(`#holders-${none.body.skuId}`), false, 'hidden again');
    });

    await check('the Licenses view: controls labelled, text has contrast; a screenshot', async () => {
      const unlabelled = await page.$$eval('#licenses button, #views button', (elements) => elements
        .filter((e) => !e.textContent.trim() && !e.getAttribute('aria-label')).map((e) => e.outerHTML));
      expectEqual(unlabelled, [], 'unlabelled controls');
      expectEqual(await page.evaluate(contrastProblems), [], 'text below 4.5:1');
      mkdirSync(path.dirname(LICENSES_SCREENSHOT), { recursive: true });
      await page.mouse.move(0, 0);
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: LICENSES_SCREENSHOT, fullPage: true });
      console.log(`#    saved ${path.relative(ROOT, LICENSES_SCREENSHOT)}`);
    });

    await check('the view survives a reload; the arrow keys move between the tabs', async () => {
      await page.reload();
      await page.waitForSelector('#licenses[data-state="ready"]', { timeout: 20000 });
      expectEqual(Object.keys(await skuRows(page)).length, SKUS.length, 'rows after reload');
      await page.focus('#tab-licenses');
      await page.keyboard.press('ArrowLeft');
      await waitReady(page, 'D7');
      expectEqual(await page.evaluate(() => [document.activeElement.id, document.body.dataset.view]), ['tab-usage', 'usage'], 'usage tab focused');
      expectEqual(await page.isVisible('#licenses'), false, 'licenses hidden');
      await checkPage(page, 'D7', expected.D7);
      await page.keyboard.press('ArrowRight');
      await page.waitForSelector('#licenses[data-state="ready"]', { timeout: 20000 });
      expectEqual(await page.evaluate(() => document.activeElement.id), 'tab-licenses', 'licenses tab focused');
      await page.keyboard.press('End');
      await page.waitForSelector('#reclaim[data-state="ready"]', { timeout: 20000 });
      expectEqual(await page.evaluate(() => [document.activeElement.id, document.body.dataset.view]), ['tab-reclaim', 'reclaim'], 'reclaim tab focused');
      await page.keyboard.press('ArrowLeft');
      await page.waitForSelector('#insight[data-state="ready"]', { timeout: 20000 });
      expectEqual(await page.evaluate(() => document.activeElement.id), 'tab-insight', 'insight tab focused');
      await page.keyboard.press('Home');
      await waitReady(page, 'D7');
      expectEqual(await page.evaluate(() => document.activeElement.id), 'tab-usage', 'usage tab focused');
    });

    const otherLink = tally(['dashboard', '--tenant', OTHER_TENANT, '--url', base, '--data-dir', dataDir]);
    await page.click('#tab-licenses');
    await page.waitForSelector('#licenses[data-state="ready"]', { timeout: 20000 });
    await subscriptionChecks({
      browser, page, base, token, api, tenant: TENANT, otherLink, screenshot: SUBSCRIPTIONS_SCREENSHOT, root: ROOT,
    });
    await costChecks({
      browser, page, base, token, writer: directoryWriter, api, tenant: TENANT, pricesSeeded, screenshot: COSTS_SCREENSHOT, root: ROOT,
    });

    const insight = expectedInsight();
    await check('the API gives the insight of what was seeded: P1 9, P2 10, and each feature\'s users', async () => {
      const { status, body } = await api(base, token, 'GET', '/beta/reports/azureADPremiumLicenseInsight');
      expectEqual(status, 200, 'GET azureADPremiumLicenseInsight');
      const count = (group, feature) => body[group][feature].userCount;
      expectEqual({
        entitledP1LicenseCount: body.entitledP1LicenseCount,
        entitledP2LicenseCount: body.entitledP2LicenseCount,
        entitledTotalLicenseCount: body.entitledTotalLicenseCount,
        conditionalAccess: count('p1FeatureUtilizations', 'conditionalAccess'),
        conditionalAccessGuestUsers: count('p1FeatureUtilizations', 'conditionalAccessGuestUsers'),
        riskBasedConditionalAccess: count('p2FeatureUtilizations', 'riskBasedConditionalAccess'),
        riskBasedConditionalAccessGuestUsers: count('p2FeatureUtilizations', 'riskBasedConditionalAccessGuestUsers'),
        internetAccess: count('internetAccessFeatureUtilizations', 'internetAccess'),
        internetAccessM365: count('internetAccessFeatureUtilizations', 'internetAccessM365'),
        privateAccess: count('privateAccessFeatureUtilizations', 'privateAccess'),
      }, insight, 'insight');
    });

    await check('the Insight tab shows the API\'s numbers; risk-based conditional access is marked over-used, conditional access is not', async () => {
      await page.click('#tab-insight');
      await page.waitForSelector('#insight[data-state="ready"]', { timeout: 20000 });
      expectEqual(await page.isVisible('#report'), false, 'usage hidden');
      expectEqual(await page.getAttribute('#tab-insight', 'aria-selected'), 'true', 'tab selected');
      const entitled = await page.$$eval('#insight .figures dd', (dds) => dds.map((dd) => [dd.id, dd.dataset.value, dd.innerText.trim()]));
      expectEqual(entitled, [['entitled-p1', '9', '9'], ['entitled-p2', '10', '10'], ['entitled-total', '19', '19']], 'entitled');
      const rows = await featureRows(page);
      expectEqual(Object.keys(rows), ['conditionalAccess', 'riskBasedConditionalAccess', 'internetAccess', 'internetAccessM365', 'privateAccess'], 'features');
      const ca = rows.conditionalAccess;
      expectEqual([ca.members.value, ca.guests.value, ca.users.value, ca.entitled.value],
        [insight.conditionalAccess, insight.conditionalAccessGuestUsers, insight.conditionalAccess + insight.conditionalAccessGuestUsers, 19].map(String), 'conditional access');
      expect(ca.status.text === 'Within entitlement', `conditional access status: ${ca.status.text}`);
      const risk = rows.riskBasedConditionalAccess;
      const riskUsers = insight.riskBasedConditionalAccess + insight.riskBasedConditionalAccessGuestUsers;
      expectEqual([risk.members.value, risk.guests.value, risk.users.value, risk.entitled.value],
        [insight.riskBasedConditionalAccess, insight.riskBasedConditionalAccessGuestUsers, riskUsers, 10].map(String), 'risk-based conditional access');
      expectEqual(risk.status.text, `Over-used by ${riskUsers - 10}`, 'risk-based status (a text cue, not colour alone)');
      const overCells = await page.$$eval('#features td.over', (tds) => tds.map((td) => [td.closest('tr').dataset.feature, td.dataset.field, getComputedStyle(td).color]));
      expectEqual(overCells, [['riskBasedConditionalAccess', 'users', 'rgb(155, 28, 28)']], 'only the over-used count is red');
      for (const feature of ['internetAccess', 'internetAccessM365', 'privateAccess']) {
        expectEqual([rows[feature].users.value, rows[feature].entitled.text, rows[feature].status.text], [String(insight[feature]), 'not compared', 'Counted only'], feature);
      }
      const status = await page.textContent('#insight-status');
      expect(status.includes('Over-used: risk-based conditional access.'), status);
    });

    const reclaim = expectedReclaim();
    const reclaimed = {};
    for (const type of RECLAIM_TYPES) reclaimed[type] = await reclaimList(base, token, type);

    await check('the API lists the seeded inactive holders per type, with their units', async () => {
      for (const type of RECLAIM_TYPES) {
        const got = reclaimed[type];
        const want = reclaim[type];
        expectEqual([got.users, got.units], [want.users, want.units], `${type} counts`);
        expectEqual(got.rows.map((r) => [r.userPrincipalName, r.licenses.map((l) => l.skuPartNumber).sort(), r.lastSignInDateTime === null]).sort(),
          want.rows.map((r) => [r.user.userPrincipalName, r.licenses, r.never]).sort(), `${type} rows`);
      }
    });

    await check('the Reclaim tab shows each type\'s inactive holders and units, two at a time behind Show more', async () => {
      reclaimRequests = 0;
      await page.click('#tab-reclaim');
      await page.waitForSelector('#reclaim[data-state="ready"]', { timeout: 20000 });
      expectEqual(reclaimRequests, 3, 'one first page per type');
      const sections = await page.$$eval('#reclaim-types section', (all) => all.map((s) => s.dataset.licenseType));
      expectEqual(sections, RECLAIM_TYPES, 'one section per type, P2 first');
      for (const type of RECLAIM_TYPES) {
        const box = `#reclaim-types section[data-license-type="${type}"]`;
        const summary = await page.$eval(box, (s) => [s.querySelector('[data-field="users"]').dataset.value, s.querySelector('[data-field="units"]').dataset.value]);
        expectEqual(summary, [String(reclaim[type].users), String(reclaim[type].units)], `${type} summary`);
        for (let presses = 0; !(await page.$(`${box}[data-complete="true"]`)); presses += 1) {
          expect(presses < 10, 'Show more never ends');
          await page.click(`${box} button.more`);
          await page.waitForSelector(`${box}[data-state="ready"]`, { timeout: 20000 });
        }
        const rows = await page.$$eval(`${box} tbody tr`, (trs) => trs.map((tr) => Object.fromEntries(
          [...tr.children].map((c) => [c.dataset.field, c.dataset.field === 'lastSignIn' ? [c.innerText.trim(), c.dataset.value] : c.innerText.trim()]))));
        const ago = (iso) => { const days = Math.floor((Date.now() - Date.parse(iso)) / (24 * 3600e3)); return `${days} ${days === 1 ? 'day' : 'days'} ago`; };
        const want = reclaimed[type].rows.map((r) => ({
          displayName: r.displayName,
          userPrincipalName: r.userPrincipalName,
          lastSignIn: r.lastSignInDateTime ? [`${r.lastSignInDateTime.slice(0, 10)} (${ago(r.lastSignInDateTime)})`, r.lastSignInDateTime] : ['never', ''],
          licenses: r.licenses.map((l) => l.skuPartNumber).join(', '),
        }));
        expectEqual(rows, want, `${type} rows`);
        expectEqual(await page.textContent(`${box} .reclaim-status`), `All ${reclaim[type].users} shown.`, `${type} status`);
      }
      expectEqual(reclaimRequests, 3 + RECLAIM_TYPES.reduce((n, t) => n + Math.ceil(reclaim[t].users / 2) - 1, 0), 'pages fetched');
      const total = RECLAIM_TYPES.reduce((n, t) => n + reclaim[t].users, 0);
      const units = RECLAIM_TYPES.reduce((n, t) => n + reclaim[t].units, 0);
      expectEqual(await page.textContent('#reclaim-status'),
        `${total} inactive holders of a premium or basic license; reclaiming frees ${units} licenses.`, 'summary');
    });

    await check('the reclaim CSV holds every inactive holder of every type, following every nextLink', async () => {
      reclaimRequests = 0;
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#reclaim-download')]);
      expectEqual(download.suggestedFilename(), `license-reclaim-${TENANT}.csv`, 'file name');
      const text = readFileSync(await download.path(), 'utf8');
      const lines = ['licenseType,userPrincipalName,displayName,lastSignInDateTime,licenses,units'];
      for (const type of RECLAIM_TYPES) {
        for (const r of reclaimed[type].rows) {
          const parts = r.licenses.map((l) => l.skuPartNumber);
          lines.push([type, r.userPrincipalName, r.displayName, r.lastSignInDateTime ?? '', parts.join(' '), parts.length].join(','));
        }
      }
      expectEqual(text, lines.join('\r\n') + '\r\n', 'CSV text');
      expectEqual(reclaimRequests, RECLAIM_TYPES.reduce((n, t) => n + Math.max(Math.ceil(reclaim[t].users / 2), 1), 0), 'pages fetched for the CSV');
    });

    await check('the Insight and Reclaim views: controls labelled, text has contrast; screenshots', async () => {
      for (const [view, file] of [['insight', INSIGHT_SCREENSHOT], ['reclaim', RECLAIM_SCREENSHOT]]) {
        await page.click(`#tab-${view}`);
        await page.waitForSelector(`#${view}[data-state="ready"]`, { timeout: 20000 });
        const unlabelled = await page.$$eval(`#${view} button, #views button`, (elements) => elements
          .filter((e) => !e.textContent.trim() && !e.getAttribute('aria-label')).map((e) => e.outerHTML));
        expectEqual(unlabelled, [], `${view}: unlabelled controls`);
        expectEqual(await page.evaluate(contrastProblems), [], `${view}: text below 4.5:1`);
        mkdirSync(path.dirname(file), { recursive: true });
        await page.mouse.move(0, 0);
        await page.evaluate(() => window.scrollTo(0, 0));
        await page.screenshot({ path: file, fullPage: true });
        console.log(`#    saved ${path.relative(ROOT, file)}`);
      }
      await page.click('#tab-usage');
      await waitReady(page, 'D7');
    });

    await check('the reclaim CSV quotes commas and quotes, and defuses cells a spreadsheet would run', async () => {
      const side = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
      const sidePage = await side.newPage();
      await sidePage.route(/\/beta\/reports\/licenseReclaim\?/, (route) => {
        const basic = route.request().url().includes('licenseType=basic');
        const value = basic ? [{
          id: '1', displayName: '=HYPERLINK("http://x.example","go")', userPrincipalName: '@bad@contoso.example',
          accountEnabled: true, userType: 'Member', lastSignInDateTime: null,
          licenses: [{ skuId: '2b9c8e7c-319c-43a2-a2a0-48c5c6161de7', skuPartNumber: '-AAD,BASIC' }],
        }, {
          // Full-width signs, and signs behind white space or a line break, run too.
          id: '2', displayName: '\uFF1D1+1', userPrincipalName: ' @x@contoso.example',
          accountEnabled: true, userType: 'Member', lastSignInDateTime: null,
          licenses: [{ skuId: '2b9c8e7c-319c-43a2-a2a0-48c5c6161de7', skuPartNumber: '\uFF20P' }],
        }, {
          id: '3', displayName: '\n-2', userPrincipalName: '\uFF0Dy@contoso.example',
          accountEnabled: true, userType: 'Member', lastSignInDateTime: null,
          licenses: [{ skuId: '2b9c8e7c-319c-43a2-a2a0-48c5c6161de7', skuPartNumber: '\t+T' }],
        }] : [];
        route.fulfill({ status: 200, contentType: 'application/json',
          body: JSON.stringify({ '@odata.count': value.length, '@tally.unitCount': value.length, value }) });
      });
      await sidePage.goto(link);
      await waitReady(sidePage, 'D30');
      await sidePage.click('#tab-reclaim');
      await sidePage.waitForSelector('#reclaim[data-state="ready"]', { timeout: 20000 });
      expectEqual(await sidePage.textContent('#reclaim-types section[data-license-type="premiumP2"] .reclaim-status'),
        'Every Premium P2 holder signed in within 30 days.', 'empty type');
      const [download] = await Promise.all([sidePage.waitForEvent('download'), sidePage.click('#reclaim-download')]);
      const text = readFileSync(await download.path(), 'utf8');
      expectEqual(text, 'licenseType,userPrincipalName,displayName,lastSignInDateTime,licenses,units\r\n' +
        'basic,\'@bad@contoso.example,"\'=HYPERLINK(""http://x.example"",""go"")",,"\'-AAD,BASIC",1\r\n' +
        'basic,\' @x@contoso.example,\'\uFF1D1+1,,\'\uFF20P,1\r\n' +
        'basic,\'\uFF0Dy@contoso.example,"\'\n-2",,\'\t+T,1\r\n', 'CSV text');
      await side.close();
    });

    await check('free is never shown negative: a SKU with more assigned than bought shows 0 and is marked', async () => {
      const side = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const sidePage = await side.newPage();
      const skuId = '05e9a617-0261-4cee-bb44-138d3ef5d965';
      await sidePage.route(/\/v1\.0\/subscribedSkus/, (route) => route.fulfill({
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify({ value: [{ id: `${TENANT}_${skuId}`, skuId, skuPartNumber: 'SPE_E3', capabilityStatus: 'Warning', consumedUnits: 7, prepaidUnits: { enabled: 5, suspended: 0, warning: 0, lockedOut: 0 } }] }),
      }));
      await sidePage.goto(link);
      await waitReady(sidePage, 'D30');
      await openLicenses(sidePage);
      const row = (await skuRows(sidePage))[skuId];
      expectEqual(digits(row.free), '0', 'free');
      expect(row.status.includes('Over-assigned by 2') && row.status.includes('Warning'), `status: ${row.status}`);
      await side.close();
    });

    await check('a tenant without SKUs sees the empty state', async () => {
      const side = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const sidePage = await side.newPage();
      await sidePage.goto(tally(['dashboard', '--tenant', OTHER_TENANT, '--url', base, '--data-dir', dataDir]));
      await waitReady(sidePage, 'D30');
      await openLicenses(sidePage);
      expectEqual(await sidePage.isVisible('#skus-empty'), true, 'empty state shown');
      expectEqual(await sidePage.isVisible('#skus'), false, 'no table');
      expectEqual(await sidePage.textContent('#licenses-status'), 'No subscribed SKUs.', 'status');
      await side.close();
    });

    await check('a tenant without P1 or P2 is told so calmly in the Insight view, and has nobody to reclaim', async () => {
      const side = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const sidePage = await side.newPage();
      await sidePage.goto(tally(['dashboard', '--tenant', OTHER_TENANT, '--url', base, '--data-dir', dataDir]));
      await waitReady(sidePage, 'D30');
      await sidePage.click('#tab-insight');
      await sidePage.waitForSelector('#insight[data-state="missing"]', { timeout: 20000 });
      expectEqual(await sidePage.isVisible('#insight-missing'), true, 'message shown');
      expect((await sidePage.textContent('#insight-missing')).includes('no Microsoft Entra ID P1 or P2 license'), 'message text');
      expectEqual(await sidePage.isVisible('#alert'), false, 'no alert');
      expectEqual(await sidePage.isVisible('#insight-body'), false, 'no numbers');
      expectEqual(await sidePage.evaluate(contrastProblems), [], 'text below 4.5:1');
      await sidePage.click('#tab-reclaim');
      await sidePage.waitForSelector('#reclaim[data-state="ready"]', { timeout: 20000 });
      expectEqual(await sidePage.textContent('#reclaim-status'), 'Every holder of a premium or basic license signed in within 30 days.', 'reclaim status');
      await side.close();
    });

    await check('errors show in the alert: a token that may not read SKUs, and a failing server', async () => {
      const side = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const sidePage = await side.newPage();
      const reportsOnly = tally(['token', '--tenant', TENANT, '--app', '--role', 'Reports.Read.All', '--data-dir', dataDir]);
      await sidePage.goto(`${base}/#token=${reportsOnly}`);
      await waitReady(sidePage, 'D30');
      await sidePage.click('#tab-licenses');
      await sidePage.waitForSelector('#licenses[data-state="error"]', { timeout: 20000 });
      const denied = await sidePage.textContent('#alert');
      expect(denied.startsWith('The licenses could not be loaded: this token may not read it'), denied);
      expectEqual(await sidePage.evaluate(() => document.body.dataset.state !== 'signed-out'), true, 'still signed in');
      await sidePage.click('#tab-usage');
      await waitReady(sidePage, 'D30');
      expectEqual(await sidePage.isVisible('#alert'), false, 'alert cleared on the usage view');
      await sidePage.route(/\/v1\.0\/subscribedSkus/, (route) => route.fulfill({
        status: 503, contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'ServiceUnavailable', message: 'The store is unavailable.' } }),
      }));
      await sidePage.click('#tab-licenses');
      await sidePage.waitForSelector('#licenses[data-state="error"]', { timeout: 20000 });
      expectEqual(await sidePage.textContent('#alert'), 'The licenses could not be loaded: The store is unavailable.', 'alert');
      await sidePage.click('#tab-reclaim');
      await sidePage.waitForSelector('#reclaim[data-state="error"]', { timeout: 20000 });
      const noAudit = await sidePage.textContent('#alert');
      expect(noAudit.startsWith('The inactive holders could not be loaded: this token may not read it'), noAudit);
      await side.close();
    });

    await check('sign-out forgets the token; a bad token is refused; a pasted link signs in', async () => {
      await page.click('#sign-out');
      await page.waitForSelector('body[data-state="signed-out"]');
      expectEqual(await page.evaluate(() => sessionStorage.getItem('tally.dashboard.token')), null, 'token after sign-out');
      expect(await page.isVisible('#token-input'), 'token box visible');
      await page.getByLabel('Access token').fill('not-a-token');
      await page.keyboard.press('Enter');
      await page.waitForSelector('body[data-state="signed-out"] #alert:not([hidden])');
      expect((await page.textContent('#alert')).includes('Sign-in failed'), await page.textContent('#alert'));
      await page.getByLabel('Access token').fill(link);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await waitReady(page, 'D7');
      await checkPage(page, 'D7', expected.D7);
    });

    await check('a link opened in the tab that shows the sign-in form signs in (fragment only)', async () => {
      await page.click('#sign-out');
      await page.waitForSelector('body[data-state="signed-out"]');
      await page.goto(link);
      await waitReady(page, 'D7');
      expectEqual(new URL(page.url()).hash, '', 'hash after sign-in');
    });

    await check('no console errors, no CSP violations, no request to another origin', async () => {
      // The bad token's 401 is logged by Chromium as a failed resource load: expected.
      const unexpected = problems.filter((p) => !/status of 401/.test(p));
      expectEqual(unexpected, [], 'problems');
    });
  } catch (error) {
    fail('setup', error);
  } finally {
    if (browser) await browser.close().catch(() => {});
    server.child.kill('SIGTERM');
    await new Promise((resolve) => {
      if (server.child.exitCode !== null) resolve();
      server.child.once('exit', resolve);
      setTimeout(resolve, 10000);
    });
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.exitCode = summary() ? 0 : 1;
}

await main();
