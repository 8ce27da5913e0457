/*
 * tally dashboard: one CSV cell, the same for every download (the Usage tab's snapshots and its
 * month-over-month change, the Subscriptions and Costs tables, the Reclaim tab's holders). Quoted
 * when it holds a quote, comma or line break; a text a spreadsheet would run as a formula gets a
 * leading ' (OWASP's CSV injection advice): one that starts with = + - @ or their full-width forms
 * ＝ ＋ － ＠, after any leading white space or line break, or that starts with a tab, carriage
 * return or line feed. A JavaScript number (a count, an amount, a change such as -3) is written
 * as the number it is: it cannot hold a formula, and a leading ' would make it text.
 */
(function () {
  'use strict';

  var FORMULA = /^(?:[\s\u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|[\t\r\n])/;

  function field(value) {
    if (typeof value === 'number' && isFinite(value)) return String(value);
    var text = value == null ? '' : String(value);
    if (FORMULA.test(text)) text = "'" + text;
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  window.TallyCsv = { field: field };
})();
