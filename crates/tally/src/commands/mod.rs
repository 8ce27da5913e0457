//! One module per subcommand.

pub mod alert;
pub mod app;
pub mod collect;
pub mod dashboard;
pub mod directory_io;
pub mod export;
pub mod import;
pub mod price;
pub mod serve;
pub mod snapshot;
pub mod storage;
pub mod token;
