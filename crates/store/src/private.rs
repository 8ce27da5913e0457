//! Files only the service's user may read: every tenant's data is in the database, and the
//! signing key mints tokens. A data directory tally creates is 0700 and the database file 0600
//! (SQLite gives its `-wal` and `-shm` files the database's mode); a directory or file that
//! exists already keeps the mode its owner gave it.

use std::io;
use std::path::Path;

/// Creates `path` (and missing parents) readable by the owner only, if it does not exist.
pub fn create_private_dir(path: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path)
}

/// Creates the empty file `path` readable by the owner only, if it does not exist.
pub fn create_private_file(path: &Path) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(error),
    }
}
