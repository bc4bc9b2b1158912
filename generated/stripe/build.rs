//! Generates the Stripe client into `OUT_DIR` from the pinned spec of `sdkgen.toml`: in this
//! repository `specs/stripe/` (its vendored copy or the mirror folder's), in a package the crate's
//! own `spec/` folder. With neither, the pinned URL is downloaded into `OUT_DIR` (never into
//! the source folder) unless `SDKGEN_OFFLINE=1`. The sha256 is always checked.

use std::process::ExitCode;

fn main() -> ExitCode {
    let spec_dir = sdkgen::build::provider_dir(env!("CARGO_MANIFEST_DIR"), "stripe");
    match sdkgen::build::generate_provider_into_out_dir(&spec_dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{err}");
            ExitCode::FAILURE
        }
    }
}
