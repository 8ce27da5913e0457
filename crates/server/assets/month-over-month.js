/*
 * tally dashboard: month-over-month change of a license type's assigned and used (active) users,
 * from the snapshots the Usage tab has read. The latest month is the UTC calendar month of the
 * latest snapshot, the month before is the calendar month just before it, and each month is
 * represented by its last snapshot. Without a snapshot in the month before (the period does not
 * reach back that far, or nothing was taken then) there is no change to show. Pure functions of
 * the rows; app.js draws the result beside the charts and writes it to a CSV.
 */
(function () {
  'use strict';

  var MINUS = '\u2212';

  /** Months since year 0, UTC: consecutive months differ by one. */
  function monthIndex(text) {
    var date = new Date(text);
    return isNaN(date) ? null : date.getUTCFullYear() * 12 + date.getUTCMonth();
  }

  /** The later of two rows by their time (the first when equal). */
  function later(a, b) {
    return !a || Date.parse(b.at) > Date.parse(a.at) ? b : a;
  }

  function delta(from, to) {
    if (from == null || to == null) return null;
    return { from: from, to: to, change: to - from, share: from === 0 ? null : (to - from) / from };
  }

  /**
   * rows: [{at, assigned, used}] of one license type. Answers null without rows; otherwise
   * {to, from} (the last rows of the latest month and of the month before, `from` null when the
   * month before has none), and `assigned` and `used`: {from, to, change, share} or null when
   * either value is missing (share null when `from` is 0).
   */
  function change(rows) {
    var to = null;
    rows.forEach(function (row) { if (monthIndex(row.at) != null) to = later(to, row); });
    if (!to) return null;
    var previous = monthIndex(to.at) - 1;
    var from = null;
    rows.forEach(function (row) { if (monthIndex(row.at) === previous) from = later(from, row); });
    return {
      from: from,
      to: to,
      assigned: from ? delta(from.assigned, to.assigned) : null,
      used: from ? delta(from.used, to.used) : null
    };
  }

  /** `+12`, `−3` (a real minus sign), `0`; null is `n/a`. */
  function signedCount(value, format) {
    if (value == null) return 'n/a';
    return (value > 0 ? '+' : value < 0 ? MINUS : '') + format(Math.abs(value));
  }

  /** The share's size in percent, one decimal: what the page shows and the CSV writes. */
  function magnitude(share) { return Math.abs(share * 100).toFixed(1); }

  /** `+2.1%`, `−0.6%`, `0.0%`; null (no base to compare with) is `n/a`. */
  function signedShare(share) {
    if (share == null) return 'n/a';
    var text = magnitude(share);
    var sign = text === '0.0' ? '' : share > 0 ? '+' : MINUS;
    return sign + text + '%';
  }

  /** The share as a CSV number: the same percentage, with a plain minus sign; null stays null. */
  function sharePercent(share) {
    if (share == null) return null;
    var size = Number(magnitude(share));
    return share < 0 && size !== 0 ? -size : size;
  }

  window.TallyMonthOverMonth = {
    change: change,
    signedCount: signedCount,
    signedShare: signedShare,
    sharePercent: sharePercent
  };
}());
