/*
 * tally dashboard: signs in with a bearer token (from the link's #token= fragment, or pasted),
 * reads getAzureADLicenseUsage for the chosen period (following @odata.nextLink), and draws per
 * license type a chart of total/assigned/used and one of utilization, a table of the latest
 * snapshot, and a CSV download. The token lives in sessionStorage and is sent to this origin only.
 * Beside each license type's charts, the change of assigned and used users from the month before
 * (month-over-month.js), with its own CSV.
 * Six views, as tabs: Usage (this file), Licenses (licenses.js: SKUs and who holds them),
 * Subscriptions (subscriptions.js: their status and next lifecycle date), Costs (costs.js: what
 * the licenses cost a month, and what is wasted), Insight (insight.js: premium features used
 * against the P1/P2 entitlement) and Reclaim (reclaim.js: holders who have not signed in for 30
 * days).
 */
(function () {
  'use strict';

  var TOKEN_KEY = 'tally.dashboard.token';
  var PERIOD_KEY = 'tally.dashboard.period';
  var VIEW_KEY = 'tally.dashboard.view';
  /** Each view's tab is `tab-<view>`; the value is its panel's id. */
  var VIEWS = {
    usage: 'report', licenses: 'licenses', subscriptions: 'subscriptions', costs: 'costs',
    insight: 'insight', reclaim: 'reclaim'
  };
  var PERIODS = ['D7', 'D30', 'D90', 'D180'];
  var PERIOD_DAYS = { D7: 7, D30: 30, D90: 90, D180: 180 };
  /** Below this share of bought licenses in use, a license type is marked idle. */
  var IDLE_BELOW = 0.8;
  var MAX_PAGES = 1000;
  var TYPE_ORDER = ['premiumP2', 'premiumP1', 'basic', 'free', 'none', 'unknownFutureValue'];
  var TYPE_NAMES = {
    premiumP2: 'Premium P2', premiumP1: 'Premium P1', basic: 'Basic', free: 'Free',
    none: 'None', unknownFutureValue: 'Unknown future value'
  };
  var COLORS = {
    total: '#374151', assigned: '#1d4ed8', used: '#047857',
    over: '#b91c1c', overFill: 'rgba(185, 28, 28, 0.28)',
    idle: '#b45309', idleFill: 'rgba(180, 83, 9, 0.14)', guide: '#6b7280'
  };

  var numberFormat = new Intl.NumberFormat('en-US');
  var state = {
    token: null, period: 'D30', view: 'usage', snapshots: [], charts: [], loadSeq: 0,
    /** Per license type shown, in order: [type, its month-over-month change]. */
    changes: [],
    /** The token the report on screen was read with (null: read it when Usage is shown). */
    reportToken: null,
    /** The other views, by name: each has load() (read and draw afresh) and reset(). */
    views: {}
  };

  function $(id) { return document.getElementById(id); }

  // ---- token ---------------------------------------------------------------------------

  /** The token from the URL fragment (then removed from the address bar) or the session. */
  function takeToken() {
    var fragment = new URLSearchParams(location.hash.replace(/^#/, ''));
    var fromLink = fragment.get('token');
    if (fromLink) {
      sessionStorage.setItem(TOKEN_KEY, fromLink);
      history.replaceState(null, '', location.pathname + location.search);
      return fromLink;
    }
    return sessionStorage.getItem(TOKEN_KEY);
  }

  /** A pasted token, a pasted link, or "Bearer <token>" → the token. */
  function cleanPasted(text) {
    var value = text.trim();
    var at = value.indexOf('#token=');
    if (at >= 0) value = value.slice(at + 7);
    return value.replace(/^Bearer\s+/i, '').trim();
  }

  /** The token's claims, unverified (for display only; the server checks the token). */
  function claims(token) {
    try {
      var part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      return JSON.parse(atob(part + '==='.slice((part.length + 3) % 4)));
    } catch (e) {
      return {};
    }
  }

  // ---- API -----------------------------------------------------------------------------

  function ApiFailure(status, message, code) {
    this.status = status;
    this.message = message;
    this.code = code || null;
  }

  /** A GET's JSON body; a failure throws an ApiFailure with Graph's error code and message. */
  async function getJson(url, token) {
    var response;
    try {
      response = await fetch(url, {
        headers: { Authorization: 'Bearer ' + token, Accept: 'application/json' },
        cache: 'no-store',
        credentials: 'omit'
      });
    } catch (e) {
      throw new ApiFailure(0, 'tally could not be reached (' + e.message + ').');
    }
    var body = await response.json().catch(function () { return null; });
    if (!response.ok) {
      var error = (body && body.error) || {};
      throw new ApiFailure(response.status, error.message || ('HTTP ' + response.status), error.code);
    }
    return body || {};
  }

  /** One page of a collection: its items, the next page's URL on this origin (or null), and
   * the whole body (for annotations such as @odata.count). */
  async function getPage(url, token) {
    var body = await getJson(url, token);
    return {
      value: body.value || [],
      next: body['@odata.nextLink'] ? sameOrigin(body['@odata.nextLink']) : null,
      body: body
    };
  }

  /** Every item of a collection, following @odata.nextLink. */
  async function fetchAll(url, token) {
    var items = [];
    for (var page = 0; url && page < MAX_PAGES; page += 1) {
      var got = await getPage(url, token);
      items = items.concat(got.value);
      url = got.next;
    }
    return items;
  }

  /** Every snapshot of the period, oldest first. */
  function fetchReport(period, token) {
    return fetchAll("v1.0/reports/getAzureADLicenseUsage(period='" + period + "')?$top=999", token);
  }

  /** The token goes to this origin only, whatever host a nextLink names. */
  function sameOrigin(link) {
    var parsed = new URL(link, location.href);
    return new URL(parsed.pathname + parsed.search, location.origin).href;
  }

  // ---- shaping -------------------------------------------------------------------------

  function typeRank(type) {
    var at = TYPE_ORDER.indexOf(type);
    return at < 0 ? TYPE_ORDER.length : at;
  }

  function sortTypes(types) {
    return types.sort(function (a, b) { return typeRank(a) - typeRank(b) || (a < b ? -1 : 1); });
  }

  function typeName(type) { return TYPE_NAMES[type] || type; }

  /** license type → [{at, id, total, assigned, used}], oldest first. */
  function seriesByType(snapshots) {
    var byType = new Map();
    snapshots.forEach(function (snapshot) {
      (snapshot.licenseInfoDetails || []).forEach(function (detail) {
        if (!byType.has(detail.licenseType)) byType.set(detail.licenseType, []);
        byType.get(detail.licenseType).push({
          at: snapshot.snapshotDateTime,
          id: snapshot.id,
          total: detail.totalLicenseCount,
          assigned: detail.totalAssignedCount,
          used: detail.totalUsageCount
        });
      });
    });
    return byType;
  }

  function ratio(part, whole) {
    return part == null || whole == null || whole === 0 ? null : part / whole;
  }

  function utcDay(text) {
    var date = new Date(text);
    return isNaN(date) ? text : date.toISOString().slice(0, 10);
  }

  function utcMinute(text) {
    var date = new Date(text);
    return isNaN(date) ? text : date.toISOString().slice(0, 16).replace('T', ' ');
  }

  function count(value) { return value == null ? '—' : numberFormat.format(value); }
  function percent(value) { return value == null ? '—' : (value * 100).toFixed(1) + '%'; }
  function signed(value) {
    return value == null ? 'n/a' : (value > 0 ? '+' : '') + numberFormat.format(value);
  }

  function flags(row) {
    var over = row.assigned != null && row.total != null && row.assigned > row.total;
    var usedShare = ratio(row.used, row.total);
    return {
      over: over,
      overBy: over ? row.assigned - row.total : 0,
      idle: usedShare != null && usedShare < IDLE_BELOW,
      idleCount: row.total != null && row.used != null ? Math.max(row.total - row.used, 0) : null
    };
  }

  // ---- rendering -----------------------------------------------------------------------

  function cell(tag, text, className, field, value) {
    var element = document.createElement(tag);
    element.textContent = text;
    if (className) element.className = className;
    if (field) element.dataset.field = field;
    if (value !== undefined) element.dataset.value = value == null ? '' : String(value);
    if (text === '—') element.title = 'not reported';
    return element;
  }

  function badge(kind, text) {
    var element = document.createElement('span');
    element.className = 'badge ' + kind;
    element.textContent = text;
    return element;
  }

  function renderLatest(snapshots) {
    var body = $('latest').querySelector('tbody');
    body.replaceChildren();
    var latest = snapshots[snapshots.length - 1];
    if (!latest) {
      $('latest-caption').textContent = 'No snapshot in this period.';
      return;
    }
    $('latest-caption').textContent = 'Snapshot of ' + utcMinute(latest.snapshotDateTime) + ' UTC';
    var details = (latest.licenseInfoDetails || []).slice().sort(function (a, b) {
      return typeRank(a.licenseType) - typeRank(b.licenseType);
    });
    details.forEach(function (detail) {
      var row = { total: detail.totalLicenseCount, assigned: detail.totalAssignedCount, used: detail.totalUsageCount };
      var mark = flags(row);
      var tr = document.createElement('tr');
      tr.dataset.licenseType = detail.licenseType;
      tr.append(
        cell('th', typeName(detail.licenseType)),
        cell('td', count(row.total), 'num', 'total', row.total),
        cell('td', count(row.assigned), 'num' + (mark.over ? ' over' : ''), 'assigned', row.assigned),
        cell('td', count(row.used), 'num', 'used', row.used),
        cell('td', percent(ratio(row.assigned, row.total)), 'num' + (mark.over ? ' over' : ''), 'assignedShare'),
        cell('td', percent(ratio(row.used, row.total)), 'num' + (mark.idle ? ' idle' : ''), 'usedShare'),
        cell('td', count(mark.idleCount), 'num', 'idle', mark.idleCount)
      );
      tr.querySelector('th').setAttribute('scope', 'row');
      var status = document.createElement('td');
      status.dataset.field = 'status';
      if (mark.over) status.append(badge('over', 'Over-assigned by ' + numberFormat.format(mark.overBy)));
      if (mark.idle) status.append(badge('idle', 'Idle: ' + numberFormat.format(mark.idleCount) + ' unused'));
      if (!mark.over && !mark.idle) status.append(badge('ok', 'OK'));
      tr.append(status);
      body.append(tr);
    });
  }

  function destroyCharts() {
    state.charts.forEach(function (chart) { chart.destroy(); });
    state.charts = [];
  }

  /** An axis tick: `Jun 2` for the label `2026-06-02`. */
  function shortDay(value) {
    var label = this.getLabelForValue(value);
    var date = new Date(label + 'T00:00:00Z');
    return isNaN(date) ? label : date.toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
  }

  function baseOptions(yTitle, tickFormat) {
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: 'index', intersect: false },
      plugins: {
        legend: { position: 'bottom', labels: { boxWidth: 28, boxHeight: 2, padding: 12 } },
        tooltip: { callbacks: { label: function (item) { return item.dataset.label + ': ' + tickFormat(item.parsed.y); } } }
      },
      scales: {
        x: { ticks: { maxTicksLimit: 7, maxRotation: 0, callback: shortDay }, grid: { display: false } },
        y: { beginAtZero: true, title: { display: true, text: yTitle }, ticks: { callback: tickFormat } }
      }
    };
  }

  function line(label, data, color, extra) {
    return Object.assign({
      label: label, data: data, borderColor: color, backgroundColor: color,
      borderWidth: 2, pointRadius: 0, pointHoverRadius: 4, spanGaps: false, tension: 0
    }, extra || {});
  }

  function countsChart(canvas, rows, labels) {
    var over = function (index) { return flags(rows[index]).over; };
    var data = {
      labels: labels,
      datasets: [
        line('Total (bought)', rows.map(function (r) { return r.total; }), COLORS.total, { borderWidth: 2.5 }),
        line('Assigned', rows.map(function (r) { return r.assigned; }), COLORS.assigned, {
          borderDash: [7, 4],
          fill: { target: 0, above: COLORS.overFill, below: 'transparent' },
          segment: {
            borderColor: function (c) { return over(c.p0DataIndex) || over(c.p1DataIndex) ? COLORS.over : undefined; },
            borderWidth: function (c) { return over(c.p0DataIndex) && over(c.p1DataIndex) ? 4 : undefined; }
          }
        }),
        line('Used', rows.map(function (r) { return r.used; }), COLORS.used, {
          fill: { target: 0, above: 'transparent', below: COLORS.idleFill }
        })
      ]
    };
    return new window.Chart(canvas, { type: 'line', data: data, options: baseOptions('Licenses', count) });
  }

  function utilizationChart(canvas, rows, labels) {
    var assigned = rows.map(function (r) { var v = ratio(r.assigned, r.total); return v == null ? null : v * 100; });
    var used = rows.map(function (r) { var v = ratio(r.used, r.total); return v == null ? null : v * 100; });
    var overPoint = function (context) { return context.raw != null && context.raw > 100; };
    var data = {
      labels: labels,
      datasets: [
        line('Assigned / total', assigned, COLORS.assigned, {
          borderDash: [7, 4],
          fill: { target: { value: 100 }, above: COLORS.overFill, below: 'transparent' },
          segment: {
            borderColor: function (c) { return c.p0.parsed.y > 100 || c.p1.parsed.y > 100 ? COLORS.over : undefined; },
            borderDash: function (c) { return c.p0.parsed.y > 100 && c.p1.parsed.y > 100 ? [] : undefined; },
            borderWidth: function (c) { return c.p0.parsed.y > 100 && c.p1.parsed.y > 100 ? 4 : undefined; }
          },
          pointStyle: 'triangle',
          pointRadius: function (c) { return overPoint(c) && labels.length <= 31 ? 5 : 0; },
          pointBackgroundColor: function (c) { return overPoint(c) ? COLORS.over : COLORS.assigned; },
          pointBorderColor: function (c) { return overPoint(c) ? COLORS.over : COLORS.assigned; }
        }),
        line('Used / total', used, COLORS.used, {
          fill: { target: { value: IDLE_BELOW * 100 }, above: 'transparent', below: COLORS.idleFill }
        }),
        line('All bought (100%)', labels.map(function () { return 100; }), COLORS.guide, {
          borderWidth: 1, borderDash: [2, 3], pointHoverRadius: 0
        }),
        line('Idle below ' + IDLE_BELOW * 100 + '%', labels.map(function () { return IDLE_BELOW * 100; }), COLORS.idle, {
          borderWidth: 1, borderDash: [2, 3], pointHoverRadius: 0
        })
      ]
    };
    var options = baseOptions('Share of licenses bought', function (v) { return v == null ? '—' : Math.round(v) + '%'; });
    options.scales.y.suggestedMax = 110;
    options.plugins.tooltip.filter = function (item) { return item.datasetIndex < 2; };
    options.plugins.tooltip.callbacks.label = function (item) {
      return item.dataset.label + ': ' + (item.parsed.y == null ? '—' : item.parsed.y.toFixed(1) + '%');
    };
    return new window.Chart(canvas, { type: 'line', data: data, options: options });
  }

  function describeRange(rows, key) {
    var values = rows.map(function (r) { return r[key]; }).filter(function (v) { return v != null; });
    if (!values.length) return 'not reported';
    return 'from ' + count(values[0]) + ' to ' + count(values[values.length - 1]) +
      ' (lowest ' + count(Math.min.apply(null, values)) + ', highest ' + count(Math.max.apply(null, values)) + ')';
  }

  function firstReported(rows, key) {
    for (var i = 0; i < rows.length; i += 1) if (rows[i][key] != null) return rows[i][key];
    return null;
  }

  function renderType(type, rows) {
    var fragment = $('type-template').content.cloneNode(true);
    var section = fragment.querySelector('section');
    var name = typeName(type);
    var titleId = 'type-' + type;
    var last = rows[rows.length - 1];
    var mark = flags(last);
    var days = PERIOD_DAYS[state.period];

    section.dataset.licenseType = type;
    section.setAttribute('aria-labelledby', titleId);
    section.querySelector('.type-title').id = titleId;
    section.querySelector('.type-name').textContent = name;
    section.querySelector('.type-code').textContent = type;

    var change = function (key) {
      var first = firstReported(rows, key);
      return last[key] == null || first == null ? null : last[key] - first;
    };
    var summary = section.querySelector('.type-summary');
    summary.textContent = 'Latest: ' + count(last.total) + ' bought, ' + count(last.assigned) + ' assigned (' +
      percent(ratio(last.assigned, last.total)) + '), ' + count(last.used) + ' used (' + percent(ratio(last.used, last.total)) +
      '). Change over ' + days + ' days: total ' + signed(change('total')) + ', assigned ' + signed(change('assigned')) +
      ', used ' + signed(change('used')) + '. ';
    if (mark.over) summary.append(badge('over', 'Over-assigned by ' + numberFormat.format(mark.overBy)));
    if (mark.idle) summary.append(badge('idle', 'Idle: ' + numberFormat.format(mark.idleCount) + ' unused'));
    var monthChange = window.TallyMonthOverMonth.change(rows);
    renderMonthOverMonth(section.querySelector('.mom'), name, monthChange);
    state.changes.push([type, monthChange]);

    var labels = rows.map(function (r) { return utcDay(r.at); });
    section.querySelector('.counts-caption').textContent = name + ': licenses bought, assigned and used';
    section.querySelector('.util-caption').textContent = name + ': utilization (red: over-assigned, amber: idle)';
    var countsCanvas = section.querySelector('canvas.counts');
    countsCanvas.setAttribute('aria-label', name + ' licenses over the last ' + days + ' days, ' + rows.length +
      ' snapshots. Total ' + describeRange(rows, 'total') + '. Assigned ' + describeRange(rows, 'assigned') +
      '. Used ' + describeRange(rows, 'used') + '. The data table below lists every value.');
    var overCount = rows.filter(function (r) { return flags(r).over; }).length;
    var idleCount = rows.filter(function (r) { return flags(r).idle; }).length;
    var utilCanvas = section.querySelector('canvas.utilization');
    utilCanvas.setAttribute('aria-label', name + ' utilization over the last ' + days + ' days: over-assigned in ' +
      overCount + ' of ' + rows.length + ' snapshots, idle (under ' + IDLE_BELOW * 100 + '% used) in ' + idleCount + '.');

    section.querySelector('.series-caption').textContent = name + ', every snapshot of the last ' + days + ' days';
    var tbody = section.querySelector('.series tbody');
    rows.forEach(function (r) {
      var tr = document.createElement('tr');
      var rowMark = flags(r);
      tr.append(
        cell('th', utcMinute(r.at)),
        cell('td', count(r.total), 'num', 'total', r.total),
        cell('td', count(r.assigned), 'num' + (rowMark.over ? ' over' : ''), 'assigned', r.assigned),
        cell('td', count(r.used), 'num', 'used', r.used),
        cell('td', percent(ratio(r.assigned, r.total)), 'num' + (rowMark.over ? ' over' : '')),
        cell('td', percent(ratio(r.used, r.total)), 'num' + (rowMark.idle ? ' idle' : ''))
      );
      tr.querySelector('th').setAttribute('scope', 'row');
      tbody.append(tr);
    });

    $('types').append(section);
    state.charts.push(countsChart(countsCanvas, rows, labels), utilizationChart(utilCanvas, rows, labels));
  }

  /** `Nov 30` for a snapshot's time. */
  function monthDay(text) {
    return new Date(text).toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
  }

  /** The change of assigned and used users from the last snapshot of the month before. */
  function renderMonthOverMonth(box, name, result) {
    var mom = window.TallyMonthOverMonth;
    var compared = result && result.from;
    box.dataset.from = compared ? result.from.at : '';
    box.dataset.to = result ? result.to.at : '';
    box.querySelector('.mom-figures').hidden = !compared;
    box.querySelector('.mom-none').hidden = !!compared;
    box.querySelector('.mom-span').textContent = compared ? monthDay(result.from.at) + ' \u2192 ' + monthDay(result.to.at) : '';
    if (!compared) {
      var before = result ? new Date(result.to.at) : null;
      if (before) before.setUTCDate(0);
      box.querySelector('.mom-none').textContent = before ?
        'No ' + name + ' snapshot of ' + before.toLocaleDateString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' }) +
        ' in this period to compare with; a longer period may have one.' : '';
      return;
    }
    box.querySelector('.mom-span').title = 'The last snapshot of each month: ' + utcMinute(result.from.at) +
      ' and ' + utcMinute(result.to.at) + ' UTC';
    ['assigned', 'used'].forEach(function (key) {
      var figure = box.querySelector('[data-field="' + key + '"]');
      var value = result[key];
      figure.dataset.change = value ? String(value.change) : '';
      figure.dataset.share = value && value.share != null ? String(mom.sharePercent(value.share)) : '';
      figure.querySelector('.mom-change').textContent = value ? mom.signedCount(value.change, count) : 'n/a';
      figure.querySelector('.mom-share').textContent = value ? '(' + mom.signedShare(value.share) + ')' : '';
      figure.title = value ? count(value.from) + ' \u2192 ' + count(value.to) : 'not reported';
    });
  }

  function render() {
    var snapshots = state.snapshots;
    var days = PERIOD_DAYS[state.period];
    destroyCharts();
    state.changes = [];
    $('types').replaceChildren();
    renderLatest(snapshots);
    if (!snapshots.length) {
      $('status').textContent = 'No snapshots in the last ' + days + ' days.';
      return;
    }
    var byType = seriesByType(snapshots);
    sortTypes(Array.from(byType.keys())).forEach(function (type) { renderType(type, byType.get(type)); });
    $('status').textContent = 'Last ' + days + ' days: ' + snapshots.length + ' snapshots from ' +
      utcDay(snapshots[0].snapshotDateTime) + ' to ' + utcDay(snapshots[snapshots.length - 1].snapshotDateTime) +
      ', ' + byType.size + ' license types.';
  }

  // ---- CSV -----------------------------------------------------------------------------

  function csv(snapshots) {
    var lines = ['snapshotDateTime,id,licenseType,totalLicenseCount,totalAssignedCount,totalUsageCount'];
    snapshots.forEach(function (s) {
      (s.licenseInfoDetails || []).forEach(function (d) {
        lines.push([s.snapshotDateTime, s.id, d.licenseType, d.totalLicenseCount, d.totalAssignedCount, d.totalUsageCount]
          .map(window.TallyCsv.field).join(','));
      });
    });
    return lines.join('\r\n') + '\r\n';
  }

  /** Per license type shown, its month-over-month change: the two snapshots compared and each
   * figure's values, change and change in percent (empty when there is nothing to compare). */
  function changeCsv(changes) {
    var lines = ['licenseType,fromSnapshotDateTime,toSnapshotDateTime,assignedFrom,assignedTo,assignedChange,' +
      'assignedChangePercent,usedFrom,usedTo,usedChange,usedChangePercent'];
    var figure = function (value) {
      return value ? [value.from, value.to, value.change, window.TallyMonthOverMonth.sharePercent(value.share)] : [null, null, null, null];
    };
    changes.forEach(function (pair) {
      var result = pair[1] || {};
      lines.push([pair[0], result.from ? result.from.at : null, result.to ? result.to.at : null]
        .concat(figure(result.assigned), figure(result.used)).map(window.TallyCsv.field).join(','));
    });
    return lines.join('\r\n') + '\r\n';
  }

  /** Hands `text` to the browser as a CSV download named `name`. */
  function saveFile(name, text) {
    var blob = new Blob([text], { type: 'text/csv;charset=utf-8' });
    var link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
  }

  function download() {
    var tenant = claims(state.token).tid || 'tenant';
    saveFile('license-usage-' + tenant + '-' + state.period + '.csv', csv(state.snapshots));
  }

  function downloadChange() {
    var tenant = claims(state.token).tid || 'tenant';
    saveFile('license-usage-month-over-month-' + tenant + '-' + state.period + '.csv', changeCsv(state.changes));
  }

  // ---- flow ----------------------------------------------------------------------------

  function showAlert(message) {
    $('alert').textContent = message;
    $('alert').hidden = !message;
  }

  /** A failed read of a view other than the report: 401 asks to sign in again; 403 says the
   * token may not read it (it may still read the report); anything else is an alert. */
  function failed(error, what) {
    if (error.status === 401) {
      showSignIn('Sign-in failed: ' + error.message + ' Get a new link with: tally dashboard --tenant GUID');
      $('token-input').focus();
      return;
    }
    if (error.status === 403) {
      showAlert(what + ': this token may not read it (' + error.message + '). A new link from ' +
        'tally dashboard --tenant GUID can.');
      return;
    }
    showAlert(what + ': ' + (error.message || String(error)));
  }

  function showSignIn(message) {
    state.token = null;
    state.reportToken = null;
    sessionStorage.removeItem(TOKEN_KEY);
    destroyCharts();
    Object.keys(state.views).forEach(function (name) { state.views[name].reset(); });
    $('views').hidden = true;
    Object.keys(VIEWS).forEach(function (name) { $(VIEWS[name]).hidden = true; });
    $('who').hidden = true;
    $('sign-out').hidden = true;
    $('sign-in').hidden = false;
    showAlert(message || '');
    document.body.dataset.state = 'signed-out';
  }

  function showSignedIn() {
    var c = claims(state.token);
    var who = 'Tenant ' + (c.tid || 'unknown');
    if (c.exp) who += ' · signed in until ' + new Date(c.exp * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    $('who').textContent = who;
    $('who').hidden = false;
    $('sign-out').hidden = false;
    $('sign-in').hidden = true;
    $('views').hidden = false;
    document.body.dataset.state = 'signed-in';
  }

  /** Shows a view's tab and panel, and reads its data: the other views' each time, the report
   * once per sign-in (the period buttons read it again). */
  function showView(view, focusTab) {
    state.view = view;
    sessionStorage.setItem(VIEW_KEY, view);
    Object.keys(VIEWS).forEach(function (name) {
      var tab = $('tab-' + name);
      tab.setAttribute('aria-selected', String(name === view));
      tab.tabIndex = name === view ? 0 : -1;
      $(VIEWS[name]).hidden = name !== view;
    });
    if (focusTab) $('tab-' + view).focus();
    document.body.dataset.view = view;
    showAlert('');
    if (state.views[view]) return state.views[view].load();
    if (state.reportToken !== state.token) return load();
    return Promise.resolve();
  }

  /** Arrow keys, Home and End move between the tabs (and open the view, as a click does). */
  function tabKeys(event) {
    var names = Object.keys(VIEWS);
    var at = names.indexOf(state.view);
    var to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: names.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    showView(names[(to + names.length) % names.length], true);
  }

  async function load() {
    var seq = ++state.loadSeq;
    var period = state.period;
    document.body.dataset.state = 'loading';
    $('download').disabled = true;
    $('download-mom').disabled = true;
    $('status').textContent = 'Loading the last ' + PERIOD_DAYS[period] + ' days…';
    showAlert('');
    try {
      var snapshots = await fetchReport(period, state.token);
      if (seq !== state.loadSeq) return;
      state.snapshots = snapshots;
      state.reportToken = state.token;
      render();
      $('download').disabled = false;
      $('download-mom').disabled = false;
      document.body.dataset.period = period;
      document.body.dataset.state = 'ready';
    } catch (error) {
      if (seq !== state.loadSeq) return;
      if (error.status === 401 || error.status === 403) {
        showSignIn('Sign-in failed: ' + error.message + ' Get a new link with: tally dashboard --tenant GUID');
        $('token-input').focus();
        return;
      }
      showAlert('The report could not be loaded: ' + (error.message || String(error)));
      $('status').textContent = '';
      document.body.dataset.state = 'error';
    }
  }

  function signIn(token) {
    state.token = token;
    sessionStorage.setItem(TOKEN_KEY, token);
    state.reportToken = null;
    showSignedIn();
    return showView(state.view);
  }

  function start() {
    var missing = !window.Chart ? 'The chart library' : !window.TallyLicenses ? 'The Licenses view' :
      !window.TallySubscriptions ? 'The Subscriptions view' : !window.TallyCosts ? 'The Costs view' :
      !window.TallyInsight ? 'The Insight view' : !window.TallyReclaim ? 'The Reclaim view' :
      !window.TallyMonthOverMonth ? 'The month-over-month change' : !window.TallyCsv ? 'The CSV downloads' : null;
    if (missing) {
      showAlert(missing + ' did not load.');
      return;
    }
    window.Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
    window.Chart.defaults.color = '#374151';

    var env = {
      $: $,
      token: function () { return state.token; },
      tenant: function () { return claims(state.token).tid; },
      getJson: getJson,
      getPage: getPage,
      fetchAll: fetchAll,
      cell: cell,
      badge: badge,
      count: count,
      utcDay: utcDay,
      save: saveFile,
      failed: failed
    };
    state.views.licenses = window.TallyLicenses.create(env);
    state.views.subscriptions = window.TallySubscriptions.create(env);
    state.views.costs = window.TallyCosts.create(env);
    state.views.insight = window.TallyInsight.create(env);
    state.views.reclaim = window.TallyReclaim.create(env);
    var savedView = sessionStorage.getItem(VIEW_KEY);
    if (Object.prototype.hasOwnProperty.call(VIEWS, savedView)) state.view = savedView;
    Object.keys(VIEWS).forEach(function (name) {
      $('tab-' + name).addEventListener('click', function () { showView(name, false); });
      $('tab-' + name).addEventListener('keydown', tabKeys);
    });

    var savedPeriod = sessionStorage.getItem(PERIOD_KEY);
    if (PERIODS.indexOf(savedPeriod) >= 0) state.period = savedPeriod;
    $('period-' + state.period).checked = true;

    document.querySelectorAll('input[name=period]').forEach(function (input) {
      input.addEventListener('change', function () {
        if (!input.checked) return;
        state.period = input.value;
        sessionStorage.setItem(PERIOD_KEY, state.period);
        load();
      });
    });
    $('download').addEventListener('click', download);
    $('download-mom').addEventListener('click', downloadChange);
    $('sign-out').addEventListener('click', function () {
      showSignIn('');
      $('token-input').focus();
    });
    $('sign-in-form').addEventListener('submit', function (event) {
      event.preventDefault();
      var token = cleanPasted($('token-input').value);
      $('token-input').value = '';
      if (!token) return;
      signIn(token).then(function () { $('main').focus(); });
    });

    // A link opened in a tab that already shows the page changes only the fragment.
    window.addEventListener('hashchange', function () {
      var fresh = takeToken();
      if (fresh && fresh !== state.token) signIn(fresh);
    });

    var token = takeToken();
    if (token) signIn(token);
    else showSignIn('');
  }

  start();
}());
