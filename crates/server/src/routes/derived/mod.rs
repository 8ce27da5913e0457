//! The numbers derived from the directory (SPEC §12.3), under `/beta/reports`: Graph's
//! `azureADPremiumLicenseInsight`, and tally's `licenseReclaim` list. Both only read.

pub mod insight;
pub mod reclaim;
