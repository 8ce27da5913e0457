// Seed data for the dashboard test: one snapshot a day for 180 days of three license types, with
// curves a license owner would recognise (purchases as steps, assignments growing past the
// total before a purchase, idle Premium P2 capacity, twelve of whose licenses were reclaimed on
// the latest day, so its month-over-month change is a fall, Free usage climbing past the idle
// mark);
// for the Licenses view, a directory: five SKUs, seventeen members (one of them disabled) and
// three guests, and who holds what; for the Reclaim view, when each member last signed in (some
// over 30 days ago, some never); for the Insight view, who used which premium feature, so that
// risk-based conditional access is used by more users than the tenant has P2 licenses, and
// conditional access by fewer than it has P1 + P2; for the Subscriptions view, subscriptions in
// every status, a trial ending within a week and dates already passed; and for the Costs view,
// prices for three SKUs of five, in two currencies, one of them yearly.

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
  // On the latest day, twelve idle P2 licenses were reclaimed: more than a month's growth.
  const p2Assigned = Math.round(150 + day * 0.25) + jitter(2) - (day === DAYS - 1 ? 12 : 0);
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

// ---- the directory (the Licenses view) -------------------------------------------------------

const PLAN = {
  AAD_PREMIUM_P2: 'eec0eb4f-6444-4f95-aba0-50c24d67f998',
  AAD_PREMIUM: '41781fb2-bc02-4b7c-bd55-b576c07bb09d',
  AAD_BASIC: 'c4da7f8a-5ee2-4c99-a7e1-87d2df57f6fe',
  EXCHANGE_S_ENTERPRISE: 'efb87545-963c-4e0d-99df-69c6916d9eb0',
  FLOW_P2_VIRAL: '50e68c76-46c6-4674-81f9-75456511b170',
};

function plans(...names) {
  return names.map((name) => ({ servicePlanId: PLAN[name], servicePlanName: name, provisioningStatus: 'Success', appliesTo: 'User' }));
}

function units(enabled, warning = 0) {
  return { enabled, suspended: 0, warning, lockedOut: 0 };
}

/**
 * SKUs as POST /v1.0/subscribedSkus bodies, with the users (by mail nickname) who hold each: one
 * with room to spare, one that uses its warning (grace) units, one full, one nobody holds, and
 * a Basic one. P2 entitled: 10 (ENTERPRISEPREMIUM); P1 entitled: 5 + 4 (EMS, AAD_PREMIUM).
 */
export const SKUS = [
  {
    body: { skuId: 'c7df2760-2c81-4ef7-b578-5b5392b571df', skuPartNumber: 'ENTERPRISEPREMIUM', prepaidUnits: units(10), servicePlans: plans('AAD_PREMIUM_P2', 'EXCHANGE_S_ENTERPRISE') },
    holders: ['AdeleV', 'AlexW', 'DiegoS', 'GradyA', 'IsaiahL', 'JohannaL', 'LeeG', 'JoniS'],
  },
  {
    body: { skuId: 'efccb6f7-5641-4e0e-bd10-b4976e1bf68e', skuPartNumber: 'EMS', prepaidUnits: units(3, 2), servicePlans: plans('AAD_PREMIUM') },
    holders: ['LidiaH', 'MeganB', 'NestorW', 'PattiF'],
  },
  {
    body: { skuId: '078d2b04-f1bd-4111-bbd4-b4b1b354cef4', skuPartNumber: 'AAD_PREMIUM', prepaidUnits: units(4), servicePlans: plans('AAD_PREMIUM') },
    holders: ['AdeleV', 'LidiaH', 'MeganB', 'PradeepG'],
  },
  {
    body: { skuId: 'f30db892-07e9-47e9-837c-80727f46fd3d', skuPartNumber: 'FLOW_FREE', prepaidUnits: units(10000), servicePlans: plans('FLOW_P2_VIRAL') },
    holders: [],
  },
  {
    body: { skuId: '2b9c8e7c-319c-43a2-a2a0-48c5c6161de7', skuPartNumber: 'AAD_BASIC', prepaidUnits: units(5), servicePlans: plans('AAD_BASIC') },
    holders: ['LeeG', 'ChristieC', 'EnricoC', 'IrvinS'],
  },
];

const PEOPLE = [
  'Adele Vance', 'Alex Wilber', 'Diego Siciliani', 'Grady Archie', 'Isaiah Langer', 'Johanna Lorenz',
  'Lee Gu', 'Lidia Holloway', 'Megan Bowen', 'Nestor Wilke', 'Patti Fernandez', 'Pradeep Gupta',
  'Miriam Graham', // holds nothing
  'Christie Cline', 'Enrico Cattaneo', 'Irvin Sayers',
  'Joni Sherman', // her account is disabled, and she still holds a license
];

/** Members whose account is disabled. */
const DISABLED = ['JoniS'];

/** Users as POST /v1.0/users bodies (Adele Vance → AdeleV@contoso.example), each with a usageLocation. */
export const USERS = PEOPLE.map((displayName) => {
  const [first, last] = displayName.split(' ');
  const mailNickname = first + last[0];
  return {
    displayName,
    mailNickname,
    userPrincipalName: `${mailNickname}@contoso.example`,
    accountEnabled: !DISABLED.includes(mailNickname),
    userType: 'Member',
    usageLocation: 'US',
  };
});

/** Guests from other tenants, as POST /v1.0/users bodies: they hold no license and use premium features. */
export const GUESTS = ['Ana Bowman', 'Omar Haddad', 'Yuki Tanaka'].map((displayName) => {
  const [first, last] = displayName.split(' ');
  const mailNickname = `${first}.${last}_fabrikam.example`.toLowerCase();
  return { displayName, mailNickname, userPrincipalName: `${mailNickname}#EXT#@contoso.example`, accountEnabled: true, userType: 'Guest' };
});

/** Days since each member last signed in (absent: never). */
const SIGNED_IN_DAYS_AGO = {
  AdeleV: 2, AlexW: 45, GradyA: 1, IsaiahL: 90, JohannaL: 5, // DiegoS, LeeG: never
  LidiaH: 40, MeganB: 3, PattiF: 10, PradeepG: 31, // NestorW: never
  MiriamG: 7, EnricoC: 60, IrvinS: 2, // ChristieC: never
  JoniS: 2,
};

/** The member's signInActivity `now`, for POST /v1.0/users; null when they never signed in. */
export function signInActivity(mailNickname, now) {
  const days = SIGNED_IN_DAYS_AGO[mailNickname];
  return days === undefined ? null : { lastSignInDateTime: isoSeconds(now - days * DAY_MS) };
}

/** The license type SPEC §12.3 gives a SKU by its plans. */
function skuType(sku) {
  const ids = sku.body.servicePlans.map((p) => p.servicePlanId);
  if (ids.includes(PLAN.AAD_PREMIUM_P2)) return 'premiumP2';
  if (ids.includes(PLAN.AAD_PREMIUM)) return 'premiumP1';
  if (ids.includes(PLAN.AAD_BASIC)) return 'basic';
  return null;
}

const TYPE_RANK = ['basic', 'premiumP1', 'premiumP2'];

/**
 * What the Reclaim view should list: per license type, the members of that type who have not
 * signed in for 30 days, with their SKUs' part numbers (sorted), and the units they hold.
 */
export function expectedReclaim() {
  const lists = { premiumP2: [], premiumP1: [], basic: [] };
  for (const user of USERS) {
    const held = SKUS.filter((sku) => sku.holders.includes(user.mailNickname));
    const type = held.map(skuType).filter(Boolean).sort((a, b) => TYPE_RANK.indexOf(b) - TYPE_RANK.indexOf(a))[0];
    const days = SIGNED_IN_DAYS_AGO[user.mailNickname];
    if (!type || (days !== undefined && days < 30)) continue;
    lists[type].push({ user, licenses: held.map((sku) => sku.body.skuPartNumber).sort(), never: days === undefined });
  }
  return Object.fromEntries(Object.entries(lists).map(([type, rows]) => [type, {
    rows, users: rows.length, units: rows.reduce((n, row) => n + row.licenses.length, 0),
  }]));
}

/**
 * Premium features each user used, as [featureName, days ago]: members 0-14 used conditional
 * access (member 15 only 45 days ago, which does not count), 0-9 risk-based conditional access,
 * 0-3 internet access, 0-1 its Microsoft 365 traffic, 4-6 private access; all three guests used
 * conditional access, two of them risk-based.
 */
function featuresOf(index, guest) {
  const uses = [];
  const recent = 1 + (index % 20);
  if (guest) {
    uses.push(['conditionalAccess', recent]);
    if (index < 2) uses.push(['riskBasedConditionalAccess', recent]);
    return uses;
  }
  if (index < 15) uses.push(['conditionalAccess', recent]);
  if (index === 15) uses.push(['conditionalAccess', 45]);
  if (index < 10) uses.push(['riskBasedConditionalAccess', recent]);
  if (index < 4) uses.push(['internetAccess', recent]);
  if (index < 2) uses.push(['internetAccessM365', recent]);
  if (index >= 4 && index < 7) uses.push(['privateAccess', recent]);
  return uses;
}

/** POST /beta/reports/azureADUserFeatureUsage bodies for the users' ids by mail nickname. */
export function featureUsage(ids, now) {
  const body = (user, uses) => ({
    userId: ids[user.mailNickname],
    userPrincipalName: user.userPrincipalName,
    userDisplayName: user.displayName,
    lastUpdatedDateTime: isoSeconds(now - 3600 * 1000),
    featureUsageDetails: uses.map(([featureName, days]) => ({ featureName, lastUsedDateTime: isoSeconds(now - days * DAY_MS) })),
  });
  return [
    ...USERS.map((user, index) => body(user, featuresOf(index, false))),
    ...GUESTS.map((user, index) => body(user, featuresOf(index, true))),
  ].filter((record) => record.featureUsageDetails.length);
}

/** What the insight should count: entitlements from SKUS, users per feature used within 30 days. */
export function expectedInsight() {
  const entitled = (type) => SKUS.filter((sku) => skuType(sku) === type)
    .reduce((n, sku) => n + sku.body.prepaidUnits.enabled + sku.body.prepaidUnits.warning, 0);
  const users = (feature, guest) => (guest ? GUESTS : USERS)
    .filter((_, index) => featuresOf(index, guest).some(([name, days]) => name === feature && days < 30)).length;
  const p1 = entitled('premiumP1');
  const p2 = entitled('premiumP2');
  return {
    entitledP1LicenseCount: p1,
    entitledP2LicenseCount: p2,
    entitledTotalLicenseCount: p1 + p2,
    conditionalAccess: users('conditionalAccess', false),
    conditionalAccessGuestUsers: users('conditionalAccess', true),
    riskBasedConditionalAccess: users('riskBasedConditionalAccess', false),
    riskBasedConditionalAccessGuestUsers: users('riskBasedConditionalAccess', true),
    internetAccess: users('internetAccess', false),
    internetAccessM365: users('internetAccessM365', false),
    privateAccess: users('privateAccess', false),
  };
}

/** What the Licenses view should show for a seeded SKU: free is bought + warning − assigned, at least 0. */
export function expectedSku(sku) {
  const { enabled, warning } = sku.body.prepaidUnits;
  const assigned = sku.holders.length;
  return { name: sku.body.skuPartNumber, bought: enabled, warning, assigned, free: Math.max(enabled + warning - assigned, 0) };
}

// ---- subscriptions (the Subscriptions view) --------------------------------------------------

/**
 * Subscriptions by SKU part number, with the days from now to the next lifecycle date (null:
 * none). A SKU with subscriptions takes its units from them (SPEC §13.2), so each SKU's Enabled
 * and Warning licenses add up to the units SKUS gives it and the other views are unchanged.
 * Every status appears; a trial ends within a week; three dates have passed.
 */
export const SUBSCRIPTIONS = [
  { sku: 'ENTERPRISEPREMIUM', status: 'Enabled', totalLicenses: 8, days: 200 },
  { sku: 'ENTERPRISEPREMIUM', status: 'Enabled', totalLicenses: 2, days: 5, isTrial: true },
  { sku: 'ENTERPRISEPREMIUM', status: 'Expired', totalLicenses: 5, days: -20 },
  { sku: 'EMS', status: 'Enabled', totalLicenses: 3, days: 40 },
  { sku: 'EMS', status: 'Warning', totalLicenses: 2, days: 12 },
  { sku: 'AAD_PREMIUM', status: 'Enabled', totalLicenses: 4, days: null },
  { sku: 'FLOW_FREE', status: 'Enabled', totalLicenses: 10000, days: null },
  { sku: 'AAD_BASIC', status: 'Enabled', totalLicenses: 5, days: 300 },
  { sku: 'AAD_BASIC', status: 'Suspended', totalLicenses: 3, days: -3 },
  { sku: 'AAD_BASIC', status: 'LockedOut', totalLicenses: 1, days: -60 },
];

function skuByPart(part) {
  return SKUS.find((sku) => sku.body.skuPartNumber === part);
}

/** POST /v1.0/directory/subscriptions bodies, with the lifecycle dates counted from `now`. */
export function subscriptionBodies(now) {
  return SUBSCRIPTIONS.map((s) => ({
    skuId: skuByPart(s.sku).body.skuId,
    status: s.status,
    totalLicenses: s.totalLicenses,
    isTrial: s.isTrial === true,
    nextLifecycleDateTime: s.days === null ? null : isoSeconds(now + s.days * DAY_MS),
  }));
}

// ---- prices (the Costs view) -----------------------------------------------------------------

/** PUT /beta/reports/licensePrices/{skuId} bodies by SKU part number; FLOW_FREE and AAD_BASIC have none. */
export const PRICES = {
  ENTERPRISEPREMIUM: { unitPrice: 38.0, currency: 'USD', billingPeriod: 'month' },
  AAD_PREMIUM: { unitPrice: 70.0, currency: 'USD', billingPeriod: 'year' },
  EMS: { unitPrice: 10.6, currency: 'EUR', billingPeriod: 'month' },
};

export function priceBodies() {
  return Object.entries(PRICES).map(([part, body]) => ({ skuId: skuByPart(part).body.skuId, part, body }));
}

/**
 * What licenseCosts should say of what was seeded (SPEC §13.3), computed exactly: amounts as
 * fractions of BigInts over 12 × 10,000 (a yearly price ÷ 12; at most 4 decimals), rounded half
 * away from zero to cents once, at the end, as are the per-currency totals.
 */
export function expectedCosts() {
  const DENOMINATOR = 120000n;
  const exact = (part) => {
    const price = PRICES[part];
    if (!price) return null;
    const tenThousandths = BigInt(Math.round(price.unitPrice * 10000));
    return tenThousandths * (price.billingPeriod === 'year' ? 1n : 12n);
  };
  const rounded = (numerator, scale) => {
    const scaled = numerator * scale;
    return Number((2n * scaled + DENOMINATOR) / (2n * DENOMINATOR)) / Number(scale);
  };
  const totals = {};
  const entries = SKUS.map((sku) => {
    const part = sku.body.skuPartNumber;
    const holders = USERS.filter((u) => sku.holders.includes(u.mailNickname));
    const purchased = sku.body.prepaidUnits.enabled + sku.body.prepaidUnits.warning;
    const units = {
      purchasedUnits: purchased,
      assignedUnits: holders.length,
      unassignedUnits: Math.max(purchased - holders.length, 0),
      disabledHolderUnits: holders.filter((u) => !u.accountEnabled).length,
      inactiveHolderUnits: holders.filter((u) => u.accountEnabled && !((SIGNED_IN_DAYS_AGO[u.mailNickname] ?? Infinity) < 30)).length,
    };
    const price = exact(part);
    const cost = (n) => (price === null ? null : rounded(BigInt(n) * price, 100n));
    const currency = PRICES[part] ? PRICES[part].currency : null;
    if (price !== null) {
      const total = totals[currency] || (totals[currency] = { purchased: 0n, waste: 0n });
      total.purchased += BigInt(units.purchasedUnits) * price;
      total.waste += BigInt(units.unassignedUnits + units.disabledHolderUnits + units.inactiveHolderUnits) * price;
    }
    return {
      skuId: sku.body.skuId, skuPartNumber: part, currency,
      monthlyUnitPrice: price === null ? null : rounded(price, 10000n),
      ...units,
      purchasedCost: cost(units.purchasedUnits),
      assignedCost: cost(units.assignedUnits),
      unassignedCost: cost(units.unassignedUnits),
      disabledHolderCost: cost(units.disabledHolderUnits),
      inactiveHolderCost: cost(units.inactiveHolderUnits),
    };
  });
  return {
    entries,
    totals: Object.entries(totals).map(([currency, t]) => ({
      currency, purchasedCost: rounded(t.purchased, 100n), wasteCost: rounded(t.waste, 100n),
    })).sort((a, b) => (a.currency < b.currency ? -1 : 1)),
  };
}
