/*
 * tally dashboard, the Insight view: the premium license insight (GET
 * beta/reports/azureADPremiumLicenseInsight, SPEC §12.3): the P1 and P2 licenses the tenant is
 * entitled to, and per premium feature the users who used it in the last 30 days. A P1 feature
 * (conditional access) is compared with P1 + P2 entitled, since P2 includes P1; a P2 feature
 * (risk-based conditional access) with P2 entitled; members and guests count together. The
 * Global Secure Access features are counted only: their licenses are not P1 or P2, and the
 * insight carries no entitlement for them. A tenant without P1 or P2 (403 missingLicense) is told
 * so calmly. app.js signs in and shows errors; it hands this file what it needs through
 * TallyInsight.create(env).
 */
(function () {
  'use strict';

  /** The rows of the feature table: where each count lives, and what it is compared with. */
  var FEATURES = [
    {
      key: 'conditionalAccess', name: 'Conditional access', tier: 'P1',
      group: 'p1FeatureUtilizations', members: 'conditionalAccess', guests: 'conditionalAccessGuestUsers',
      entitled: function (i) { return i.entitledTotalLicenseCount; }, against: 'P1 + P2'
    },
    {
      key: 'riskBasedConditionalAccess', name: 'Risk-based conditional access', tier: 'P2',
      group: 'p2FeatureUtilizations', members: 'riskBasedConditionalAccess', guests: 'riskBasedConditionalAccessGuestUsers',
      entitled: function (i) { return i.entitledP2LicenseCount; }, against: 'P2'
    },
    { key: 'internetAccess', name: 'Internet access', group: 'internetAccessFeatureUtilizations', users: 'internetAccess' },
    { key: 'internetAccessM365', name: 'Internet access, Microsoft 365 traffic', group: 'internetAccessFeatureUtilizations', users: 'internetAccessM365' },
    { key: 'privateAccess', name: 'Private access', group: 'privateAccessFeatureUtilizations', users: 'privateAccess' }
  ];

  /**
   * env: $ (element by id), token(), getJson(url, token) (the body; throws {status, code,
   * message}), cell, badge and count (app.js's table helpers), failed(error, what).
   */
  function create(env) {
    var $ = env.$;
    var seq = 0;
    var panel = $('insight');

    function userCount(insight, group, name) {
      var feature = insight[group] && insight[group][name];
      return feature && typeof feature.userCount === 'number' ? feature.userCount : null;
    }

    function sum(a, b) { return a == null && b == null ? null : (a || 0) + (b || 0); }

    /** One feature's row: its users, and for P1 and P2 features the entitlement and whether it is exceeded. */
    function featureRow(insight, feature) {
      var tr = document.createElement('tr');
      tr.dataset.feature = feature.key;
      var th = env.cell('th', feature.name, null, 'feature');
      th.setAttribute('scope', 'row');
      if (feature.tier) {
        var tier = document.createElement('span');
        tier.className = 'tier';
        tier.textContent = ' (' + feature.tier + ')';
        th.append(tier);
      }
      var members = feature.users ? null : userCount(insight, feature.group, feature.members);
      var guests = feature.users ? null : userCount(insight, feature.group, feature.guests);
      var users = feature.users ? userCount(insight, feature.group, feature.users) : sum(members, guests);
      var entitled = feature.entitled ? feature.entitled(insight) : null;
      var over = entitled != null && users != null && users > entitled ? users - entitled : 0;
      var dash = function (field) { var td = env.cell('td', '—', 'num', field, null); td.title = 'not counted separately'; return td; };
      tr.append(
        th,
        feature.users ? dash('members') : env.cell('td', env.count(members), 'num', 'members', members),
        feature.users ? dash('guests') : env.cell('td', env.count(guests), 'num', 'guests', guests),
        env.cell('td', env.count(users), 'num' + (over ? ' over' : ''), 'users', users)
      );
      var entitledCell = feature.entitled ?
        env.cell('td', env.count(entitled) + ' (' + feature.against + ')', 'num', 'entitled', entitled) :
        env.cell('td', 'not compared', 'num muted', 'entitled', null);
      if (!feature.entitled) entitledCell.title = 'Global Secure Access is licensed apart from P1 and P2';
      var status = document.createElement('td');
      status.dataset.field = 'status';
      if (over) status.append(env.badge('over', 'Over-used by ' + env.count(over)));
      else if (feature.entitled && users != null && entitled != null) status.append(env.badge('ok', 'Within entitlement'));
      else status.append(env.badge('plain', 'Counted only'));
      tr.append(entitledCell, status);
      return { row: tr, over: over };
    }

    function render(insight) {
      [['entitled-p1', insight.entitledP1LicenseCount], ['entitled-p2', insight.entitledP2LicenseCount],
        ['entitled-total', insight.entitledTotalLicenseCount]].forEach(function (pair) {
        var element = $(pair[0]);
        element.textContent = env.count(pair[1]);
        element.dataset.value = pair[1] == null ? '' : String(pair[1]);
      });
      var tbody = $('features').querySelector('tbody');
      tbody.replaceChildren();
      var overUsed = [];
      FEATURES.forEach(function (feature) {
        var shown = featureRow(insight, feature);
        tbody.append(shown.row);
        if (shown.over) overUsed.push(feature.name.toLowerCase());
      });
      $('insight-status').textContent = 'Entitled to ' + env.count(insight.entitledP1LicenseCount) + ' P1 and ' +
        env.count(insight.entitledP2LicenseCount) + ' P2 licenses. ' + (overUsed.length ?
        'Over-used: ' + overUsed.join(', ') + '.' : 'No premium feature is used by more users than licensed.');
    }

    /** Reads the insight afresh (each time the view is opened) and draws it. */
    async function load() {
      var mine = ++seq;
      panel.dataset.state = 'loading';
      $('insight-missing').hidden = true;
      $('insight-body').hidden = true;
      $('insight-status').textContent = 'Loading the premium license insight…';
      try {
        var insight = await env.getJson('beta/reports/azureADPremiumLicenseInsight', env.token());
        if (mine !== seq) return;
        render(insight);
        $('insight-body').hidden = false;
        panel.dataset.state = 'ready';
      } catch (error) {
        if (mine !== seq) return;
        if (error.status === 403 && error.code === 'missingLicense') {
          $('insight-status').textContent = '';
          $('insight-missing').hidden = false;
          panel.dataset.state = 'missing';
          return;
        }
        $('insight-status').textContent = '';
        panel.dataset.state = 'error';
        env.failed(error, 'The premium license insight could not be loaded');
      }
    }

    /** Forgets what is shown (sign-out): a late answer is dropped. */
    function reset() {
      seq += 1;
      $('features').querySelector('tbody').replaceChildren();
      $('insight-status').textContent = '';
      $('insight-body').hidden = true;
      $('insight-missing').hidden = true;
      panel.dataset.state = 'idle';
    }

    return { load: load, reset: reset };
  }

  window.TallyInsight = { create: create };
}());
