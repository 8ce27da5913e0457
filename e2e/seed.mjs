// Seed data for the dashboard test: one snapshot a day for 180 days of three license types, with
// curves a license owner would recognise (purchases as steps, assignments growing past the
// total before a purchase, idle Premium P2 capacity, Free usage climbing past the idle mark).

const DAY_MS = 24 * 3600 * 1000;
export const DAYS = 180;

/** A deterministic pseudo-random source (mulberry32), so every run draws the same picture. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `2026-11-28T07:00:00Z`: whole seconds, UTC. */
function isoSeconds(ms) {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * Request bodies, oldest first: a snapshot for each of the last 180 days (taken one hour after
 * each 24-hour step back from `now`, so D7/D30/D90/D180 hold exactly 7/30/90/180 of them), plus
 * one 200 days old that no period includes.
 */
export function snapshots(now) {
  const noise = random(20261128);
  const jitter = (size) => Math.round((noise() - 0.5) * 2 * size);
  const at = (daysAgo) => isoSeconds(now - daysAgo * DAY_MS - 3600 * 1000);
  const bodies = [snapshot(at(200), -20, jitter)];
  for (let day = 0; day < DAYS; day += 1) bodies.push(snapshot(at(DAYS - 1 - day), day, jitter));
  return bodies;
}

/** Day `day` of the curves (0 is the oldest day of the 180). */
function snapshot(snapshotDateTime, day, jitter) {
  const p1Total = day < 70 ? 500 : day < 140 ? 560 : 600;
  const p1Assigned = 430 + day + jitter(3);
  const p1Used = Math.round(p1Assigned * (0.83 + 0.03 * Math.sin(day / 9))) + jitter(4);

  const p2Total = day < 90 ? 250 : 300;
  const p2Assigned = Math.round(150 + day * 0.25) + jitter(2);
  const p2Used = Math.round(p2Assigned * 0.7) + jitter(3);

  const freeTotal = 2000;
  const freeAssigned = 1500 + day * 2 + jitter(6);
  const freeUsed = Math.round(freeAssigned * (0.9 + day * 0.0003)) + jitter(10);

  return {
    snapshotDateTime,
    licenseInfoDetails: [
      { licenseType: 'premiumP1', totalLicenseCount: p1Total, totalAssignedCount: p1Assigned, totalUsageCount: p1Used },
      // One day's usage of Premium P2 was not reported: a null, drawn as a gap.
      { licenseType: 'premiumP2', totalLicenseCount: p2Total, totalAssignedCount: p2Assigned, totalUsageCount: day === 120 ? null : p2Used },
      { licenseType: 'free', totalLicenseCount: freeTotal, totalAssignedCount: freeAssigned, totalUsageCount: freeUsed },
    ],
  };
}
