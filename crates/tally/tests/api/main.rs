//! tally's API tests: the real binary on a real socket, real tokens, real storage. One test
//! binary; each module covers one part of the contract (SPEC.md).

mod auth;
mod batch;
mod crash;
mod errors;
mod paging;
mod report;
mod seed;
mod support;
mod tenancy;
mod writes;
