//! Arbitrary bytes → the runtime's parsers of provider-requested waits: `Retry-After`
//! (seconds or HTTP date), `retry-after-ms`, and reset headers as epoch seconds, seconds,
//! milliseconds or Go-style durations, alone and through `retry_hint` and the retry policy.
//!
//! A panic is a bug (these values come from the network, and a panic here took down every
//! call that saw them), and so is a wait that is zero or beyond the runtime's ceiling, which
//! `check_header_waits` reports as an error and this target turns into a crash.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(broken) = sdkgen_runtime::__private::check_header_waits(data) {
        panic!("{broken}");
    }
});
