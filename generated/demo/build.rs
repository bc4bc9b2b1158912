//! Generates the Harbor client from `specs/demo` into `OUT_DIR` on every build where the spec
//! or its `sdkgen.toml` changed.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let spec_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs/demo");
    match sdkgen::build::generate_into_out_dir(&spec_dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{err}");
            ExitCode::FAILURE
        }
    }
}
