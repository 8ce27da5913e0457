// The Costs view in the browser: licenseCosts prices what seed.mjs seeded (exactly, per SPEC
// §13.3); the tab, reached with the arrow keys, shows the API's per-currency totals and per-SKU
// units and costs, formatted by the browser's Intl.NumberFormat in each currency, and calls out
// the SKUs without a price with the command and request that set one; the CSV holds the table;
// a price set the way the notice says shows on the next visit; contrast and a screenshot.
// Skipped, loudly, only while the server does not serve licenseCosts (404, or Graph's 400 for an
// unknown segment).

import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { check, expect, expectEqual, skip, unserved } from './runner.mjs';
import { expectedCosts } from './seed.mjs';
import { contrastProblems } from './contrast.mjs';

const UNITS = [
  ['purchased', 'purchasedUnits', 'purchasedCost'],
  ['assigned', 'assignedUnits', 'assignedCost'],
  ['unassigned', 'unassignedUnits', 'unassignedCost'],
  ['disabled', 'disabledHolderUnits', 'disabledHolderCost'],
  ['inactive', 'inactiveHolderUnits', 'inactiveHolderCost'],
];

/** licenseCosts as the API gives it: every entry (following nextLinks) and the first page's totals. */
async function readCosts(t) {
  let url = '/beta/reports/licenseCosts';
  const value = [];
  let totals = null;
  for (let pages = 0; url; pages += 1) {
    expect(pages < 20, 'nextLink never ends');
    const reply = await t.api(t.base, t.token, 'GET', url);
    if (pages === 0 && unserved(reply)) return null;
    const { status, body } = reply;
    expectEqual(status, 200, `GET ${url}: ${JSON.stringify(body)}`);
    value.push(...body.value);
    totals = totals || body['@tally.totals'];
    url = body['@odata.nextLink'];
  }
  return { value, totals };
}

/** The waste of an entry: its three wasted unit counts, and their costs added in whole cents. */
function waste(e) {
  const units = e.unassignedUnits + e.disabledHolderUnits + e.inactiveHolderUnits;
  const costs = [e.unassignedCost, e.disabledHolderCost, e.inactiveHolderCost];
  return { units, cost: costs.includes(null) ? null : costs.reduce((n, c) => n + Math.round(c * 100), 0) / 100 };
}

function byName(a, b) {
  const name = (e) => e.productName || e.skuPartNumber;
  return name(a).localeCompare(name(b), 'en') || (a.skuId < b.skuId ? -1 : 1);
}

/** Amounts formatted as the page must format them: by the browser, in the reader's locale. */
function formatIn(page, items) {
  return page.evaluate((list) => list.map(([amount, currency, unit]) => (amount == null || !currency ? '—'
    : new Intl.NumberFormat(undefined, unit ? { style: 'currency', currency, maximumFractionDigits: 4 } : { style: 'currency', currency })
      .format(amount))), items);
}

/** Opens the Costs tab and compares everything it shows with `costs` (the API's answer). */
async function checkShown(t, costs) {
  const { page } = t;
  const entries = costs.value.slice().sort(byName);
  const totals = await page.$$eval('#cost-totals .currency-totals', (blocks) => blocks.map((b) => ({
    currency: b.dataset.currency,
    figures: Object.fromEntries([...b.querySelectorAll('dd')].map((dd) => [dd.dataset.field, [dd.innerText.trim(), dd.dataset.value]])),
  })));
  const wantTotals = costs.totals.slice().sort((a, b) => (a.currency < b.currency ? -1 : 1));
  expectEqual(totals.map((x) => x.currency), wantTotals.map((x) => x.currency), 'one block of totals per currency');
  const totalTexts = await formatIn(page, wantTotals.flatMap((x) => [[x.purchasedCost, x.currency], [x.wasteCost, x.currency]]));
  wantTotals.forEach((want, at) => {
    const got = totals[at].figures;
    expectEqual(got.purchased, [totalTexts[2 * at], String(want.purchasedCost)], `${want.currency} purchased`);
    expectEqual(got.waste, [totalTexts[2 * at + 1], String(want.wasteCost)], `${want.currency} waste`);
    expectEqual(got.share[0], `${(want.wasteCost / want.purchasedCost * 100).toFixed(1)}%`, `${want.currency} waste share`);
  });

  const rows = await page.$$eval('#cost-list tbody tr', (trs) => trs.map((tr) => ({
    skuId: tr.dataset.skuId,
    product: [tr.querySelector('.product').innerText.trim(), tr.querySelector('.part').innerText.trim()],
    price: [tr.querySelector('[data-field="price"]').innerText.trim(), tr.querySelector('[data-field="price"]').dataset.value],
    cells: Object.fromEntries([...tr.querySelectorAll('td[data-units]')].map((td) => [td.dataset.field, {
      units: td.dataset.units, cost: td.dataset.cost, text: [td.querySelector('.units').innerText.trim(), td.querySelector('.money').innerText.trim()],
    }])),
  })));
  expectEqual(rows.map((r) => r.skuId), entries.map((e) => e.skuId), 'one row per SKU, by product name');
  const money = await formatIn(page, entries.flatMap((e) => [[e.monthlyUnitPrice, e.currency, true],
    ...UNITS.map(([, , cost]) => [e[cost], e.currency]), [waste(e).cost, e.currency]]));
  entries.forEach((e, at) => {
    const row = rows[at];
    const texts = money.slice(at * 7, at * 7 + 7);
    expectEqual(row.product, [e.productName || e.skuPartNumber, e.skuPartNumber], `${e.skuPartNumber} product`);
    expectEqual(row.price, e.monthlyUnitPrice == null ? ['no price', ''] : [texts[0], String(e.monthlyUnitPrice)], `${e.skuPartNumber} price`);
    const lost = waste(e);
    [...UNITS, ['waste']].forEach(([field, units, cost], column) => {
      const want = field === 'waste' ? lost : { units: e[units], cost: e[cost] };
      expectEqual(row.cells[field], {
        units: String(want.units), cost: want.cost == null ? '' : String(want.cost),
        text: [want.units.toLocaleString('en-US'), texts[column + 1]],
      }, `${e.skuPartNumber} ${field}`);
    });
  });

  const unpriced = entries.filter((e) => e.monthlyUnitPrice == null);
  expectEqual(await page.isVisible('#costs-unpriced'), unpriced.length > 0, 'the missing-price notice');
  if (unpriced.length) {
    const notice = await page.innerText('#costs-unpriced');
    const names = unpriced.map((e) => e.skuPartNumber).join(', ');
    expect(notice.includes(`${unpriced.length} SKU${unpriced.length === 1 ? ' has' : 's have'} no price`) && notice.includes(names),
      `notice names ${names}: ${notice}`);
    expectEqual(await page.textContent('#costs-unpriced-cli'),
      `tally price set --tenant ${t.tenant} --sku ${unpriced[0].skuPartNumber} --price 57.00 --currency USD`, 'the command');
    expectEqual(await page.textContent('#costs-unpriced-api'),
      `PUT /beta/reports/licensePrices/${unpriced[0].skuId}\n{"unitPrice":57.00,"currency":"USD","billingPeriod":"month"}`, 'the request');
  }
  return unpriced;
}

/**
 * t: { browser, page (signed in, on the Subscriptions tab), base, token, writer (may write
 * prices), api, tenant, pricesSeeded, screenshot, root }.
 */
export async function costChecks(t) {
  const { page } = t;
  const costs = await readCosts(t);
  if (!costs || !t.pricesSeeded) {
    skip('the Costs view', 'GET /beta/reports/licenseCosts (or PUT licensePrices) is not served: this server has no ' +
      'licenseCosts yet (SPEC §13.3). THE COSTS TAB IS NOT TESTED.');
    return;
  }

  await check('licenseCosts prices what was seeded: units, exact costs rounded once, totals per currency', async () => {
    const want = expectedCosts();
    const got = costs.value.map((e) => Object.fromEntries(Object.keys(want.entries[0]).map((k) => [k, e[k]])));
    const sort = (list) => list.slice().sort((a, b) => (a.skuId < b.skuId ? -1 : 1));
    expectEqual(sort(got), sort(want.entries), 'entries');
    expect(costs.value.every((e) => typeof e.productName === 'string' && e.productName), 'every entry has a productName');
    expectEqual(costs.totals.slice().sort((a, b) => (a.currency < b.currency ? -1 : 1)), want.totals, 'totals');
  });

  await check('the Costs tab, reached with the arrow keys, shows the API\'s totals, units and costs, and the SKUs without a price', async () => {
    await page.focus('#tab-subscriptions');
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('#costs[data-state="ready"]', { timeout: 20000 });
    expectEqual(await page.evaluate(() => [document.activeElement.id, document.body.dataset.view]), ['tab-costs', 'costs'], 'costs tab focused');
    expectEqual(await page.isVisible('#subscriptions'), false, 'subscriptions hidden');
    const unpriced = await checkShown(t, costs);
    expect(unpriced.length > 0 && unpriced.length < costs.value.length, 'the seed prices some SKUs, not all');
    expectEqual(await page.textContent('#costs-status'),
      `${costs.value.length} SKUs, ${costs.value.length - unpriced.length} with a price, in ${costs.totals.length} currencies.`, 'status');
  });

  await check('the costs CSV, downloaded with the keyboard, holds the table', async () => {
    await page.focus('#costs-download');
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    expectEqual(download.suggestedFilename(), `license-costs-${t.tenant}.csv`, 'file name');
    const text = readFileSync(await download.path(), 'utf8');
    const amount = (v) => (v == null ? '' : v.toFixed(2));
    const lines = ['skuId,skuPartNumber,productName,currency,monthlyUnitPrice,purchasedUnits,assignedUnits,unassignedUnits,' +
      'disabledHolderUnits,inactiveHolderUnits,wasteUnits,purchasedCost,assignedCost,unassignedCost,disabledHolderCost,' +
      'inactiveHolderCost,wasteCost'];
    const quoted = (v) => (/[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    for (const e of costs.value.slice().sort(byName)) {
      const lost = waste(e);
      lines.push([e.skuId, e.skuPartNumber, quoted(e.productName), e.currency ?? '', e.monthlyUnitPrice ?? '',
        e.purchasedUnits, e.assignedUnits, e.unassignedUnits, e.disabledHolderUnits, e.inactiveHolderUnits, lost.units,
        amount(e.purchasedCost), amount(e.assignedCost), amount(e.unassignedCost), amount(e.disabledHolderCost),
        amount(e.inactiveHolderCost), amount(lost.cost)].join(','));
    }
    expectEqual(text, lines.join('\r\n') + '\r\n', 'CSV text');
  });

  await check('the Costs view: controls labelled, text has contrast; a screenshot', async () => {
    const unlabelled = await page.$$eval('#costs button, #views button', (elements) => elements
      .filter((e) => !e.textContent.trim() && !e.getAttribute('aria-label')).map((e) => e.outerHTML));
    expectEqual(unlabelled, [], 'unlabelled controls');
    expectEqual(await page.evaluate(contrastProblems), [], 'text below 4.5:1');
    mkdirSync(path.dirname(t.screenshot), { recursive: true });
    await page.mouse.move(0, 0);
    await page.evaluate(() => { document.activeElement.blur(); window.scrollTo(0, 0); });
    await page.screenshot({ path: t.screenshot, fullPage: true });
    console.log(`#    saved ${path.relative(t.root, t.screenshot)}`);
  });

  await check('a price set as the notice says (PUT licensePrices) shows the next time the tab opens', async () => {
    const first = costs.value.slice().sort(byName).find((e) => e.monthlyUnitPrice == null);
    const put = await t.api(t.base, t.writer, 'PUT', `/beta/reports/licensePrices/${first.skuId}`,
      { unitPrice: 57.0, currency: 'USD', billingPeriod: 'month' });
    expectEqual(put.status, 200, `PUT licensePrices: ${JSON.stringify(put.body)}`);
    const after = await readCosts(t);
    expectEqual(after.value.find((e) => e.skuId === first.skuId).monthlyUnitPrice, 57, 'the API prices it');
    await page.click('#tab-subscriptions');
    await page.waitForSelector('#subscriptions[data-state="ready"]', { timeout: 20000 });
    await page.click('#tab-costs');
    await page.waitForSelector('#costs[data-state="ready"]', { timeout: 20000 });
    const unpriced = await checkShown(t, after);
    expect(!unpriced.some((e) => e.skuId === first.skuId), `${first.skuPartNumber} is priced now`);
  });
}
