//! Bearer tokens: the local signing key in the data directory, minting tokens with it
//! (`tally token`), and validating every API request's token into a [`Principal`].

pub mod jwks;
pub mod keys;
pub mod mint;
pub mod principal;
pub mod verify;

pub use jwks::{Jwks, JwksSource};
pub use keys::LocalKey;
pub use mint::{mint_app_token, mint_token, AppCredential, AppTokenRequest, TokenRequest};
pub use principal::Principal;
pub use verify::Verifier;

/// The audiences tally accepts by default: Microsoft Graph's, by URL and by app id.
pub const GRAPH_AUDIENCES: [&str; 2] = [
    "https://graph.microsoft.com",
    "00000003-0000-0000-c000-000000000000",
];

/// Personal Microsoft accounts live in this tenant; they are not supported.
pub const PERSONAL_ACCOUNTS_TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";
