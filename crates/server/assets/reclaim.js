/*
 * tally dashboard, the Reclaim view: per license type (Premium P2, Premium P1, Basic) the
 * holders who have not signed in within 30 days (GET beta/reports/licenseReclaim, SPEC §12.3),
 * with how many there are and how many licenses reclaiming theirs would free ($count=true), their
 * rows a page at a time behind "Show more", and a CSV of every row of every type. app.js signs in
 * and shows errors; it hands this file what it needs through TallyReclaim.create(env).
 */
(function () {
  'use strict';

  /** Holders asked for per page shown; the CSV asks for the largest page. */
  var PAGE = 50;
  var CSV_PAGE = 999;
  var TYPES = [
    { type: 'premiumP2', name: 'Premium P2' },
    { type: 'premiumP1', name: 'Premium P1' },
    { type: 'basic', name: 'Basic' }
  ];
  var DAY_MS = 24 * 3600 * 1000;
  var CSV_COLUMNS = ['licenseType', 'userPrincipalName', 'displayName', 'lastSignInDateTime', 'licenses', 'units'];

  function listUrl(type, top) {
    return 'beta/reports/licenseReclaim?licenseType=' + type + '&$count=true&$top=' + top;
  }

  function plural(n, one, many) { return n === 1 ? one : many; }

  function partNumbers(user) {
    return (user.licenses || []).map(function (l) { return l.skuPartNumber || l.skuId; });
  }

  /**
   * env: $ (element by id), token(), tenant() (the token's tenant id), getPage(url, token)
   * ({value, next, body}), fetchAll(url, token), cell and count (app.js's table helpers),
   * utcDay(text), save(fileName, text) (a download), failed(error, what).
   */
  function create(env) {
    var $ = env.$;
    var seq = 0;
    var panel = $('reclaim');

    function lastSignIn(user) {
      var text = user.lastSignInDateTime;
      if (!text) return 'never';
      var days = Math.floor((Date.now() - new Date(text)) / DAY_MS);
      if (isNaN(days)) return env.utcDay(text);
      // A sign-in dated after now does not count as activity (SPEC §12.3): say so.
      return env.utcDay(text) + (days < 0 ? ' (dated after now)' : ' (' + env.count(days) + plural(days, ' day', ' days') + ' ago)');
    }

    function holderRow(user) {
      var tr = document.createElement('tr');
      tr.dataset.userId = user.id;
      var th = env.cell('th', user.displayName || '—', null, 'displayName');
      th.setAttribute('scope', 'row');
      tr.append(
        th,
        env.cell('td', user.userPrincipalName || '—', null, 'userPrincipalName'),
        env.cell('td', lastSignIn(user), user.lastSignInDateTime ? null : 'muted', 'lastSignIn', user.lastSignInDateTime),
        env.cell('td', partNumbers(user).join(', ') || '—', null, 'licenses')
      );
      return tr;
    }

    /** A type's section (from the template), filled with the first page's counts. */
    function section(spec, page) {
      var node = $('reclaim-template').content.firstElementChild.cloneNode(true);
      var users = page.body['@odata.count'];
      var units = page.body['@tally.unitCount'];
      var list = { spec: spec, node: node, next: page.next, shown: 0, users: users };
      node.dataset.licenseType = spec.type;
      node.setAttribute('aria-labelledby', 'reclaim-' + spec.type);
      node.querySelector('.reclaim-title').id = 'reclaim-' + spec.type;
      node.querySelector('.type-name').textContent = spec.name;
      node.querySelector('.type-code').textContent = spec.type;
      var usersField = node.querySelector('[data-field="users"]');
      usersField.textContent = env.count(users) + ' inactive ' + plural(users, 'holder', 'holders');
      usersField.dataset.value = users == null ? '' : String(users);
      var unitsField = node.querySelector('[data-field="units"]');
      unitsField.textContent = env.count(units) + ' ' + plural(units, 'license', 'licenses');
      unitsField.dataset.value = units == null ? '' : String(units);
      node.querySelector('.reclaim-caption').textContent = spec.name + ' holders with no sign-in in 30 days';
      node.querySelector('.more-of').textContent = ' inactive ' + spec.name + ' holders';
      node.querySelector('.more').addEventListener('click', function () { more(list); });
      append(list, page);
      return node;
    }

    function append(list, page) {
      var node = list.node;
      var tbody = node.querySelector('tbody');
      page.value.forEach(function (user) { tbody.append(holderRow(user)); });
      list.shown += page.value.length;
      list.next = page.next;
      var status = node.querySelector('.reclaim-status');
      node.querySelector('.table-wrap').hidden = list.shown === 0;
      if (!list.shown && !list.next) status.textContent = 'Every ' + list.spec.name + ' holder signed in within 30 days.';
      else if (list.next) status.textContent = 'Showing ' + env.count(list.shown) + ' of ' + env.count(list.users) + '.';
      else status.textContent = 'All ' + env.count(list.shown) + ' shown.';
      var button = node.querySelector('.more');
      button.hidden = !list.next;
      button.disabled = false;
      node.dataset.complete = String(!list.next);
      node.dataset.state = 'ready';
    }

    /** The next page of a type's inactive holders. */
    async function more(list) {
      var mine = seq;
      var button = list.node.querySelector('.more');
      var status = list.node.querySelector('.reclaim-status');
      button.disabled = true;
      list.node.dataset.state = 'loading';
      status.textContent = 'Loading more…';
      try {
        var page = await env.getPage(list.next, env.token());
        if (mine !== seq) return;
        append(list, page);
        // The button that was pressed is gone: keep the keyboard near the list.
        if (button.hidden) status.focus();
      } catch (error) {
        if (mine !== seq) return;
        button.disabled = false;
        list.node.dataset.state = 'error';
        status.textContent = 'More holders could not be loaded.';
        env.failed(error, 'The inactive ' + list.spec.name + ' holders could not be loaded');
      }
    }

    /** Reads each type's first page afresh (each time the view is opened) and draws them. */
    async function load() {
      var mine = ++seq;
      panel.dataset.state = 'loading';
      $('reclaim-download').disabled = true;
      $('reclaim-status').textContent = 'Loading the inactive holders…';
      try {
        var pages = await Promise.all(TYPES.map(function (spec) {
          return env.getPage(listUrl(spec.type, PAGE), env.token());
        }));
        if (mine !== seq) return;
        var box = $('reclaim-types');
        box.replaceChildren();
        var users = 0;
        var units = 0;
        TYPES.forEach(function (spec, at) {
          box.append(section(spec, pages[at]));
          users += pages[at].body['@odata.count'] || 0;
          units += pages[at].body['@tally.unitCount'] || 0;
        });
        $('reclaim-status').textContent = users ? env.count(users) + ' inactive ' + plural(users, 'holder', 'holders') +
          ' of a premium or basic license; reclaiming frees ' + env.count(units) + ' ' + plural(units, 'license.', 'licenses.') :
          'Every holder of a premium or basic license signed in within 30 days.';
        $('reclaim-download').disabled = false;
        panel.dataset.state = 'ready';
      } catch (error) {
        if (mine !== seq) return;
        $('reclaim-status').textContent = '';
        panel.dataset.state = 'error';
        env.failed(error, 'The inactive holders could not be loaded');
      }
    }

    /** Every inactive holder of every type, following each nextLink, as CSV. */
    async function download() {
      var mine = seq;
      var button = $('reclaim-download');
      button.disabled = true;
      panel.dataset.download = 'loading';
      try {
        var lines = [CSV_COLUMNS.join(',')];
        for (var i = 0; i < TYPES.length; i += 1) {
          var users = await env.fetchAll(listUrl(TYPES[i].type, CSV_PAGE), env.token());
          users.forEach(function (user) {
            var parts = partNumbers(user);
            lines.push([TYPES[i].type, user.userPrincipalName, user.displayName, user.lastSignInDateTime,
              parts.join(' '), parts.length].map(window.TallyCsv.field).join(','));
          });
        }
        if (mine !== seq) return;
        env.save('license-reclaim-' + (env.tenant() || 'tenant') + '.csv', lines.join('\r\n') + '\r\n');
        panel.dataset.download = 'done';
      } catch (error) {
        if (mine !== seq) return;
        panel.dataset.download = 'error';
        env.failed(error, 'The reclaim CSV could not be made');
      } finally {
        if (mine === seq) button.disabled = false;
      }
    }

    $('reclaim-download').addEventListener('click', download);

    /** Forgets what is shown (sign-out): a late answer is dropped. */
    function reset() {
      seq += 1;
      $('reclaim-types').replaceChildren();
      $('reclaim-status').textContent = '';
      panel.dataset.state = 'idle';
    }

    return { load: load, reset: reset };
  }

  window.TallyReclaim = { create: create };
}());
