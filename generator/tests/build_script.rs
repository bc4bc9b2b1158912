//! What a build script says: a provider crate's build stays quiet about its spec's warnings
//! (the user of `sdkgen-github` cannot fix GitHub's examples), a crate built from the user's
//! own spec gets one line per spec that says how to see each warning, and a pinned spec that
//! no folder has is an `unvendored-spec` error with advice, never a parse error.

// The crate denies these for generator code; a test fails by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use sdkgen::build::{build_warnings, load_provider, provider_dir};
use sdkgen::diagnostics::{DiagnosticKind, Severity};

/// A spec with a dangling `$ref`: a warning, and the operation still generates.
const SPEC: &str = "openapi: 3.0.0
info: {title: t, version: '1'}
paths:
  /things:
    get:
      operationId: list_things
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Missing'}
";

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sdkgen-build-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_provider_build_is_quiet_about_spec_warnings_and_a_users_build_says_where_to_look() {
    let dir = scratch("warnings");
    std::fs::write(dir.join("openapi.yaml"), SPEC).unwrap();
    let provider = load_provider(&dir).unwrap();
    let warnings = provider.parts[0].generated.diagnostics.counts();
    assert!(!warnings.is_empty(), "the fixture has a warning");

    assert_eq!(build_warnings(&dir, &provider, false), Vec::<String>::new());
    let lines = build_warnings(&dir, &provider, true);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("unresolved-ref"), "{lines:?}");
    assert!(lines[0].contains("sdkgen report"), "{lines:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_pinned_spec_that_no_folder_has_is_an_unvendored_error_with_advice() {
    let dir = scratch("unvendored");
    std::fs::write(
        dir.join("sdkgen.toml"),
        format!(
            "[[source.files]]\npath = \"absent.json\"\nmirror = \"acme/absent.json\"\nsha256 = \"{}\"\n",
            "0".repeat(64)
        ),
    )
    .unwrap();
    let diags = load_provider(&dir).unwrap_err();
    let error = diags
        .iter()
        .find(|d| d.severity == Severity::Error)
        .unwrap();
    assert_eq!(error.kind, DiagnosticKind::Unvendored, "{error}");
    assert!(error.message.contains("is not vendored"), "{error}");
    assert!(error.hint.contains("sdkgen vendor"), "{error}");
    assert!(error.hint.contains("acme/absent.json"), "{error}");
    assert!(!error.to_string().contains("tabs"), "{error}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_provider_crate_reads_the_repository_folder_else_its_packaged_copy() {
    let root = scratch("provider-dir");
    let krate = root.join("generated/acme");
    std::fs::create_dir_all(&krate).unwrap();
    // A package: no repository around it.
    assert_eq!(provider_dir(&krate, "acme"), krate.join("spec"));
    // In the repository (or a git checkout of it).
    std::fs::create_dir_all(root.join("specs/acme")).unwrap();
    std::fs::write(root.join("specs/acme/sdkgen.toml"), "").unwrap();
    assert_eq!(
        provider_dir(&krate, "acme"),
        root.join("specs/acme").canonicalize().unwrap()
    );
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_fresh_clone_without_mirror_downloads_the_pinned_spec_into_the_cache() {
    let dir = scratch("fresh-clone");
    // Unique bytes, so that no earlier run's cached download answers.
    let spec = format!(
        "openapi: 3.0.0\ninfo: {{title: t{}, version: '1'}}\npaths: {{}}\n",
        std::process::id()
    );
    let upstream = dir.join("upstream.yaml");
    std::fs::write(&upstream, &spec).unwrap();
    let provider = dir.join("specs/acme");
    std::fs::create_dir_all(&provider).unwrap();
    std::fs::write(
        provider.join("sdkgen.toml"),
        format!(
            "[[source.files]]\npath = \"openapi.yaml\"\nurl = \"file://{}\"\nsha256 = \"{}\"\n",
            upstream.display(),
            sdkgen::load::sha256_hex(spec.as_bytes())
        ),
    )
    .unwrap();
    let loaded = load_provider(&provider).unwrap();
    assert_eq!(
        loaded.downloaded,
        vec![format!("file://{}", upstream.display())]
    );
    assert!(
        !provider.join("openapi.yaml").exists(),
        "the clone is not written to"
    );
    // The next load reads the checked copy in the cache.
    assert!(load_provider(&provider).unwrap().downloaded.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Serves `body` over HTTP on loopback to every request, `times` requests in all, and
/// returns the URL of `/specs/openapi.yaml` on it.
fn serve(body: Vec<u8>, times: usize) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(times) {
            let mut stream = stream.unwrap();
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/yaml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(&body).unwrap();
        }
    });
    format!("http://127.0.0.1:{port}/specs/openapi.yaml")
}

/// The fresh clone's path over a real HTTP server (what a git dependency's build script does
/// with GitHub's raw URLs): the pinned file is fetched, checked and cached, and a server that
/// answers other bytes is refused with both digests, never read as the spec.
#[test]
fn a_fresh_clone_downloads_over_http_and_refuses_other_bytes() {
    let dir = scratch("http-clone");
    let spec = format!(
        "openapi: 3.0.0\ninfo: {{title: http{}, version: '1'}}\npaths: {{}}\n",
        std::process::id()
    );
    let pin = sdkgen::load::sha256_hex(spec.as_bytes());
    let provider = dir.join("specs/acme");
    std::fs::create_dir_all(&provider).unwrap();
    let write_config = |url: &str| {
        std::fs::write(
            provider.join("sdkgen.toml"),
            format!(
                "[[source.files]]\npath = \"openapi.yaml\"\nurl = \"{url}\"\nsha256 = \"{pin}\"\n"
            ),
        )
        .unwrap();
    };

    // A server with other bytes first: refused, and nothing is cached under the pin.
    let tampered = serve(
        b"openapi: 3.0.0\ninfo: {title: evil, version: '1'}\npaths: {}\n".to_vec(),
        1,
    );
    write_config(&tampered);
    let diags = load_provider(&provider).unwrap_err();
    let text: Vec<String> = diags.iter().map(ToString::to_string).collect();
    let text = text.join("\n");
    assert!(text.contains("sha256"), "{text}");
    assert!(text.contains(&pin), "{text}");

    let url = serve(spec.into_bytes(), 1);
    write_config(&url);
    let loaded = load_provider(&provider).unwrap();
    assert_eq!(loaded.downloaded, vec![url]);
    // The server answered once; the next load reads the checked copy in the cache.
    assert!(load_provider(&provider).unwrap().downloaded.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The row of `../shared/specs/MANIFEST.md` for a mirrored file: the URL its recorded source
/// gives (a GitHub repository at a commit, or an npm package at a version, by path), and the
/// sha256 it records.
fn manifest_source(manifest: &str, file: &str) -> Option<(String, String)> {
    let row = manifest
        .lines()
        .find(|l| l.starts_with(&format!("| `{file}` |")))?;
    let cells: Vec<&str> = row.split('|').map(str::trim).collect();
    // | file | provider | source | commit (date) | path | version | bytes | sha256 | ...
    let (source, commit, path, sha) = (cells[3], cells[4], cells[5], cells[8]);
    let unquote = |s: &str| s.trim_matches('`').to_owned();
    let path = unquote(path);
    let url = match source.strip_prefix("npm package ") {
        Some(rest) => {
            let mut words = rest.split_whitespace();
            let (package, version) = (words.next()?, words.next()?);
            format!("https://unpkg.com/{package}@{version}/{path}")
        }
        None => {
            let commit = unquote(commit.split_whitespace().next()?);
            format!("https://raw.githubusercontent.com/{source}/{commit}/{path}")
        }
    };
    Some((url, unquote(sha)))
}

/// What a fresh clone downloads, checked without the network: every provider's pinned URL
/// is where the mirror's manifest says the file came from (repository, commit and path, or
/// npm package, version and file), and the pinned sha256 is the manifest's. A pin that drifts
/// from its source fails here, not on a user's first build.
#[test]
fn every_pinned_url_and_digest_is_the_sources_the_mirror_records() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mirror = std::env::var_os("SDKGEN_SPEC_MIRROR")
        .map_or_else(|| root.join("../shared/specs"), PathBuf::from);
    // The record is the mirror's; a fresh clone without one (which downloads instead) has
    // nothing to compare against. CI always has it.
    let Ok(manifest) = std::fs::read_to_string(mirror.join("MANIFEST.md")) else {
        eprintln!("no spec mirror with a MANIFEST.md: the pins were not compared with it");
        return;
    };
    let mut checked = 0;
    for provider in ["stripe", "github", "openai", "twilio", "sendgrid", "slack"] {
        let text =
            std::fs::read_to_string(root.join(format!("specs/{provider}/sdkgen.toml"))).unwrap();
        let config: toml::Value = toml::from_str(&text).unwrap();
        let files = config["source"]["files"].as_array().unwrap();
        for file in files {
            let mirror = file["mirror"].as_str().unwrap();
            let (url, sha) = manifest_source(&manifest, mirror)
                .unwrap_or_else(|| panic!("{provider}: {mirror} is not in MANIFEST.md"));
            assert_eq!(
                file["url"].as_str(),
                Some(url.as_str()),
                "{provider}: {mirror}"
            );
            assert_eq!(
                file["sha256"].as_str(),
                Some(sha.as_str()),
                "{provider}: {mirror}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 11, "every pinned file of the six providers");
}
