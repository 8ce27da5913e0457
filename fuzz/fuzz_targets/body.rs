//! Fuzzes request-body validation: any bytes as a POST or PATCH body give a value or a
//! validation error, never a panic; an accepted PATCH applies to an object without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tally_model::{parse_create, parse_patch};

fuzz_target!(|data: &[u8]| {
    if let Ok(new) = parse_create(data) {
        let mut usage = new.with_id(Default::default());
        if let Ok(patch) = parse_patch(data, "00000000-0000-0000-0000-000000000000") {
            patch.apply_to(&mut usage);
        }
    }
    let _ = parse_patch(data, "not-a-guid");
});
