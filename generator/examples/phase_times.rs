//! Prints how long each phase takes for one spec: `cargo run --release -p sdkgen --example phase_times -- SPEC`.

use std::time::Instant;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: phase_times SPEC");
        std::process::exit(2);
    };
    let mut diags = sdkgen::diagnostics::Diagnostics::new();
    let t = Instant::now();
    let Some(doc) = sdkgen::load::load_path(std::path::Path::new(&path), &mut diags) else {
        eprintln!("load failed");
        std::process::exit(1);
    };
    let load = t.elapsed();
    let t = Instant::now();
    let api = sdkgen::lower::lower(&doc, &sdkgen::config::Config::default(), &mut diags);
    let lower = t.elapsed();
    let t = Instant::now();
    let files = sdkgen::emit::render_standalone(&api, &sdkgen::config::Config::default());
    let emit = t.elapsed();
    let lines: usize = files
        .map(|f| f.files.values().map(|s| s.lines().count()).sum())
        .unwrap_or(0);
    println!("load {load:?} lower {lower:?} emit {emit:?} lines {lines}");
}
