//! An additive spec change is not a breaking change. `evolution-v2.yaml` adds to
//! `evolution-v1.yaml` an optional request field, an optional response field, an enum value,
//! an optional query parameter and an operation. The same user code, written against version
//! 1, is compiled here against both generated crates: if an addition broke it (a struct
//! literal that no longer names every field, a `match` that no longer covers every variant,
//! a changed signature), this file would not compile.

use serde_json::json;

macro_rules! user_code {
    ($version:ident) => {{
        use sdkgen_tests::fixtures::$version::Client;
        use sdkgen_tests::fixtures::$version::types::{NewPet, Pet, PetStatus};

        // Requests are built through constructors and setters.
        let new = NewPet::new("Rex").tag("dog");
        let sent = serde_json::to_value(&new).unwrap_or_default();

        // Responses are read field by field, and users' tests build them from JSON.
        let pet: Pet = serde_json::from_value(json!({"id": 7, "name": "Rex", "status": "sold"}))
            .unwrap_or_else(|e| panic!("pet: {e}"));
        let status = match &pet.status {
            Some(PetStatus::Available) => "available",
            Some(PetStatus::Sold) => "sold",
            Some(_) => "other",
            None => "none",
        };

        // Calls are built the same way (not sent: there is no server here).
        let client = Client::builder()
            .base_url("http://127.0.0.1:9")
            .build()
            .unwrap_or_else(|e| panic!("client: {e}"));
        let _list = client.pets().list().limit(10);
        let _create = client.pets().create(new);
        (sent, pet.id, pet.name, status)
    }};
}

#[test]
fn user_code_for_version_1_compiles_and_behaves_the_same_against_version_2() {
    let v1 = user_code!(evolution_v1);
    let v2 = user_code!(evolution_v2);
    assert_eq!(v1, v2);
    assert_eq!(v1.0, json!({"name": "Rex", "tag": "dog"}));
    assert_eq!(v1.3, "sold");
}
