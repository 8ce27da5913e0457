//! SPEC §13.4, alerts (tally's): the rules a tenant keeps at `/beta/reports/licenseAlertRules`
//! and with `tally alert`.

mod rules;
