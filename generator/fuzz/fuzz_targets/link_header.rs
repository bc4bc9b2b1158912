//! Arbitrary text → the runtime's `Link` header parser (RFC 8288), which reads a header
//! that any server, or anyone between it and the client, may shape.
//!
//! Any panic is a bug, and so is a `rel="next"` target that is not among the parsed links,
//! or a target that holds the `>` that should have ended it.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sdkgen_runtime::__private::{next_link, parse_links};

fuzz_target!(|data: &[u8]| {
    let Ok(header) = std::str::from_utf8(data) else {
        return;
    };
    let links = parse_links(header);
    for (target, _) in &links {
        assert!(!target.contains('>'), "{target:?}");
    }
    if let Some(next) = next_link(header) {
        assert!(links.iter().any(|(target, _)| *target == next), "{next:?}");
    }
});
