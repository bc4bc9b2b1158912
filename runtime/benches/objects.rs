//! Decoding and encoding one object type two ways in one run: with serde's derive, as
//! generated crates did until 2026-11-30, and with the hand-written impls that generated
//! crates now carry (one map loop calling the helpers of `sdkgen_runtime::__private`; see
//! `src/object.rs`). The shape is a payment object in the style of Stripe's: sixteen
//! properties of mixed types, a nested object and a metadata map, read once with properties in
//! the declared order (what servers send) and once reversed.
//!
//! Criterion's groups run one after the other, and on a shared machine they drift apart by
//! more than the difference measured, so a paired measurement follows them: rounds of the two
//! ways alternate, the ratio (hand-written / derive) is taken per round, and the median ratio
//! is printed. That median is the number to read.
//!
//! `cargo bench -p sdkgen-runtime --bench objects`

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use sdkgen_runtime::__private as rt;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct DerivedAddress {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    line1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    postal_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Derived {
    id: String,
    object: String,
    amount: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    amount_captured: Option<i64>,
    currency: String,
    captured: bool,
    created: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    customer: Option<String>,
    description: Option<String>,
    livemode: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    metadata: Option<BTreeMap<String, String>>,
    paid: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    receipt_email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shipping: Option<DerivedAddress>,
    status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    statement_descriptor: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
struct LeanAddress {
    city: Option<String>,
    country: Option<String>,
    line1: Option<String>,
    postal_code: Option<String>,
}

impl Serialize for LeanAddress {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut object = rt::ObjectWriter::start(serializer)?;
        object.optional("city", &self.city)?;
        object.optional("country", &self.country)?;
        object.optional("line1", &self.line1)?;
        object.optional("postal_code", &self.postal_code)?;
        object.end()
    }
}

impl<'de> Deserialize<'de> for LeanAddress {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        rt::deserialize_object(deserializer)
    }
}

impl<'de> rt::ReadObject<'de> for LeanAddress {
    const NAME: &'static str = "LeanAddress";
    fn read_object<A: serde::de::MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        const FIELDS: &[&str] = &["city", "country", "line1", "postal_code"];
        let mut next = 0;
        let mut v0: Option<String> = None;
        let mut v1: Option<String> = None;
        let mut v2: Option<String> = None;
        let mut v3: Option<String> = None;
        while let Some(key) = map.next_key_seed(rt::FieldKey::new(FIELDS, &mut next))? {
            match key {
                Some(0) => rt::read_option(&mut map, &mut v0),
                Some(1) => rt::read_option(&mut map, &mut v1),
                Some(2) => rt::read_option(&mut map, &mut v2),
                Some(3) => rt::read_option(&mut map, &mut v3),
                _ => rt::skip(&mut map),
            }?;
        }
        Ok(Self {
            city: v0,
            country: v1,
            line1: v2,
            postal_code: v3,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Lean {
    id: String,
    object: String,
    amount: i64,
    amount_captured: Option<i64>,
    currency: String,
    captured: bool,
    created: i64,
    customer: Option<String>,
    description: Option<String>,
    livemode: bool,
    metadata: Option<BTreeMap<String, String>>,
    paid: bool,
    receipt_email: Option<String>,
    shipping: Option<LeanAddress>,
    status: String,
    statement_descriptor: Option<String>,
}

impl Serialize for Lean {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut object = rt::ObjectWriter::start(serializer)?;
        object.field("id", &self.id)?;
        object.field("object", &self.object)?;
        object.field("amount", &self.amount)?;
        object.optional("amount_captured", &self.amount_captured)?;
        object.field("currency", &self.currency)?;
        object.field("captured", &self.captured)?;
        object.field("created", &self.created)?;
        object.optional("customer", &self.customer)?;
        object.field("description", &self.description)?;
        object.field("livemode", &self.livemode)?;
        object.optional("metadata", &self.metadata)?;
        object.field("paid", &self.paid)?;
        object.optional("receipt_email", &self.receipt_email)?;
        object.optional("shipping", &self.shipping)?;
        object.field("status", &self.status)?;
        object.optional("statement_descriptor", &self.statement_descriptor)?;
        object.end()
    }
}

impl<'de> Deserialize<'de> for Lean {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        rt::deserialize_object(deserializer)
    }
}

impl<'de> rt::ReadObject<'de> for Lean {
    const NAME: &'static str = "Lean";
    fn read_object<A: serde::de::MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        const FIELDS: &[&str] = &[
            "id",
            "object",
            "amount",
            "amount_captured",
            "currency",
            "captured",
            "created",
            "customer",
            "description",
            "livemode",
            "metadata",
            "paid",
            "receipt_email",
            "shipping",
            "status",
            "statement_descriptor",
        ];
        let mut next = 0;
        let mut v0: Option<String> = None;
        let mut v1: Option<String> = None;
        let mut v2: Option<i64> = None;
        let mut v3: Option<i64> = None;
        let mut v4: Option<String> = None;
        let mut v5: Option<bool> = None;
        let mut v6: Option<i64> = None;
        let mut v7: Option<String> = None;
        let mut v8: Option<String> = None;
        let mut v9: Option<bool> = None;
        let mut v10: Option<BTreeMap<String, String>> = None;
        let mut v11: Option<bool> = None;
        let mut v12: Option<String> = None;
        let mut v13: Option<LeanAddress> = None;
        let mut v14: Option<String> = None;
        let mut v15: Option<String> = None;
        while let Some(key) = map.next_key_seed(rt::FieldKey::new(FIELDS, &mut next))? {
            match key {
                Some(0) => rt::read(&mut map, &mut v0),
                Some(1) => rt::read(&mut map, &mut v1),
                Some(2) => rt::read(&mut map, &mut v2),
                Some(3) => rt::read_option(&mut map, &mut v3),
                Some(4) => rt::read(&mut map, &mut v4),
                Some(5) => rt::read(&mut map, &mut v5),
                Some(6) => rt::read(&mut map, &mut v6),
                Some(7) => rt::read_option(&mut map, &mut v7),
                Some(8) => rt::read_option(&mut map, &mut v8),
                Some(9) => rt::read(&mut map, &mut v9),
                Some(10) => rt::read_option(&mut map, &mut v10),
                Some(11) => rt::read(&mut map, &mut v11),
                Some(12) => rt::read_option(&mut map, &mut v12),
                Some(13) => rt::read_option(&mut map, &mut v13),
                Some(14) => rt::read(&mut map, &mut v14),
                Some(15) => rt::read_option(&mut map, &mut v15),
                _ => rt::skip(&mut map),
            }?;
        }
        Ok(Self {
            id: rt::required(v0, "id")?,
            object: rt::required(v1, "object")?,
            amount: rt::required(v2, "amount")?,
            amount_captured: v3,
            currency: rt::required(v4, "currency")?,
            captured: rt::required(v5, "captured")?,
            created: rt::required(v6, "created")?,
            customer: v7,
            description: v8,
            livemode: rt::required(v9, "livemode")?,
            metadata: v10,
            paid: rt::required(v11, "paid")?,
            receipt_email: v12,
            shipping: v13,
            status: rt::required(v14, "status")?,
            statement_descriptor: v15,
        })
    }
}

const IN_ORDER: &str = r#"{
  "id": "ch_3MmlLrLkdIwHu7ix0snN0B15",
  "object": "charge",
  "amount": 1099,
  "amount_captured": 1099,
  "currency": "usd",
  "captured": true,
  "created": 1679090539,
  "customer": "cus_NffrFeUfNV2Hib",
  "description": null,
  "livemode": false,
  "metadata": {"order_id": "6735", "channel": "web"},
  "paid": true,
  "receipt_email": "jenny.rosen@example.com",
  "shipping": {"city": "San Francisco", "country": "US", "line1": "510 Townsend St", "postal_code": "94103"},
  "status": "succeeded",
  "statement_descriptor": null,
  "fraud_details": {},
  "outcome": {"network_status": "approved_by_network", "risk_level": "normal", "type": "authorized"}
}"#;

fn reversed() -> String {
    let value: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(IN_ORDER).expect("the sample is valid JSON");
    let entries: Vec<String> = value
        .iter()
        .rev()
        .map(|(k, v)| format!("{}:{}", serde_json::Value::from(k.as_str()), v))
        .collect();
    format!("{{{}}}", entries.join(","))
}

fn bench(c: &mut Criterion) {
    let reversed = reversed();
    // Both decodings agree before anything is timed.
    let derived: Derived = serde_json::from_str(IN_ORDER).expect("derive decodes");
    let lean: Lean = serde_json::from_str(&reversed).expect("hand-written decodes");
    assert_eq!(
        serde_json::to_value(&derived).expect("derive encodes"),
        serde_json::to_value(&lean).expect("hand-written encodes")
    );

    let mut group = c.benchmark_group("decode");
    group.bench_function("derive, declared order", |b| {
        b.iter(|| serde_json::from_str::<Derived>(black_box(IN_ORDER)))
    });
    group.bench_function("hand-written, declared order", |b| {
        b.iter(|| serde_json::from_str::<Lean>(black_box(IN_ORDER)))
    });
    group.bench_function("derive, reversed", |b| {
        b.iter(|| serde_json::from_str::<Derived>(black_box(&reversed)))
    });
    group.bench_function("hand-written, reversed", |b| {
        b.iter(|| serde_json::from_str::<Lean>(black_box(&reversed)))
    });
    group.finish();

    paired(
        "decode, declared order",
        || serde_json::from_str::<Derived>(black_box(IN_ORDER)).map(drop),
        || serde_json::from_str::<Lean>(black_box(IN_ORDER)).map(drop),
    );
    paired(
        "decode, reversed",
        || serde_json::from_str::<Derived>(black_box(&reversed)).map(drop),
        || serde_json::from_str::<Lean>(black_box(&reversed)).map(drop),
    );
    paired(
        "encode",
        || serde_json::to_vec(black_box(&derived)).map(drop),
        || serde_json::to_vec(black_box(&lean)).map(drop),
    );

    let mut group = c.benchmark_group("encode");
    group.bench_function("derive", |b| {
        b.iter(|| serde_json::to_vec(black_box(&derived)))
    });
    group.bench_function("hand-written", |b| {
        b.iter(|| serde_json::to_vec(black_box(&lean)))
    });
    group.finish();
}

/// Alternating rounds of `derive` and `hand_written` (in alternating order), printing the median
/// of the per-round time ratios.
fn paired<R>(label: &str, mut derive: impl FnMut() -> R, mut hand_written: impl FnMut() -> R) {
    const ROUNDS: usize = 201;
    const CALLS: usize = 2_000;
    let time = |f: &mut dyn FnMut() -> R| {
        let start = Instant::now();
        for _ in 0..CALLS {
            black_box(f());
        }
        start.elapsed().as_secs_f64()
    };
    let mut ratios = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let (d, h) = if round % 2 == 0 {
            let d = time(&mut derive);
            (d, time(&mut hand_written))
        } else {
            let h = time(&mut hand_written);
            (time(&mut derive), h)
        };
        ratios.push(h / d);
    }
    ratios.sort_by(f64::total_cmp);
    let median = ratios.get(ROUNDS / 2).copied().unwrap_or(f64::NAN);
    println!("paired {label}: hand-written / derive, median of {ROUNDS} rounds = {median:.3}");
}

criterion_group!(benches, bench);
criterion_main!(benches);
