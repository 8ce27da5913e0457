/*
 * tally dashboard, the Licenses view: one row per subscribed SKU (GET v1.0/subscribedSkus) with
 * the units bought, in warning, assigned and free, and under each SKU, on request, the users who
 * hold it (GET v1.0/users filtered on assignedLicenses, a page at a time behind "Show more").
 * app.js signs in, switches views and shows errors; it hands this file what it needs through
 * TallyLicenses.create(env), so the token and the alert stay in one place.
 */
(function () {
  'use strict';

  /** Holders asked for per request (Graph allows up to 999 users a page). */
  var HOLDERS_PAGE = 100;
  var GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  var COLUMNS = 7;

  /**
   * env: $ (element by id), token() (the signed-in token), getPage(url, token) (one page:
   * {value, next}), fetchAll(url, token) (every item, following nextLinks), cell, badge and
   * count (app.js's table helpers), failed(error, what) (shows an API failure as the page does).
   */
  function create(env) {
    var $ = env.$;
    var seq = 0;
    var panel = $('licenses');

    /** Units still assignable: enabled + warning − consumed, never below zero. */
    function free(sku) {
      var units = sku.prepaidUnits || {};
      return Math.max((units.enabled || 0) + (units.warning || 0) - (sku.consumedUnits || 0), 0);
    }

    function overBy(sku) {
      var units = sku.prepaidUnits || {};
      return Math.max((sku.consumedUnits || 0) - (units.enabled || 0) - (units.warning || 0), 0);
    }

    function skuName(sku) { return sku.skuPartNumber || sku.skuId; }

    function holdersUrl(skuId) {
      var filter = 'assignedLicenses/any(x:x/skuId eq ' + skuId + ')';
      return 'v1.0/users?$filter=' + encodeURIComponent(filter) +
        '&$select=id,displayName,userPrincipalName&$top=' + HOLDERS_PAGE;
    }

    function statusCell(sku) {
      var td = document.createElement('td');
      td.dataset.field = 'status';
      var capability = sku.capabilityStatus || 'Enabled';
      if (capability === 'Enabled') td.append(env.badge('ok', 'Enabled'));
      else td.append(env.badge(capability === 'Warning' ? 'idle' : 'over', capability));
      var over = overBy(sku);
      if (over) td.append(env.badge('over', 'Over-assigned by ' + env.count(over)));
      return td;
    }

    /** The SKU's row and, below it, its (hidden) holder list. */
    function skuRows(sku) {
      var units = sku.prepaidUnits || {};
      var name = skuName(sku);
      var tr = document.createElement('tr');
      tr.dataset.skuId = sku.skuId;
      var th = env.cell('th', name, null, 'sku');
      th.setAttribute('scope', 'row');
      var freeUnits = free(sku);
      tr.append(
        th,
        env.cell('td', env.count(units.enabled), 'num', 'bought', units.enabled),
        env.cell('td', env.count(units.warning), 'num', 'warning', units.warning),
        env.cell('td', env.count(sku.consumedUnits), 'num', 'assigned', sku.consumedUnits),
        env.cell('td', env.count(freeUnits), 'num' + (overBy(sku) ? ' over' : ''), 'free', freeUnits),
        statusCell(sku)
      );

      var holders = $('holders-template').content.firstElementChild.cloneNode(true);
      holders.id = 'holders-' + sku.skuId;
      holders.dataset.holdersOf = sku.skuId;
      holders.querySelector('td').colSpan = COLUMNS;
      holders.querySelector('.holders-caption').textContent = 'Users holding ' + name;
      holders.querySelector('.more-of').textContent = ' of ' + name;

      var toggle = document.createElement('button');
      toggle.type = 'button';
      toggle.className = 'secondary holders-toggle';
      toggle.setAttribute('aria-expanded', 'false');
      toggle.setAttribute('aria-controls', holders.id);
      var label = document.createElement('span');
      label.className = 'toggle-label';
      label.textContent = 'Show holders';
      var of = document.createElement('span');
      of.className = 'visually-hidden';
      of.textContent = ' of ' + name;
      toggle.append(label, of);
      var toggleCell = document.createElement('td');
      toggleCell.append(toggle);
      tr.append(toggleCell);

      var list = { sku: sku, row: holders, next: null, started: false, shown: 0 };
      toggle.addEventListener('click', function () {
        var open = toggle.getAttribute('aria-expanded') !== 'true';
        toggle.setAttribute('aria-expanded', String(open));
        label.textContent = open ? 'Hide holders' : 'Show holders';
        holders.hidden = !open;
        if (open && !list.started) {
          list.started = true;
          list.next = holdersUrl(sku.skuId);
          loadHolders(list, false);
        }
      });
      holders.querySelector('.more').addEventListener('click', function () { loadHolders(list, true); });
      return [tr, holders];
    }

    /** The next page of a SKU's holders, appended to its list. */
    async function loadHolders(list, moved) {
      var box = list.row.querySelector('.holders');
      var more = list.row.querySelector('.more');
      var status = list.row.querySelector('.holders-status');
      var mine = seq;
      if (!GUID.test(list.sku.skuId || '')) {
        box.dataset.state = 'error';
        status.textContent = 'This SKU has no valid skuId, so its holders cannot be listed.';
        return;
      }
      box.dataset.state = 'loading';
      more.disabled = true;
      status.textContent = 'Loading holders…';
      try {
        var page = await env.getPage(list.next, env.token());
        if (mine !== seq) return;
        var tbody = list.row.querySelector('tbody');
        page.value.forEach(function (user) {
          var tr = document.createElement('tr');
          tr.dataset.userId = user.id;
          var th = env.cell('th', user.displayName || '—', null, 'displayName');
          th.setAttribute('scope', 'row');
          tr.append(th, env.cell('td', user.userPrincipalName || '—', null, 'userPrincipalName'));
          tbody.append(tr);
        });
        list.shown += page.value.length;
        list.next = page.next;
        var total = list.sku.consumedUnits;
        if (!list.shown && !list.next) status.textContent = 'No user holds this SKU.';
        else if (list.next) status.textContent = 'Showing ' + env.count(list.shown) + ' of ' + env.count(total) + ' holders.';
        else status.textContent = 'All ' + env.count(list.shown) + ' holders.';
        more.hidden = !list.next;
        more.disabled = false;
        box.dataset.state = 'ready';
        box.dataset.complete = String(!list.next);
        // The button that was pressed is gone: keep the keyboard near the list.
        if (moved && more.hidden) status.focus();
      } catch (error) {
        if (mine !== seq) return;
        more.disabled = false;
        box.dataset.state = 'error';
        status.textContent = 'The holders could not be loaded.';
        env.failed(error, 'The holders of ' + skuName(list.sku) + ' could not be loaded');
      }
    }

    function render(skus) {
      var tbody = $('skus').querySelector('tbody');
      tbody.replaceChildren();
      $('skus-empty').hidden = skus.length > 0;
      $('skus-wrap').hidden = skus.length === 0;
      skus.slice().sort(function (a, b) {
        return skuName(a).localeCompare(skuName(b), 'en') || (a.skuId < b.skuId ? -1 : 1);
      }).forEach(function (sku) { tbody.append.apply(tbody, skuRows(sku)); });
      var sum = function (f) { return skus.reduce(function (total, sku) { return total + f(sku); }, 0); };
      $('licenses-status').textContent = skus.length === 0 ? 'No subscribed SKUs.' :
        skus.length + (skus.length === 1 ? ' SKU: ' : ' SKUs: ') +
        env.count(sum(function (s) { return (s.prepaidUnits && s.prepaidUnits.enabled) || 0; })) + ' bought, ' +
        env.count(sum(function (s) { return s.consumedUnits || 0; })) + ' assigned, ' +
        env.count(sum(free)) + ' free.';
    }

    /** Reads the SKUs afresh (each time the view is opened) and draws the table. */
    async function load() {
      var mine = ++seq;
      panel.dataset.state = 'loading';
      $('licenses-status').textContent = 'Loading the subscribed SKUs…';
      try {
        var skus = await env.fetchAll('v1.0/subscribedSkus', env.token());
        if (mine !== seq) return;
        render(skus);
        panel.dataset.state = 'ready';
      } catch (error) {
        if (mine !== seq) return;
        $('licenses-status').textContent = '';
        panel.dataset.state = 'error';
        env.failed(error, 'The licenses could not be loaded');
      }
    }

    /** Forgets what is shown (sign-out): a late answer is dropped. */
    function reset() {
      seq += 1;
      $('skus').querySelector('tbody').replaceChildren();
      $('licenses-status').textContent = '';
      panel.dataset.state = 'idle';
    }

    return { load: load, reset: reset };
  }

  window.TallyLicenses = { create: create };
}());
