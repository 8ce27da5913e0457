// The Subscriptions view in the browser: the API lists what seed.mjs subscribed; the tab, reached
// with the arrow keys, shows every subscription (three a page, so it follows @odata.nextLink)
// soonest next lifecycle date first with the days to go as the API's dates give them; the CSV
// holds the same; a tenant without subscriptions is told so; contrast and a screenshot.

import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { check, expect, expectEqual } from './runner.mjs';
import { SUBSCRIPTIONS } from './seed.mjs';
import { contrastProblems } from './contrast.mjs';

const DAY_MS = 24 * 3600 * 1000;

/** Whole UTC calendar days from today to `text` (negative once passed), or null. */
function daysToGo(text) {
  if (text == null) return null;
  const day = (ms) => { const d = new Date(ms); return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()); };
  return Math.round((day(Date.parse(text)) - day(Date.now())) / DAY_MS);
}

/** The text the "Days to go" cell starts with, and the mark it carries, for a subscription. */
function due(subscription) {
  const days = daysToGo(subscription.nextLifecycleDateTime);
  if (days === null) return { days, text: '—', mark: null };
  const text = days === 0 ? 'today' : days === 1 ? 'tomorrow' : days > 1 ? `in ${days} days`
    : days === -1 ? 'passed yesterday' : `passed ${-days} days ago`;
  const live = subscription.status !== 'Expired';
  return { days, text, mark: live && days < 0 ? 'Passed' : live && days <= 30 ? 'Soon' : null };
}

/** Soonest date first, none last; then SKU part number and commerce id. */
function order(a, b) {
  const at = (s) => (s.nextLifecycleDateTime ? Date.parse(s.nextLifecycleDateTime) : Infinity);
  return (at(a) - at(b)) || a.skuPartNumber.localeCompare(b.skuPartNumber, 'en') ||
    a.commerceSubscriptionId.localeCompare(b.commerceSubscriptionId, 'en');
}

/** Every subscription as the API gives it, following every nextLink. */
async function listSubscriptions(t) {
  let url = '/v1.0/directory/subscriptions?$top=4';
  const all = [];
  for (let pages = 0; url; pages += 1) {
    expect(pages < 20, 'nextLink never ends');
    const { status, body } = await t.api(t.base, t.token, 'GET', url);
    expectEqual(status, 200, `GET ${url}: ${JSON.stringify(body)}`);
    all.push(...body.value);
    url = body['@odata.nextLink'];
  }
  return all;
}

/**
 * t: { browser, page (signed in, on the Licenses tab's neighbour), base, token, api, tenant,
 * otherLink (a tenant without subscriptions), screenshot, root }.
 */
export async function subscriptionChecks(t) {
  const { page } = t;
  let requests = 0;
  await page.route(/\/v1\.0\/directory\/subscriptions\?/, (route) => {
    requests += 1;
    route.continue({ url: route.request().url().replace('$top=999', '$top=3') });
  });

  const subscriptions = await listSubscriptions(t);

  await check('the API lists the seeded subscriptions, each status, trial and date as posted', async () => {
    const key = (s) => [s.skuPartNumber, s.status, s.totalLicenses, s.isTrial === true, s.nextLifecycleDateTime === null];
    expectEqual(subscriptions.map(key).sort(), SUBSCRIPTIONS.map((s) => [s.sku, s.status, s.totalLicenses, s.isTrial === true, s.days === null]).sort(),
      'subscriptions');
  });

  await check('the Subscriptions tab, reached with the arrow keys, lists every subscription soonest first, as the API gives them', async () => {
    await page.focus('#tab-licenses');
    requests = 0;
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('#subscriptions[data-state="ready"]', { timeout: 20000 });
    expectEqual(await page.evaluate(() => [document.activeElement.id, document.body.dataset.view]),
      ['tab-subscriptions', 'subscriptions'], 'subscriptions tab focused');
    expectEqual(await page.getAttribute('#tab-subscriptions', 'aria-selected'), 'true', 'tab selected');
    expectEqual(await page.isVisible('#licenses'), false, 'licenses hidden');
    expectEqual(requests, Math.ceil(subscriptions.length / 3), 'pages read, three subscriptions a page');

    const rows = await page.$$eval('#subscription-list tbody tr', (trs) => trs.map((tr) => Object.fromEntries(
      [...tr.children].map((c) => [c.dataset.field, { text: c.innerText.trim(), value: c.dataset.value }]))));
    const want = subscriptions.slice().sort(order);
    expectEqual(rows.length, want.length, 'one row per subscription');
    want.forEach((s, at) => {
      const row = rows[at];
      const d = due(s);
      const what = `row ${at + 1} (${s.skuPartNumber} ${s.status})`;
      expectEqual(row.sku.text, s.skuPartNumber, `${what} SKU`);
      expectEqual([row.status.text, row.status.value], [s.status, s.status], `${what} status`);
      expectEqual([row.trial.text, row.trial.value], s.isTrial ? ['Trial', 'true'] : ['No', 'false'], `${what} trial`);
      expectEqual([row.nextLifecycle.text, row.nextLifecycle.value],
        s.nextLifecycleDateTime ? [s.nextLifecycleDateTime.slice(0, 10), s.nextLifecycleDateTime] : ['—', ''], `${what} date`);
      expectEqual([row.daysToGo.text, row.daysToGo.value], [d.mark ? `${d.text} ${d.mark}` : d.text, d.days === null ? '' : String(d.days)],
        `${what} days to go`);
      expectEqual([row.licenses.text.replace(/[^\d]/g, ''), row.licenses.value], [String(s.totalLicenses), String(s.totalLicenses)], `${what} licenses`);
    });
    const marks = want.map((s) => due(s).mark);
    const skus = new Set(want.map((s) => s.skuId)).size;
    const trials = want.filter((s) => s.isTrial).length;
    expectEqual(await page.textContent('#subscriptions-status'),
      `${want.length} subscriptions of ${skus} SKUs: ${trials} trial${trials === 1 ? '' : 's'}, ` +
      `${marks.filter((m) => m === 'Soon').length} due within 30 days, ${marks.filter((m) => m === 'Passed').length} past the date.`, 'summary');
    expect(marks.includes('Soon') && marks.includes('Passed'), `the seed has dates soon and passed: ${marks}`);
    const passed = await page.$$eval('#subscription-list td.over', (tds) => tds.map((td) => getComputedStyle(td).color));
    expectEqual(passed, marks.filter((m) => m === 'Passed').map(() => 'rgb(155, 28, 28)'), 'passed dates in red');
  });

  await check('the subscriptions CSV, downloaded with the keyboard, holds every row as shown', async () => {
    await page.focus('#subscriptions-download');
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    expectEqual(download.suggestedFilename(), `subscriptions-${t.tenant}.csv`, 'file name');
    const text = readFileSync(await download.path(), 'utf8');
    const lines = ['commerceSubscriptionId,skuId,skuPartNumber,status,isTrial,nextLifecycleDateTime,daysToGo,totalLicenses'];
    for (const s of subscriptions.slice().sort(order)) {
      const days = daysToGo(s.nextLifecycleDateTime);
      lines.push([s.commerceSubscriptionId, s.skuId, s.skuPartNumber, s.status, s.isTrial === true,
        s.nextLifecycleDateTime ?? '', days ?? '', s.totalLicenses].join(','));
    }
    expectEqual(text, lines.join('\r\n') + '\r\n', 'CSV text');
  });

  await check('the Subscriptions view: controls labelled, text has contrast; a screenshot', async () => {
    const unlabelled = await page.$$eval('#subscriptions button, #views button', (elements) => elements
      .filter((e) => !e.textContent.trim() && !e.getAttribute('aria-label')).map((e) => e.outerHTML));
    expectEqual(unlabelled, [], 'unlabelled controls');
    expectEqual(await page.evaluate(contrastProblems), [], 'text below 4.5:1');
    mkdirSync(path.dirname(t.screenshot), { recursive: true });
    await page.mouse.move(0, 0);
    await page.evaluate(() => { document.activeElement.blur(); window.scrollTo(0, 0); });
    await page.screenshot({ path: t.screenshot, fullPage: true });
    console.log(`#    saved ${path.relative(t.root, t.screenshot)}`);
  });

  await check('a tenant without subscriptions sees the empty state', async () => {
    const side = await t.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const sidePage = await side.newPage();
    await sidePage.goto(t.otherLink);
    await sidePage.waitForSelector('body[data-state="ready"]', { timeout: 20000 });
    await sidePage.click('#tab-subscriptions');
    await sidePage.waitForSelector('#subscriptions[data-state="ready"]', { timeout: 20000 });
    expectEqual(await sidePage.isVisible('#subscriptions-empty'), true, 'empty state shown');
    expectEqual(await sidePage.isVisible('#subscription-list'), false, 'no table');
    expectEqual(await sidePage.textContent('#subscriptions-status'), 'No subscriptions.', 'status');
    await side.close();
  });
}
