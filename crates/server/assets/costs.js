/*
 * tally dashboard, the Costs view: what the tenant's licenses cost a month (GET
 * beta/reports/licenseCosts, SPEC §13.3): per currency the purchased and the wasted cost (never
 * added across currencies), per SKU its units and their cost (purchased, assigned, unassigned,
 * held by disabled accounts, held by inactive users), the SKUs without a price and how to give
 * them one, and a CSV of the table. Amounts come rounded from the API and are only formatted
 * here; a SKU's waste cost is the sum of its three rounded costs, added in whole cents. app.js
 * signs in and shows errors; it hands this file what it needs through TallyCosts.create(env).
 */
(function () {
  'use strict';

  var UNITS = [
    { field: 'purchased', units: 'purchasedUnits', cost: 'purchasedCost' },
    { field: 'assigned', units: 'assignedUnits', cost: 'assignedCost' },
    { field: 'unassigned', units: 'unassignedUnits', cost: 'unassignedCost' },
    { field: 'disabled', units: 'disabledHolderUnits', cost: 'disabledHolderCost' },
    { field: 'inactive', units: 'inactiveHolderUnits', cost: 'inactiveHolderCost' }
  ];
  var WASTE = ['unassigned', 'disabled', 'inactive'];
  var CSV_COLUMNS = ['skuId', 'skuPartNumber', 'productName', 'currency', 'monthlyUnitPrice',
    'purchasedUnits', 'assignedUnits', 'unassignedUnits', 'disabledHolderUnits', 'inactiveHolderUnits',
    'wasteUnits', 'purchasedCost', 'assignedCost', 'unassignedCost', 'disabledHolderCost',
    'inactiveHolderCost', 'wasteCost'];
  /** The request body of the notice's example, as a person would type it. */
  var EXAMPLE_PRICE = '{"unitPrice":57.00,"currency":"USD","billingPeriod":"month"}';

  var formats = {};

  /** An amount in its currency, in the reader's locale; the unit price with up to 4 decimals. */
  function money(amount, currency, unitPrice) {
    if (amount == null || !currency) return '—';
    var key = currency + (unitPrice ? ':unit' : '');
    try {
      if (!formats[key]) {
        formats[key] = new Intl.NumberFormat(undefined, unitPrice ?
          { style: 'currency', currency: currency, maximumFractionDigits: 4 } : { style: 'currency', currency: currency });
      }
      return formats[key].format(amount);
    } catch (e) {
      return amount + ' ' + currency;
    }
  }

  function plural(n, one, many) { return n === 1 ? one : many; }

  /** The SKU's wasted units and their cost (null without a price), the cost added in cents. */
  function waste(entry) {
    var units = 0;
    var cents = 0;
    var priced = entry.monthlyUnitPrice != null;
    UNITS.forEach(function (u) {
      if (WASTE.indexOf(u.field) < 0) return;
      units += entry[u.units] || 0;
      if (entry[u.cost] != null) cents += Math.round(entry[u.cost] * 100);
      else priced = false;
    });
    return { units: units, cost: priced ? cents / 100 : null };
  }

  /**
   * env: $ (element by id), token(), tenant(), getPage(url, token) ({value, next, body}), cell
   * and count (app.js's table helpers), save(fileName, text), failed(error, what).
   */
  function create(env) {
    var $ = env.$;
    var seq = 0;
    var panel = $('costs');
    var shown = [];

    /** A units cell: the count, and beneath it their monthly cost. */
    function unitsCell(field, units, cost, currency, className) {
      var td = document.createElement('td');
      td.className = 'num' + (className ? ' ' + className : '');
      td.dataset.field = field;
      td.dataset.units = units == null ? '' : String(units);
      td.dataset.cost = cost == null ? '' : String(cost);
      var count = document.createElement('span');
      count.className = 'units';
      count.textContent = env.count(units);
      var amount = document.createElement('span');
      amount.className = 'money';
      amount.textContent = money(cost, currency);
      if (cost == null) amount.title = 'no price';
      td.append(count, amount);
      return td;
    }

    function row(entry) {
      var tr = document.createElement('tr');
      tr.dataset.skuId = entry.skuId;
      var th = document.createElement('th');
      th.setAttribute('scope', 'row');
      th.dataset.field = 'product';
      var name = document.createElement('span');
      name.className = 'product';
      name.textContent = entry.productName || entry.skuPartNumber || entry.skuId;
      var part = document.createElement('code');
      part.className = 'part';
      part.textContent = entry.skuPartNumber || entry.skuId;
      th.append(name, part);
      var unpriced = entry.monthlyUnitPrice == null;
      tr.append(th, env.cell('td', unpriced ? 'no price' : money(entry.monthlyUnitPrice, entry.currency, true),
        'num' + (unpriced ? ' muted' : ''), 'price', entry.monthlyUnitPrice));
      UNITS.forEach(function (u) { tr.append(unitsCell(u.field, entry[u.units], entry[u.cost], entry.currency)); });
      var lost = waste(entry);
      tr.append(unitsCell('waste', lost.units, lost.cost, entry.currency, lost.units ? 'idle' : null));
      return tr;
    }

    /** One block of figures per currency: purchased, waste and waste's share of it. */
    function renderTotals(totals) {
      var box = $('cost-totals');
      box.replaceChildren();
      totals.slice().sort(function (a, b) { return a.currency < b.currency ? -1 : 1; }).forEach(function (total) {
        var block = document.createElement('div');
        block.className = 'currency-totals';
        block.dataset.currency = total.currency;
        var title = document.createElement('h3');
        title.textContent = total.currency;
        var figures = document.createElement('dl');
        figures.className = 'figures';
        var share = total.purchasedCost ? total.wasteCost / total.purchasedCost : null;
        [['purchased', 'Purchased a month', money(total.purchasedCost, total.currency), total.purchasedCost],
          ['waste', 'Waste a month', money(total.wasteCost, total.currency), total.wasteCost],
          ['share', 'Waste share', share == null ? '—' : (share * 100).toFixed(1) + '%', share]].forEach(function (f) {
          var item = document.createElement('div');
          var dt = document.createElement('dt');
          dt.textContent = f[1];
          var dd = document.createElement('dd');
          dd.dataset.field = f[0];
          dd.dataset.value = f[3] == null ? '' : String(f[3]);
          dd.textContent = f[2];
          if (f[0] === 'waste' && f[3]) dd.className = 'idle';
          item.append(dt, dd);
          figures.append(item);
        });
        block.append(title, figures);
        box.append(block);
      });
      $('cost-totals-none').hidden = totals.length > 0;
    }

    /** The SKUs without a price, and the two ways to set one, spelled for the first of them. */
    function renderUnpriced(entries) {
      var unpriced = entries.filter(function (e) { return e.monthlyUnitPrice == null; });
      $('costs-unpriced').hidden = unpriced.length === 0;
      if (!unpriced.length) return;
      var names = unpriced.map(function (e) { return e.skuPartNumber || e.skuId; });
      $('costs-unpriced-count').textContent = env.count(unpriced.length) + plural(unpriced.length, ' SKU has', ' SKUs have');
      $('costs-unpriced-them').textContent = plural(unpriced.length, 'it is not', 'they are not');
      $('costs-unpriced-list').textContent = names.join(', ');
      var first = unpriced[0];
      $('costs-unpriced-cli').textContent = 'tally price set --tenant ' + (env.tenant() || 'TENANT') + ' --sku ' +
        (first.skuPartNumber || first.skuId) + ' --price 57.00 --currency USD';
      $('costs-unpriced-api').textContent = 'PUT /beta/reports/licensePrices/' + first.skuId + '\n' + EXAMPLE_PRICE;
    }

    function render(entries, totals) {
      shown = entries.slice().sort(function (a, b) {
        var name = function (e) { return e.productName || e.skuPartNumber || ''; };
        return name(a).localeCompare(name(b), 'en') || (a.skuId < b.skuId ? -1 : 1);
      });
      var tbody = $('cost-list').querySelector('tbody');
      tbody.replaceChildren.apply(tbody, shown.map(row));
      $('costs-empty').hidden = shown.length > 0;
      $('costs-wrap').hidden = shown.length === 0;
      renderTotals(totals);
      renderUnpriced(shown);
      var priced = shown.filter(function (e) { return e.monthlyUnitPrice != null; }).length;
      $('costs-status').textContent = shown.length === 0 ? 'No subscribed SKUs.' :
        env.count(shown.length) + plural(shown.length, ' SKU, ', ' SKUs, ') + env.count(priced) + ' with a price, in ' +
        env.count(totals.length) + plural(totals.length, ' currency.', ' currencies.');
    }

    /** Reads the costs afresh (each time the view is opened), following any nextLink. */
    async function load() {
      var mine = ++seq;
      panel.dataset.state = 'loading';
      $('costs-download').disabled = true;
      $('costs-status').textContent = 'Loading the costs…';
      try {
        var url = 'beta/reports/licenseCosts';
        var entries = [];
        var totals = null;
        for (var pages = 0; url && pages < 1000; pages += 1) {
          var page = await env.getPage(url, env.token());
          entries = entries.concat(page.value);
          if (!totals) totals = page.body['@tally.totals'] || [];
          url = page.next;
        }
        if (mine !== seq) return;
        render(entries, totals || []);
        $('costs-download').disabled = false;
        panel.dataset.state = 'ready';
      } catch (error) {
        if (mine !== seq) return;
        $('costs-status').textContent = '';
        panel.dataset.state = 'error';
        env.failed(error, 'The costs could not be loaded');
      }
    }

    /** The table as shown: amounts with two decimals, the unit price as the API gave it. */
    function download() {
      var amount = function (value) { return value == null ? null : value.toFixed(2); };
      var lines = [CSV_COLUMNS.join(',')];
      shown.forEach(function (e) {
        var lost = waste(e);
        lines.push([e.skuId, e.skuPartNumber, e.productName, e.currency, e.monthlyUnitPrice,
          e.purchasedUnits, e.assignedUnits, e.unassignedUnits, e.disabledHolderUnits, e.inactiveHolderUnits,
          lost.units, amount(e.purchasedCost), amount(e.assignedCost), amount(e.unassignedCost),
          amount(e.disabledHolderCost), amount(e.inactiveHolderCost), amount(lost.cost)]
          .map(window.TallyCsv.field).join(','));
      });
      env.save('license-costs-' + (env.tenant() || 'tenant') + '.csv', lines.join('\r\n') + '\r\n');
    }

    $('costs-download').addEventListener('click', download);

    /** Forgets what is shown (sign-out): a late answer is dropped. */
    function reset() {
      seq += 1;
      shown = [];
      $('cost-list').querySelector('tbody').replaceChildren();
      $('cost-totals').replaceChildren();
      $('costs-unpriced').hidden = true;
      $('costs-status').textContent = '';
      panel.dataset.state = 'idle';
    }

    return { load: load, reset: reset };
  }

  window.TallyCosts = { create: create };
}());
