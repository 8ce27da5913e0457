//! tally's API tests: the real binary on a real socket, real tokens, real storage. One test
//! binary; each module covers one part of the contract (SPEC.md).

// A failed unwrap is a failed test, with its location: the right behaviour here.
#![allow(clippy::unwrap_used)]

mod abuse;
mod alerts;
mod auth;
mod batch;
mod cancelled;
mod cluster;
mod collect;
mod collect_abuse;
mod collect_subscriptions;
mod crash;
mod directory;
mod disk;
mod entra;
mod errors;
mod feature_usage;
mod filter;
mod hostile;
mod import_export;
mod money;
mod observability;
mod openapi;
mod outage;
mod paging;
mod report;
mod round_two;
mod seed;
mod shutdown;
mod signin;
mod slow;
mod support;
mod tenancy;
mod throttle;
mod tls;
mod user_feature_usage;
mod writes;
