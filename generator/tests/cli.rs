//! The command line as a user runs it: `report` and `features` take a provider name, a
//! provider folder or a spec file alike, and a warning summary says how to see each warning.

// The crate denies these for generator code; a test fails by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

fn sdkgen(args: &[&str]) -> Output {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    Command::new(env!("CARGO_BIN_EXE_sdkgen"))
        .args(args)
        .current_dir(workspace)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn features_and_report_take_a_name_a_folder_or_a_spec_file() {
    let by_name = stdout(&sdkgen(&["features", "demo"]));
    assert!(by_name.starts_with("[features]"), "{by_name}");
    assert_eq!(stdout(&sdkgen(&["features", "specs/demo"])), by_name);
    assert_eq!(
        stdout(&sdkgen(&["features", "specs/demo/openapi.yaml"])),
        by_name
    );
    let report = stdout(&sdkgen(&["report", "demo"]));
    assert_eq!(
        stdout(&sdkgen(&["report", "specs/demo/openapi.yaml"])),
        report
    );

    let missing = sdkgen(&["report", "no-such-provider"]);
    assert!(!missing.status.success());
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains("missing-file"), "{stderr}");
    assert!(!stderr.contains("Not a directory"), "{stderr}");
}

#[test]
fn the_warning_summary_says_that_dash_v_shows_where() {
    let dir = std::env::temp_dir().join(format!("sdkgen-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("openapi.yaml");
    std::fs::write(
        &spec,
        "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Gone'}\n",
    )
    .unwrap();
    let out = dir.join("out");
    let args = [
        "generate",
        "--spec",
        spec.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    let quiet = sdkgen(&args);
    assert!(quiet.status.success());
    let stderr = String::from_utf8_lossy(&quiet.stderr);
    assert!(stderr.contains("unresolved-ref"), "{stderr}");
    assert!(stderr.contains("run again with -v"), "{stderr}");
    assert!(!stderr.contains("#/paths"), "{stderr}");

    let verbose = sdkgen(&[&args[..], &["-v"]].concat());
    let stderr = String::from_utf8_lossy(&verbose.stderr);
    assert!(stderr.contains("#/paths/~1a/get"), "{stderr}");
    assert!(!stderr.contains("run again with -v"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn generate_says_how_many_streams_it_detected_and_report_shows_the_evidence() {
    let out = std::env::temp_dir().join(format!("sdkgen-cli-pages-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let generated = sdkgen(&[
        "generate",
        "--spec",
        "tests/fixtures/pagination.yaml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(generated.status.success());
    let stderr = String::from_utf8_lossy(&generated.stderr);
    assert!(stderr.contains("6 detected"), "{stderr}");
    let report = stdout(&sdkgen(&["report", "tests/fixtures/pagination.yaml"]));
    assert!(
        report.contains("detected listEvents: query `offset` and `limit`, total at `/total`"),
        "{report}"
    );
    let _ = std::fs::remove_dir_all(&out);
}
