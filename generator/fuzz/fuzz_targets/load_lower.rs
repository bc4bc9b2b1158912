//! Arbitrary bytes → load → lower, and render when the input is small.
//!
//! A panic anywhere is a bug; so is rendered code that does not parse (the emitter reports that
//! as `EmitError::Unparsable`, which this target turns into a crash).

#![no_main]

use libfuzzer_sys::fuzz_target;
use sdkgen::config::Config;
use sdkgen::diagnostics::Diagnostics;

/// Rendering is the slowest phase; larger inputs stop after lowering so that each run stays fast.
const RENDER_BELOW: usize = 4096;

fuzz_target!(|data: &[u8]| {
    let mut diags = Diagnostics::new();
    // No base folder: external `$ref`s are reported, never read from disk.
    let Some(doc) = sdkgen::load::load_bytes(data, None, &mut diags) else {
        return;
    };
    let Ok(generated) = sdkgen::analyze_document(&doc, Config::default(), diags) else {
        return;
    };
    if data.len() < RENDER_BELOW {
        if let Err(err) = sdkgen::emit::render_standalone(&generated.api, &generated.config) {
            panic!("{err}");
        }
    }
});
