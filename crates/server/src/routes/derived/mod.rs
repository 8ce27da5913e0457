//! The numbers derived from the directory (SPEC §12.3, §13.3), under `/beta/reports`: Graph's
//! `azureADPremiumLicenseInsight`, tally's `licenseReclaim` list and `licenseCosts` report.
//! All only read.

pub mod costs;
pub mod insight;
pub mod reclaim;
