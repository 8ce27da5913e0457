// What the Usage tab's month-over-month change should be, worked out from the API's snapshots
// apart from the page's own code: per license type, its last snapshot of the latest UTC calendar
// month against its last snapshot of the calendar month before; how the page writes it.

const MINUS = '\u2212';

function month(iso) {
  const d = new Date(iso);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

/** For `type` among `snapshots` (the API's, any order): {from, to, assigned, used} or null. */
export function expectedChange(snapshots, type) {
  const points = snapshots
    .flatMap((s) => s.licenseInfoDetails.filter((d) => d.licenseType === type).map((d) => ({ at: s.snapshotDateTime, ...d })))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  if (!points.length) return null;
  const to = points[points.length - 1];
  const before = points.filter((p) => month(p.at) === month(to.at) - 1);
  const from = before.length ? before[before.length - 1] : null;
  const figure = (key) => {
    if (!from || from[key] == null || to[key] == null) return null;
    const change = to[key] - from[key];
    const share = from[key] === 0 ? null : change / from[key];
    const size = share == null ? null : Math.abs(share * 100).toFixed(1);
    const sign = (n, zero) => (zero ? '' : n > 0 ? '+' : n < 0 ? MINUS : '');
    return {
      from: from[key], to: to[key], change,
      percent: size == null ? null : (share < 0 && Number(size) !== 0 ? -Number(size) : Number(size)),
      text: `${sign(change, change === 0)}${Math.abs(change).toLocaleString('en-US')}`,
      shareText: size == null ? '(n/a)' : `(${sign(share, size === '0.0')}${size}%)`,
    };
  };
  return { from, to, assigned: figure('totalAssignedCount'), used: figure('totalUsageCount') };
}
