//! One module per subcommand.

pub mod dashboard;
pub mod serve;
pub mod token;
