// The dashboard, end to end, in real headless Chromium: start `tally serve` on a free port,
// seed 180 days of three license types through the API, open the link `tally dashboard` prints,
// switch periods with the keyboard and the mouse, check that the page's numbers equal the API's,
// download the CSV, check sign-in, security headers and contrast, and save a screenshot.
//
// Environment: TALLY_BIN (default target/debug/tally), CHROMIUM (default /usr/bin/chromium),
// TALLY_E2E_SCREENSHOT (default docs/dashboard.png). Exits non-zero when a check fails.

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { snapshots, DAYS } from './seed.mjs';
import { contrastProblems } from './contrast.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = process.env.TALLY_BIN || path.join(ROOT, 'target/debug/tally');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SCREENSHOT = process.env.TALLY_E2E_SCREENSHOT || path.join(ROOT, 'docs/dashboard.png');
const TENANT = '3f2b9c4e-8a71-4d2e-9b6f-5c1d7e0a4b28';
const OTHER_TENANT = 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';
const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// ---- a tiny runner -------------------------------------------------------------------------

let passed = 0;
let failed = 0;

async function check(name, body) {
  try {
    await body();
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (error) {
    failed += 1;
    console.log(`FAIL ${name}\n     ${String(error && error.stack || error).split('\n').join('\n     ')}`);
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

function expectEqual(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e.slice(0, 400)}, got ${a.slice(0, 400)}`);
}

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
  }
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

    const link = tally(['dashboard', '--tenant', TENANT, '--url', base, '--data-dir', dataDir]);
    const token = link.slice(link.indexOf('#token=') + 7);

    await check('tally dashboard prints BASE/#token=<jwt>', async () => {
      expect(new RegExp(`^${base.replace(/[.]/g, '\\.')}/#token=[\\w-]+\\.[\\w-]+\\.[\\w-]+$`).test(link), link);
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
      expectEqual(claims.roles, ['Reports.Read.All', 'LicenseAssignment.Read.All', 'User.Read.All'], 'roles');
      expectEqual(claims.tid, TENANT, 'tid');
      expectEqual(claims.exp - claims.iat, 3600, 'lifetime');
    });

    await check("the link's token reads but cannot write", async () => {
      const read = await api(base, token, 'GET', "/v1.0/reports/getAzureADLicenseUsage(period='D7')");
      expectEqual(read.status, 200, 'read');
      const write = await api(base, token, 'POST', '/v1.0/reports/azureADLicenseUsage', { snapshotDateTime: '2026-01-01T00:00:00Z' });
      expectEqual(write.status, 403, 'write');
    });

    await check('the page and its files are served with their types and a strict CSP', async () => {
      for (const [url, type] of [['/', 'text/html'], ['/dashboard/app.js', 'text/javascript'],
        ['/dashboard/style.css', 'text/css'], ['/dashboard/chart.umd.js', 'text/javascript']]) {
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

    const expected = {};
    for (const period of ['D7', 'D30', 'D90', 'D180']) expected[period] = await report(base, token, period);

    await check('the API holds 7/30/90/180 snapshots for D7/D30/D90/D180', async () => {
      expectEqual(['D7', 'D30', 'D90', 'D180'].map((p) => expected[p].length), [7, 30, 90, 180], 'counts');
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
    failed += 1;
    console.log(`FAIL setup\n     ${error && error.stack || error}`);
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
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

await main();
