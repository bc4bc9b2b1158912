//! Generates the Slack client from `specs/slack` into `OUT_DIR`. The spec is read from
//! `specs/slack/` once vendored (`cargo run -p sdkgen -- vendor slack`), or from the mirror
//! folder, and its sha256 is always checked against `sdkgen.toml`.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let spec_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs/slack");
    match sdkgen::build::generate_into_out_dir(&spec_dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{err}");
            ExitCode::FAILURE
        }
    }
}
