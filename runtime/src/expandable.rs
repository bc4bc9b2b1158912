//! Fields that hold either an object's id or, when the caller asked for it, the object itself.
//!
//! Stripe-style APIs return `"customer": "cus_123"` by default and the whole customer when the
//! request lists the field in `expand[]`. Specs say so with `anyOf: [string, $ref]`; one generic
//! type keeps every such field the same to use.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Either the id of an object or the expanded object.
#[derive(Debug, Clone, PartialEq)]
pub enum Expandable<T> {
    /// The object's id, as sent when the field was not expanded.
    Id(String),
    /// The expanded object.
    Object(Box<T>),
}

impl<T> Expandable<T> {
    /// The expanded object, if the field was expanded.
    pub fn as_object(&self) -> Option<&T> {
        match self {
            Self::Object(object) => Some(object),
            Self::Id(_) => None,
        }
    }

    /// True when the field holds only an id.
    pub fn is_id(&self) -> bool {
        matches!(self, Self::Id(_))
    }
}

impl<T: HasId> Expandable<T> {
    /// The id, whether or not the field was expanded.
    pub fn id(&self) -> Option<&str> {
        match self {
            Self::Id(id) => Some(id),
            Self::Object(object) => object.object_id(),
        }
    }
}

/// Objects that know their own id, so an expanded field can still answer `id()`.
pub trait HasId {
    /// The object's id, if it has one.
    fn object_id(&self) -> Option<&str>;
}

impl<T: Serialize> Serialize for Expandable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Id(id) => serializer.serialize_str(id),
            Self::Object(object) => object.serialize(serializer),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Expandable<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A string is always the id; anything else must be the object, and its own error is
        // clearer than serde's "did not match any variant".
        let value = serde_json::Value::deserialize(deserializer)?;
        match value {
            serde_json::Value::String(id) => Ok(Self::Id(id)),
            other => T::deserialize(other)
                .map(|o| Self::Object(Box::new(o)))
                .map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Customer {
        id: String,
        name: String,
    }

    #[test]
    fn a_string_is_the_id_and_an_object_is_expanded() {
        let id: Expandable<Customer> =
            serde_json::from_str("\"cus_1\"").unwrap_or(Expandable::Id(String::new()));
        assert_eq!(id, Expandable::Id("cus_1".to_owned()));
        let object: Expandable<Customer> = serde_json::from_str(r#"{"id":"cus_1","name":"Ada"}"#)
            .unwrap_or(Expandable::Id(String::new()));
        assert_eq!(object.as_object().map(|c| c.name.as_str()), Some("Ada"));
        assert_eq!(
            serde_json::to_string(&id).ok().as_deref(),
            Some("\"cus_1\"")
        );
    }
}
