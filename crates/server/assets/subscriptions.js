/*
 * tally dashboard, the Subscriptions view: the tenant's subscriptions (GET
 * v1.0/directory/subscriptions, SPEC §13.2, following every nextLink), the soonest next lifecycle
 * date first and those without one last: each one's SKU, status, whether it is a trial, that date
 * with the days to go (or since, once it has passed), and its licenses; and a CSV of the table.
 * Days are whole UTC calendar days between today and the date. app.js signs in and shows errors;
 * it hands this file what it needs through TallySubscriptions.create(env).
 */
(function () {
  'use strict';

  var DAY_MS = 24 * 3600 * 1000;
  /** A date this many days ahead or fewer is marked as soon. */
  var SOON_DAYS = 30;
  var CSV_COLUMNS = ['commerceSubscriptionId', 'skuId', 'skuPartNumber', 'status', 'isTrial',
    'nextLifecycleDateTime', 'daysToGo', 'totalLicenses'];
  /** A status's badge: as the Licenses view marks a SKU's capability status. */
  var STATUS_BADGE = { Enabled: 'ok', Warning: 'idle', Suspended: 'over', LockedOut: 'over', Expired: 'plain' };

  function plural(n, one, many) { return n === 1 ? one : many; }

  /** Whole UTC calendar days from today to the date (negative once passed), or null. */
  function daysToGo(text, nowMs) {
    if (text == null) return null;
    var at = Date.parse(text);
    if (isNaN(at)) return null;
    var day = function (ms) { var d = new Date(ms); return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()); };
    return Math.round((day(at) - day(nowMs)) / DAY_MS);
  }

  /** Soonest date first; no date last; then by SKU and the commerce id, so the order is stable. */
  function order(a, b) {
    var at = function (s) { var t = Date.parse(s.nextLifecycleDateTime); return isNaN(t) ? Infinity : t; };
    var byDate = at(a) - at(b);
    if (byDate) return byDate;
    return (a.skuPartNumber || '').localeCompare(b.skuPartNumber || '', 'en') ||
      String(a.commerceSubscriptionId).localeCompare(String(b.commerceSubscriptionId), 'en');
  }

  /**
   * env: $ (element by id), token(), tenant(), fetchAll(url, token), cell, badge and count
   * (app.js's table helpers), utcDay(text), save(fileName, text), failed(error, what).
   */
  function create(env) {
    var $ = env.$;
    var seq = 0;
    var panel = $('subscriptions');
    var shown = { rows: [], now: 0 };

    function dueText(days) {
      if (days == null) return '—';
      if (days === 0) return 'today';
      if (days > 0) return days === 1 ? 'tomorrow' : 'in ' + env.count(days) + ' days';
      return days === -1 ? 'passed yesterday' : 'passed ' + env.count(-days) + ' days ago';
    }

    /** Red once passed, amber when soon; an expired subscription's date is history, not news. */
    function dueMark(subscription, days) {
      if (days == null || subscription.status === 'Expired') return null;
      if (days < 0) return 'over';
      return days <= SOON_DAYS ? 'idle' : null;
    }

    function row(subscription) {
      var days = daysToGo(subscription.nextLifecycleDateTime, shown.now);
      var tr = document.createElement('tr');
      tr.dataset.subscriptionId = subscription.id;
      var th = env.cell('th', subscription.skuPartNumber || subscription.skuId || '—', null, 'sku');
      th.setAttribute('scope', 'row');
      var status = document.createElement('td');
      status.dataset.field = 'status';
      status.dataset.value = subscription.status || '';
      status.append(env.badge(STATUS_BADGE[subscription.status] || 'plain', subscription.status || 'unknown'));
      var trial = document.createElement('td');
      trial.dataset.field = 'trial';
      trial.dataset.value = String(subscription.isTrial === true);
      if (subscription.isTrial) trial.append(env.badge('idle', 'Trial'));
      else trial.textContent = 'No';
      var date = subscription.nextLifecycleDateTime;
      var dateCell = env.cell('td', date ? env.utcDay(date) : '—', null, 'nextLifecycle', date);
      if (!date) dateCell.title = 'no next lifecycle date';
      var mark = dueMark(subscription, days);
      var due = env.cell('td', dueText(days), mark, 'daysToGo', days);
      if (mark === 'over') due.append(' ', env.badge('over', 'Passed'));
      else if (mark === 'idle') due.append(' ', env.badge('idle', 'Soon'));
      tr.append(th, status, trial, dateCell, due,
        env.cell('td', env.count(subscription.totalLicenses), 'num', 'licenses', subscription.totalLicenses));
      return tr;
    }

    function summary(rows) {
      if (!rows.length) return 'No subscriptions.';
      var skus = new Set(rows.map(function (s) { return s.skuId; })).size;
      var trials = rows.filter(function (s) { return s.isTrial === true; }).length;
      var marks = rows.map(function (s) { return dueMark(s, daysToGo(s.nextLifecycleDateTime, shown.now)); });
      var soon = marks.filter(function (m) { return m === 'idle'; }).length;
      var passed = marks.filter(function (m) { return m === 'over'; }).length;
      return env.count(rows.length) + plural(rows.length, ' subscription', ' subscriptions') + ' of ' +
        env.count(skus) + plural(skus, ' SKU', ' SKUs') + ': ' + env.count(trials) + plural(trials, ' trial', ' trials') +
        ', ' + env.count(soon) + ' due within ' + SOON_DAYS + ' days, ' + env.count(passed) + ' past the date.';
    }

    function render(subscriptions) {
      shown.now = Date.now();
      shown.rows = subscriptions.slice().sort(order);
      var tbody = $('subscription-list').querySelector('tbody');
      tbody.replaceChildren.apply(tbody, shown.rows.map(row));
      $('subscriptions-empty').hidden = shown.rows.length > 0;
      $('subscriptions-wrap').hidden = shown.rows.length === 0;
      $('subscriptions-status').textContent = summary(shown.rows);
    }

    /** Reads the subscriptions afresh (each time the view is opened) and draws the table. */
    async function load() {
      var mine = ++seq;
      panel.dataset.state = 'loading';
      $('subscriptions-download').disabled = true;
      $('subscriptions-status').textContent = 'Loading the subscriptions…';
      try {
        var subscriptions = await env.fetchAll('v1.0/directory/subscriptions?$top=999', env.token());
        if (mine !== seq) return;
        render(subscriptions);
        $('subscriptions-download').disabled = false;
        panel.dataset.state = 'ready';
      } catch (error) {
        if (mine !== seq) return;
        $('subscriptions-status').textContent = '';
        panel.dataset.state = 'error';
        env.failed(error, 'The subscriptions could not be loaded');
      }
    }

    /** The table as shown, with the same days to go, as CSV. */
    function download() {
      var lines = [CSV_COLUMNS.join(',')];
      shown.rows.forEach(function (s) {
        lines.push([s.commerceSubscriptionId, s.skuId, s.skuPartNumber, s.status, s.isTrial === true,
          s.nextLifecycleDateTime, daysToGo(s.nextLifecycleDateTime, shown.now), s.totalLicenses]
          .map(window.TallyCsv.field).join(','));
      });
      env.save('subscriptions-' + (env.tenant() || 'tenant') + '.csv', lines.join('\r\n') + '\r\n');
    }

    $('subscriptions-download').addEventListener('click', download);

    /** Forgets what is shown (sign-out): a late answer is dropped. */
    function reset() {
      seq += 1;
      shown.rows = [];
      $('subscription-list').querySelector('tbody').replaceChildren();
      $('subscriptions-status').textContent = '';
      panel.dataset.state = 'idle';
    }

    return { load: load, reset: reset };
  }

  window.TallySubscriptions = { create: create };
}());
