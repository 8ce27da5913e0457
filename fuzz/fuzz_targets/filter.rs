//! Fuzzes the OData query language: `$filter`, `$orderby` and `$select` must answer Ok or a
//! positioned error for any text, never panic or overflow the stack; a bound filter must print
//! to text that binds back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tally_odata::query;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(bound) = query::filter(text) {
        let printed = bound.to_string();
        let again = query::filter(&printed).expect("a printed filter binds again");
        assert_eq!(again, bound, "{printed}");
    }
    let _ = query::orderby(text);
    let _ = query::select(text);
});
