//! `sdkgen diff`: one fixture pair per kind of change, each with its expected classification
//! and verdict; the real GitHub and Stripe pairs, whose summaries are snapshots and whose
//! names must not move; and bad input, which names the file.

// The crate denies these for generator code; a test fails by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sdkgen::diff::{self, Diff, DiffError, Verdict};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixture(case: &str) -> (PathBuf, PathBuf) {
    let dir = root().join("tests/fixtures/diff").join(case);
    (dir.join("old.yaml"), dir.join("new.yaml"))
}

fn diff_files(old: &Path, new: &Path, config: Option<&Path>) -> Result<Diff, DiffError> {
    let o = diff::load_side(old, config)?;
    let n = diff::load_side(new, config)?;
    diff::diff_providers(
        &o,
        &n,
        &old.display().to_string(),
        &new.display().to_string(),
    )
}

/// Each change as `class change item rust_path`, the way a reviewer reads it.
fn lines(d: &Diff) -> Vec<String> {
    d.changes
        .iter()
        .map(|e| {
            format!("{:?} {:?} {:?} {}", e.class, e.change, e.item, e.rust_path).to_lowercase()
        })
        .collect()
}

const CASES: &[(&str, Verdict, &[&str])] = &[
    ("unchanged", Verdict::Patch, &[]),
    (
        "operation-added",
        Verdict::Minor,
        &["compatible added operation client.pets().adopt()"],
    ),
    (
        "operation-removed",
        Verdict::Major,
        &["breaking removed operation client.pets().retrieve()"],
    ),
    (
        "operation-moved",
        Verdict::Major,
        &[
            "breaking changed operation client.animals().list()",
            "breaking changed operation client.animals().list()",
            "breaking renamed operation client.animals().list()",
            "compatible changed operation client.animals().list()",
        ],
    ),
    (
        "parameter-required-added",
        Verdict::Major,
        &["breaking added parameter client.pets().list().owner"],
    ),
    (
        "parameter-optional-added",
        Verdict::Minor,
        &["compatible added parameter client.pets().list().sort"],
    ),
    (
        "parameter-type-changed",
        Verdict::Major,
        &["breaking changed parameter client.pets().list().limit"],
    ),
    (
        "request-field-optional-added",
        Verdict::Minor,
        &["compatible added field types::newpet::color"],
    ),
    (
        "request-field-required-added",
        Verdict::Major,
        &["breaking added field types::newpet::species"],
    ),
    (
        "request-field-became-required",
        Verdict::Major,
        &["breaking changed field types::newpet::tag"],
    ),
    (
        "response-field-added",
        Verdict::Minor,
        &["compatible added field types::pet::age"],
    ),
    (
        "response-field-became-optional",
        Verdict::Major,
        &["breaking changed field types::pet::name"],
    ),
    (
        "response-field-type-changed",
        Verdict::Major,
        &["breaking changed field types::pet::id"],
    ),
    (
        "enum-variant-added",
        Verdict::Minor,
        &["compatible added variant types::petstatus::pending"],
    ),
    (
        "enum-variant-removed",
        Verdict::Major,
        &["breaking removed variant types::petstatus::sold"],
    ),
    (
        "auth-added",
        Verdict::Minor,
        &["compatible added auth client (security scheme `token`)"],
    ),
    (
        "webhook-event-added",
        Verdict::Minor,
        &[
            "compatible added type types::orderrefunded",
            "compatible added type types::orderrefundedtype",
            "compatible added event webhooks::event::orderrefunded",
        ],
    ),
    (
        "webhook-event-removed",
        Verdict::Major,
        &[
            "breaking removed type types::orderpaid",
            "breaking renamed type types::orderpaidpayloadtype",
            "breaking removed event webhooks::event::ordershipped",
            "breaking changed event webhooks::event::orderpaid",
            "compatible added type types::orderpaidpayload",
        ],
    ),
    (
        "shared-enum-gains-a-value",
        Verdict::Major,
        &[
            "breaking renamed type types::openclosedall",
            "compatible added variant types::openclosedall::all",
        ],
    ),
    (
        "server-changed",
        Verdict::Patch,
        &["compatible changed server client::builder() default base url"],
    ),
];

#[test]
fn each_kind_of_change_has_its_classification_and_verdict() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(root().join("tests/fixtures/diff"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let listed: BTreeSet<String> = CASES.iter().map(|(c, ..)| (*c).to_owned()).collect();
    assert_eq!(
        on_disk, listed,
        "every fixture pair has an expectation here"
    );
    let mut failures = Vec::new();
    for (case, verdict, expected) in CASES {
        let (old, new) = fixture(case);
        let d = diff_files(&old, &new, None).unwrap_or_else(|e| panic!("{case}: {e}"));
        let got = lines(&d);
        if got != *expected || d.verdict != *verdict {
            failures.push(format!(
                "{case}: expected {verdict:?} {expected:#?}, got {:?} {got:#?}",
                d.verdict
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_change_is_located_on_the_side_it_exists() {
    for (case, ..) in CASES {
        let (old, new) = fixture(case);
        let d = diff_files(&old, &new, None).unwrap();
        for e in &d.changes {
            use sdkgen::diff::Change;
            assert_eq!(
                e.old_pointer.is_some(),
                e.change != Change::Added,
                "{case}: {e:?}"
            );
            assert_eq!(
                e.new_pointer.is_some(),
                e.change != Change::Removed,
                "{case}: {e:?}"
            );
        }
    }
}

#[test]
fn the_json_report_carries_the_verdict_counts_and_every_change() {
    let (old, new) = fixture("request-field-required-added");
    let d = diff_files(&old, &new, None).unwrap();
    let v: serde_json::Value = serde_json::from_str(&d.json()).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["verdict"], "major");
    assert_eq!(v["breaking"], 1);
    assert_eq!(v["counts"]["field"]["added"], 1);
    let change = &v["changes"][0];
    assert_eq!(change["class"], "breaking");
    assert_eq!(change["item"], "field");
    assert_eq!(change["change"], "added");
    assert_eq!(change["rust_path"], "types::NewPet::species");
    assert_eq!(change["old_pointer"], serde_json::Value::Null);
    assert_eq!(
        change["new_pointer"],
        "#/components/schemas/NewPet/properties/species"
    );
}

#[test]
fn the_markdown_states_the_rule_and_groups_by_resource() {
    let (old, new) = fixture("operation-removed");
    let md = diff_files(&old, &new, None).unwrap().markdown();
    assert!(md.contains("Verdict: **major**"), "{md}");
    assert!(md.contains("#[non_exhaustive]"), "{md}");
    assert!(md.contains("\n## pets\n"), "{md}");
}

fn sdkgen(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_sdkgen"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

#[test]
fn fail_on_breaking_exits_2_only_when_something_breaks() {
    let (old, new) = fixture("operation-removed");
    let (o, n) = (old.to_str().unwrap(), new.to_str().unwrap());
    let out = sdkgen(&["diff", o, n, "--fail-on", "breaking"]);
    assert_eq!(out.status.code(), Some(2));
    let (old, new) = fixture("operation-added");
    let (o, n) = (old.to_str().unwrap(), new.to_str().unwrap());
    let out = sdkgen(&["diff", o, n, "--fail-on", "breaking", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "minor");
}

#[test]
fn a_missing_file_is_named() {
    let (old, _) = fixture("unchanged");
    let missing = root().join("tests/fixtures/diff/no-such.yaml");
    let err = diff_files(&old, &missing, None).unwrap_err().to_string();
    assert!(err.contains("no-such.yaml"), "{err}");
    assert!(err.contains("no such file"), "{err}");
}

#[test]
fn a_spec_that_does_not_load_is_named() {
    let dir = std::env::temp_dir().join(format!("sdkgen-diff-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("broken.yaml");
    std::fs::write(&bad, "openapi: 3.0.3\npaths: [unclosed\n").unwrap();
    let (old, _) = fixture("unchanged");
    let err = diff_files(&old, &bad, None).unwrap_err().to_string();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(err.contains("broken.yaml: the spec does not load"), "{err}");
}

#[test]
fn two_specs_of_different_providers_are_refused() {
    let (old, _) = fixture("unchanged");
    let other = root().join("tests/fixtures/enums.yaml");
    let err = diff_files(&old, &other, None).unwrap_err().to_string();
    assert!(err.contains("old.yaml (Pets)"), "{err}");
    assert!(err.contains("enums.yaml (Enums fixture)"), "{err}");
    assert!(err.contains("different APIs"), "{err}");
}

// The real pairs. They read the spec mirror beside the checkout (`../shared/specs`), as the
// provider crates do.

fn mirror() -> PathBuf {
    std::env::var_os("SDKGEN_SPEC_MIRROR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/specs"))
}

/// Whether the mirror has both files of a pair. The older ones are pinned by no provider, so
/// nothing downloads them: without the mirror (a fresh clone that downloads its pins) these
/// tests say so and check nothing. CI always has the mirror.
fn pair_in_mirror(old: &Path, new: &Path) -> bool {
    let present = old.is_file() && new.is_file();
    if !present {
        eprintln!(
            "skipping: {} and {} are read from the spec mirror, which is missing",
            old.display(),
            new.display()
        );
    }
    present
}

type GithubPair = (
    PathBuf,
    PathBuf,
    Diff,
    sdkgen::build::Provider,
    sdkgen::build::Provider,
);

fn github() -> Option<GithubPair> {
    let old = mirror().join("github/api.github.com.2022-06-11.json");
    let new = mirror().join("github/api.github.com.json");
    if !pair_in_mirror(&old, &new) {
        return None;
    }
    let config = root().join("specs/github/sdkgen.toml");
    let o = diff::load_side(&old, Some(&config)).unwrap_or_else(|e| panic!("{e}"));
    let n = diff::load_side(&new, Some(&config)).unwrap_or_else(|e| panic!("{e}"));
    let d = diff::diff_providers(&o, &n, "old", "new").unwrap();
    Some((old, new, d, o, n))
}

/// The summary and the names of every operation added, removed or renamed, and of every type
/// renamed: names and counts, no upstream prose.
fn names_summary(d: &Diff) -> String {
    use sdkgen::diff::{Change, Item};
    let mut out = d.summary();
    out.push('\n');
    for e in &d.changes {
        let op = e.item == Item::Operation && e.change != Change::Changed;
        if op || e.change == Change::Renamed {
            out.push_str(&format!(
                "{:?} {:?} {} {}{}\n",
                e.change,
                e.item,
                e.rust_path,
                e.operation_id.as_deref().unwrap_or(""),
                e.old_rust_path
                    .as_deref()
                    .map(|p| format!(" (was {p})"))
                    .unwrap_or_default()
            ));
        }
    }
    out
}

fn operation_ids(path: &Path) -> BTreeSet<String> {
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut ids = BTreeSet::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            if let Some(id) = op.get("operationId").and_then(|v| v.as_str()) {
                ids.insert(id.to_owned());
            }
        }
    }
    ids
}

#[test]
fn github_2022_to_current_summary() {
    let Some((.., d, _, _)) = github() else {
        return;
    };
    insta::assert_snapshot!("diff-github", names_summary(&d));
}

#[test]
fn after_vendor_update_pins_them_the_github_pair_renames_nothing() {
    // Without pins, the rules name five types differently in the newer description, each
    // because GitHub changed that type (an enum gained or lost values, an inline schema
    // became a component); `sdkgen vendor --update` pins each to its old name, as here.
    let Some((old, new, d, ..)) = github() else {
        return;
    };
    let pins = sdkgen::vendor::rename_pins(&d);
    assert_eq!(pins.len(), 5, "{pins:#?}");
    assert_eq!(d.renames, 5);
    let dir = std::env::temp_dir().join(format!("sdkgen-github-pins-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("sdkgen.toml");
    let text = std::fs::read_to_string(root().join("specs/github/sdkgen.toml")).unwrap();
    std::fs::write(&config, sdkgen::vendor::add_type_pins(&text, &pins)).unwrap();
    let o = diff::load_side(&old, Some(&config)).unwrap_or_else(|e| panic!("{e}"));
    let n = diff::load_side(&new, Some(&config)).unwrap_or_else(|e| panic!("{e}"));
    let pinned = diff::diff_providers(&o, &n, "old", "new").unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let renamed: Vec<String> = pinned
        .changes
        .iter()
        .filter(|e| e.change == diff::Change::Renamed)
        .map(|e| e.rust_path.clone())
        .collect();
    assert_eq!(pinned.renames, 0, "{renamed:#?}");
    // Nothing else moved: the same operations were added, and every kept name is generated.
    assert_eq!(pinned.new.operations, d.new.operations);
    let names: BTreeSet<&str> = n.parts[0]
        .generated
        .api
        .types
        .values()
        .map(|t| t.name.as_str())
        .collect();
    for kept in pins.values() {
        assert!(names.contains(kept.as_str()), "{kept} is not generated");
    }
}

#[test]
fn github_operations_added_are_exactly_the_operation_ids_only_in_the_newer_file() {
    let Some((old, new, d, ..)) = github() else {
        return;
    };
    let (o, n) = (operation_ids(&old), operation_ids(&new));
    let only_new: BTreeSet<&String> = n.difference(&o).collect();
    let added: BTreeSet<&String> = d
        .changes
        .iter()
        .filter(|e| e.item == diff::Item::Operation && e.change == diff::Change::Added)
        .filter_map(|e| e.operation_id.as_ref())
        .collect();
    assert_eq!(added.len(), 590);
    assert_eq!(added, only_new);
    // Checked by hand: `copilot/list-copilot-seats` is not in the 2022 description.
    assert!(!o.contains("copilot/list-copilot-seats"));
    let line = d
        .changes
        .iter()
        .find(|e| e.operation_id.as_deref() == Some("copilot/list-copilot-seats"))
        .unwrap();
    assert_eq!(line.change, diff::Change::Added);
    assert_eq!(line.class, diff::Class::Compatible);
    assert_eq!(line.rust_path, "client.copilot().list_copilot_seats()");
}

#[test]
fn github_operations_and_component_schemas_in_both_files_keep_their_rust_paths() {
    let Some((old, new, d, o, n)) = github() else {
        return;
    };
    let (oa, na) = (&o.parts[0].generated.api, &n.parts[0].generated.api);
    let calls = |api: &sdkgen::ir::Api| -> std::collections::BTreeMap<String, String> {
        api.operations
            .iter()
            .map(|op| (op.operation_id.clone(), diff::call_path(op)))
            .collect()
    };
    let (oc, nc) = (calls(oa), calls(na));
    let mut both = 0;
    for (id, path) in &oc {
        if let Some(p) = nc.get(id) {
            assert_eq!(path, p, "{id} moved");
            both += 1;
        }
    }
    assert_eq!(both, 771 - 138);
    let schemas = |api: &sdkgen::ir::Api| -> std::collections::BTreeMap<String, String> {
        api.types
            .values()
            .filter_map(|t| Some((diff::component_name(t)?.to_owned(), t.name.clone())))
            .collect()
    };
    let (os, ns) = (schemas(oa), schemas(na));
    let mut kept = 0;
    for (schema, name) in &os {
        if let Some(n) = ns.get(schema) {
            assert_eq!(name, n, "component schema {schema} moved");
            kept += 1;
        }
    }
    // Every component schema the two documents share has a Rust type on both sides.
    let names = |path: &Path| -> BTreeSet<String> {
        let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        doc["components"]["schemas"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    let shared = names(&old).intersection(&names(&new)).count();
    assert_eq!(shared, 272);
    assert_eq!(kept, shared);
    let op_renames = d
        .changes
        .iter()
        .filter(|e| e.item == diff::Item::Operation && e.change == diff::Change::Renamed)
        .count();
    assert_eq!(op_renames, 0);
}

#[test]
fn stripe_2022_to_2023_summary() {
    let old = mirror().join("stripe/spec3.sdk.yaml");
    let new = mirror().join("stripe/spec3.yaml");
    if !pair_in_mirror(&old, &new) {
        return;
    }
    let config = root().join("specs/stripe/sdkgen.toml");
    let d = diff_files(&old, &new, Some(&config)).unwrap_or_else(|e| panic!("{e}"));
    insta::assert_snapshot!("diff-stripe", names_summary(&d));
}
