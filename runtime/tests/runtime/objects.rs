//! The serde helpers behind generated object types, through a type written the way the
//! generator writes one: a required field, a required nullable field, an optional field, an
//! optional nullable field (`Option<Option<_>>`), a renamed property, and extra properties.

use std::collections::BTreeMap;

use sdkgen_runtime::__private as private;
use serde_json::json;

#[derive(Debug, Clone, PartialEq)]
struct Charge {
    id: String,
    description: Option<String>,
    amount: Option<i64>,
    metadata: Option<Option<BTreeMap<String, String>>>,
    kind: Option<String>,
    additional_properties: BTreeMap<String, serde_json::Value>,
}

impl serde::Serialize for Charge {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut object = private::ObjectWriter::start(serializer)?;
        object.field("id", &self.id)?;
        object.field("description", &self.description)?;
        object.optional("amount", &self.amount)?;
        object.optional("metadata", &self.metadata)?;
        object.optional("type", &self.kind)?;
        object.extra(&self.additional_properties)?;
        object.end()
    }
}

impl<'de> serde::Deserialize<'de> for Charge {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        private::deserialize_object(deserializer)
    }
}

impl<'de> private::ReadObject<'de> for Charge {
    const NAME: &'static str = "Charge";
    fn read_object<A: serde::de::MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        const FIELDS: &[&str] = &["id", "description", "amount", "metadata", "type"];
        let mut next = 0;
        let mut v0: Option<String> = None;
        let mut v1: Option<String> = None;
        let mut v2: Option<i64> = None;
        let mut v3: Option<Option<BTreeMap<String, String>>> = None;
        let mut v4: Option<String> = None;
        let mut extra = BTreeMap::new();
        while let Some(key) =
            map.next_key_seed(private::ExtraKey(private::FieldKey::new(FIELDS, &mut next)))?
        {
            match key {
                Ok(0) => private::read(&mut map, &mut v0),
                Ok(1) => private::read_option(&mut map, &mut v1),
                Ok(2) => private::read_option(&mut map, &mut v2),
                Ok(3) => private::read(&mut map, &mut v3),
                Ok(4) => private::read_option(&mut map, &mut v4),
                Ok(_) => private::skip(&mut map),
                Err(other) => private::read_extra(&mut map, &mut extra, other),
            }?;
        }
        Ok(Self {
            id: private::required(v0, "id")?,
            description: v1,
            amount: v2,
            metadata: v3,
            kind: v4,
            additional_properties: extra,
        })
    }
}

/// Without extra properties, unknown names are skipped whatever their value.
#[derive(Debug, PartialEq)]
struct Plain {
    id: String,
}

impl<'de> serde::Deserialize<'de> for Plain {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        private::deserialize_object(deserializer)
    }
}

impl<'de> private::ReadObject<'de> for Plain {
    const NAME: &'static str = "Plain";
    fn read_object<A: serde::de::MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        const FIELDS: &[&str] = &["id"];
        let mut next = 0;
        let mut v0: Option<String> = None;
        while let Some(key) = map.next_key_seed(private::FieldKey::new(FIELDS, &mut next))? {
            match key {
                Some(0) => private::read(&mut map, &mut v0),
                _ => private::skip(&mut map),
            }?;
        }
        Ok(Self {
            id: private::required(v0, "id")?,
        })
    }
}

fn charge(value: serde_json::Value) -> Result<Charge, serde_json::Error> {
    serde_json::from_value(value)
}

#[test]
fn properties_in_any_order_land_in_their_fields() {
    let in_order = charge(json!({"id": "ch_1", "description": "d", "amount": 5, "type": "card"}));
    let shuffled = charge(json!({"type": "card", "amount": 5, "id": "ch_1", "description": "d"}));
    let expected = Charge {
        id: "ch_1".into(),
        description: Some("d".into()),
        amount: Some(5),
        metadata: None,
        kind: Some("card".into()),
        additional_properties: BTreeMap::new(),
    };
    assert_eq!(in_order.unwrap(), expected);
    assert_eq!(shuffled.unwrap(), expected);
}

#[test]
fn absent_and_null_are_told_apart_only_where_the_type_can_hold_both() {
    let absent = charge(json!({"id": "ch_1"})).unwrap();
    assert_eq!(absent.description, None);
    assert_eq!(absent.amount, None);
    assert_eq!(absent.metadata, None);

    let nulls =
        charge(json!({"id": "ch_1", "description": null, "amount": null, "metadata": null}))
            .unwrap();
    assert_eq!(nulls.description, None);
    assert_eq!(nulls.amount, None);
    assert_eq!(nulls.metadata, Some(None));
}

#[test]
fn a_missing_required_property_is_an_error_naming_it() {
    let err = charge(json!({"description": "d"})).unwrap_err();
    assert_eq!(err.to_string(), "missing field `id`");
}

#[test]
fn a_wrong_type_reports_the_path_through_serde_path_to_error() {
    let text = r#"{"id": "ch_1", "amount": "five"}"#;
    let de = &mut serde_json::Deserializer::from_str(text);
    let err = serde_path_to_error::deserialize::<_, Charge>(de).unwrap_err();
    assert_eq!(err.path().to_string(), "amount");

    let not_an_object = serde_json::from_str::<Charge>("[1]").unwrap_err();
    assert!(
        not_an_object.to_string().contains("a Charge object"),
        "{not_an_object}"
    );
}

#[test]
fn duplicate_properties_keep_the_last_value() {
    let text = r#"{"id": "first", "id": "second"}"#;
    assert_eq!(serde_json::from_str::<Charge>(text).unwrap().id, "second");
}

#[test]
fn extra_properties_are_collected_and_written_back_after_the_declared_ones() {
    let value = json!({"id": "ch_1", "zeta": 1, "alpha": {"nested": true}});
    let parsed = charge(value.clone()).unwrap();
    assert_eq!(
        parsed.additional_properties.keys().collect::<Vec<_>>(),
        ["alpha", "zeta"]
    );
    let text = serde_json::to_string(&parsed).unwrap();
    assert_eq!(
        text,
        r#"{"id":"ch_1","description":null,"alpha":{"nested":true},"zeta":1}"#
    );
}

#[test]
fn serialization_skips_absent_optionals_and_writes_explicit_nulls() {
    let c = Charge {
        id: "ch_1".into(),
        description: None,
        amount: None,
        metadata: Some(None),
        kind: Some("card".into()),
        additional_properties: BTreeMap::new(),
    };
    assert_eq!(
        serde_json::to_string(&c).unwrap(),
        r#"{"id":"ch_1","description":null,"metadata":null,"type":"card"}"#
    );
    let round_trip: Charge = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
    assert_eq!(round_trip, c);
}

#[test]
fn unknown_properties_of_any_shape_are_skipped() {
    let text = r#"{"extra": {"deep": [1, {"x": null}]}, "id": "a", "more": "text"}"#;
    assert_eq!(
        serde_json::from_str::<Plain>(text).unwrap(),
        Plain { id: "a".into() }
    );
}

#[test]
fn objects_read_from_a_byte_slice_with_escaped_names() {
    // An escaped name reaches the key visitor as a transient string rather than a borrowed one.
    let bytes = br#"{"\u0069d": "escaped"}"#;
    assert_eq!(
        serde_json::from_slice::<Plain>(bytes).unwrap(),
        Plain {
            id: "escaped".into()
        }
    );
}

/// A type with numeric properties that servers send as strings (Twilio's `price`).
#[derive(Debug, PartialEq)]
struct Usage {
    price: f64,
    count: Option<u32>,
}

impl<'de> serde::Deserialize<'de> for Usage {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        private::deserialize_object(deserializer)
    }
}

impl<'de> private::ReadObject<'de> for Usage {
    const NAME: &'static str = "Usage";
    fn read_object<A: serde::de::MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        const FIELDS: &[&str] = &["price", "count"];
        let mut next = 0;
        let mut v0: Option<f64> = None;
        let mut v1: Option<u32> = None;
        while let Some(key) = map.next_key_seed(private::FieldKey::new(FIELDS, &mut next))? {
            match key {
                Some(0) => private::read_number(&mut map, &mut v0),
                Some(1) => private::read_number_option(&mut map, &mut v1),
                _ => private::skip(&mut map),
            }?;
        }
        Ok(Self {
            price: private::required(v0, "price")?,
            count: v1,
        })
    }
}

#[test]
fn numbers_sent_as_strings_read_as_numbers() {
    let read = |text: &str| serde_json::from_str::<Usage>(text);
    assert_eq!(
        read(r#"{"price": "-0.0025", "count": "2"}"#).unwrap(),
        Usage {
            price: -0.0025,
            count: Some(2)
        }
    );
    assert_eq!(
        read(r#"{"price": 1.5, "count": 7}"#).unwrap(),
        Usage {
            price: 1.5,
            count: Some(7)
        }
    );
    assert_eq!(
        read(r#"{"price": 3, "count": null}"#).unwrap(),
        Usage {
            price: 3.0,
            count: None
        }
    );
    assert_eq!(read(r#"{"price": "0.16001e0"}"#).unwrap().price, 0.16001);
    // Through a `Value`, as untagged unions and webhooks read.
    let value = json!({"price": " 12.5 ", "count": "40"});
    assert_eq!(
        serde_json::from_value::<Usage>(value).unwrap(),
        Usage {
            price: 12.5,
            count: Some(40)
        }
    );
    // A string that is not the number, or a number out of range, is still an error.
    let err = read(r#"{"price": "free"}"#).unwrap_err().to_string();
    assert!(err.contains("invalid value: string \"free\""), "{err}");
    assert!(read(r#"{"price": 1, "count": -1}"#).is_err());
    assert!(read(r#"{"price": 1, "count": "4294967296"}"#).is_err());
    assert!(read(r#"{"price": true}"#).is_err());
}
