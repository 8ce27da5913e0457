//! Fuzzes the bearer-token check: any Authorization header value is accepted only if it is a
//! token the local key signed (never, for random input), otherwise refused with a 401 or 403,
//! never a panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tally_server::auth::{LocalKey, Verifier};

struct Fixture {
    verifier: Verifier,
    runtime: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let key = LocalKey::load_or_create(dir.path()).expect("a key");
        Fixture {
            verifier: Verifier::new(key),
            runtime: tokio::runtime::Builder::new_current_thread().build().expect("a runtime"),
            _dir: dir,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let header = String::from_utf8_lossy(data);
    let fixture = fixture();
    let verdict = fixture.runtime.block_on(fixture.verifier.verify(Some(&header)));
    if let Err(error) = verdict {
        assert!(error.status.as_u16() == 401 || error.status.as_u16() == 403, "{}", error.status);
    } else {
        panic!("a random header verified: {header}");
    }
});
