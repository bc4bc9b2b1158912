//! Serde support for generated object types.
//!
//! Generated structs implement `Serialize` and `Deserialize` by hand, through the helpers here,
//! instead of deriving them. A provider crate holds hundreds of object types, and serde's
//! derived code (a field enum with three visitors, a sequence visitor nobody calls, a map
//! visitor with one match arm per field) is most of what rustc type-checks and borrow-checks
//! in it. The hand-written form keeps one map visitor per type whose arms are single calls
//! to the generic helpers below, so the per-field work is written once, here.
//!
//! The behaviour matches what the derive did for these types: unknown properties are
//! skipped, an absent `Option` field is `None`, an absent required field is a
//! `missing field` error, and `null` for an `Option` field is `None`.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

/// Reads a property name and finds it among a type's declared property names: `Some(index)`,
/// or `None` for a name the type does not declare.
///
/// Properties usually arrive in the order the spec declares them, with absent ones left out,
/// so the search starts just after the last match and wraps around: in the common case each
/// name is compared with the next few declared names only.
pub struct FieldKey<'a> {
    names: &'static [&'static str],
    next: &'a mut usize,
}

impl<'a> FieldKey<'a> {
    /// A seed that looks names up in `names`, starting at `*next` and moving it on.
    pub fn new(names: &'static [&'static str], next: &'a mut usize) -> Self {
        FieldKey { names, next }
    }

    // Inlined into each caller: it runs once per property of every decoded object.
    #[inline]
    fn find(&mut self, name: &str) -> Option<usize> {
        let names = self.names;
        let expected = (*self.next).min(names.len());
        let (before, after) = names.split_at(expected);
        let found = match after.iter().position(|n| *n == name) {
            Some(i) => Some(expected + i),
            None => before.iter().position(|n| *n == name),
        };
        if let Some(i) = found {
            *self.next = i + 1;
        }
        found
    }
}

impl<'de> DeserializeSeed<'de> for FieldKey<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<usize>, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for FieldKey<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a property name")
    }

    fn visit_str<E: de::Error>(mut self, name: &str) -> Result<Option<usize>, E> {
        Ok(self.find(name))
    }

    fn visit_bytes<E: de::Error>(mut self, name: &[u8]) -> Result<Option<usize>, E> {
        Ok(self.find(&String::from_utf8_lossy(name)))
    }
}

/// Like [`FieldKey`] for types that collect extra properties: `Ok(index)` for a declared
/// property, `Err(name)` for any other.
pub struct ExtraKey<'a>(pub FieldKey<'a>);

impl<'de> DeserializeSeed<'de> for ExtraKey<'_> {
    type Value = Result<usize, String>;

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Result<usize, String>, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for ExtraKey<'_> {
    type Value = Result<usize, String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a property name")
    }

    fn visit_str<E: de::Error>(mut self, name: &str) -> Result<Self::Value, E> {
        Ok(self.0.find(name).ok_or_else(|| name.to_owned()))
    }

    fn visit_bytes<E: de::Error>(self, name: &[u8]) -> Result<Self::Value, E> {
        self.visit_str(&String::from_utf8_lossy(name))
    }
}

/// How a generated object type reads itself from a map; its `Deserialize` impl calls
/// [`deserialize_object`].
pub trait ReadObject<'de>: Sized {
    /// The type's name, for the `invalid type` error.
    const NAME: &'static str;

    /// Reads the properties.
    fn read_object<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// Deserializes an object type from a map.
pub fn deserialize_object<'de, D: Deserializer<'de>, T: ReadObject<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_map(ObjectVisitor(PhantomData))
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: ReadObject<'de>> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} object", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::read_object(map)
    }
}

/// Reads a property's value into its slot, replacing any earlier value (the last of
/// duplicate properties wins).
pub fn read<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
) -> Result<(), A::Error> {
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Reads an optional property's value, where `null` means absent.
pub fn read_option<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
) -> Result<(), A::Error> {
    *slot = map.next_value()?;
    Ok(())
}

/// Reads a numeric property that the server may send as a string: Twilio sends prices and
/// coordinates as `"-0.0025"`, and GitHub and Slack send some counts so. A string that does
/// not parse as the number is still an error that names what it found.
pub fn read_number<'de, A: MapAccess<'de>, T: Deserialize<'de> + FromStr>(
    map: &mut A,
    slot: &mut Option<T>,
) -> Result<(), A::Error> {
    *slot = Some(map.next_value_seed(Lenient(PhantomData))?);
    Ok(())
}

/// [`read_number`] for an optional or nullable property, where `null` means absent.
pub fn read_number_option<'de, A: MapAccess<'de>, T: Deserialize<'de> + FromStr>(
    map: &mut A,
    slot: &mut Option<T>,
) -> Result<(), A::Error> {
    *slot = map.next_value_seed(LenientOption(PhantomData))?;
    Ok(())
}

/// A number, or a string holding one.
struct Lenient<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de> + FromStr> DeserializeSeed<'de> for Lenient<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_any(LenientVisitor(PhantomData))
    }
}

/// `null`, a number, or a string holding one.
struct LenientOption<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de> + FromStr> DeserializeSeed<'de> for LenientOption<T> {
    type Value = Option<T>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<T>, D::Error> {
        deserializer.deserialize_option(LenientOptionVisitor(PhantomData))
    }
}

struct LenientOptionVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de> + FromStr> Visitor<'de> for LenientOptionVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("null, a number or a string holding a number")
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<T>, D::Error> {
        Lenient(PhantomData).deserialize(deserializer).map(Some)
    }
}

struct LenientVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de> + FromStr> Visitor<'de> for LenientVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number or a string holding a number")
    }

    // Numbers go through `T`'s own impl, so its range checks and conversions apply.
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        T::deserialize(de::value::I64Deserializer::new(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        T::deserialize(de::value::U64Deserializer::new(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        T::deserialize(de::value::F64Deserializer::new(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        v.trim()
            .parse()
            .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

/// Skips the value of a property the type does not declare.
pub fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<de::IgnoredAny>()?;
    Ok(())
}

/// Reads the value of an undeclared property into the type's extra-properties map.
pub fn read_extra<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    extra: &mut BTreeMap<String, T>,
    name: String,
) -> Result<(), A::Error> {
    let value = map.next_value()?;
    extra.insert(name, value);
    Ok(())
}

/// The value of a required property, or the error for its absence.
///
/// As with serde's derive, a required property whose type accepts `null` (an `Option`) reads
/// as `None` when absent; any other type reports `missing field`.
pub fn required<'de, T: Deserialize<'de>, E: de::Error>(
    slot: Option<T>,
    name: &'static str,
) -> Result<T, E> {
    match slot {
        Some(value) => Ok(value),
        None => T::deserialize(Missing::<E>(name, PhantomData)),
    }
}

/// A deserializer for an absent property: `None` to an `Option`, `missing field` to anything else.
struct Missing<E>(&'static str, PhantomData<E>);

impl<'de, E: de::Error> Deserializer<'de> for Missing<E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, E> {
        Err(E::missing_field(self.0))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_none()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// Writes an object's properties as a map.
pub struct ObjectWriter<S: Serializer>(S::SerializeMap);

impl<S: Serializer> ObjectWriter<S> {
    /// Starts the object.
    pub fn start(serializer: S) -> Result<Self, S::Error> {
        serializer.serialize_map(None).map(ObjectWriter)
    }

    /// Writes a property that is always present (`null` when it is a `None`).
    pub fn field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), S::Error> {
        self.0.serialize_entry(name, value)
    }

    /// Writes an optional property, or nothing when it is `None`.
    pub fn optional<T: Serialize>(
        &mut self,
        name: &'static str,
        value: &Option<T>,
    ) -> Result<(), S::Error> {
        match value {
            Some(value) => self.0.serialize_entry(name, value),
            None => Ok(()),
        }
    }

    /// Writes the extra properties, after the declared ones.
    pub fn extra<T: Serialize>(&mut self, extra: &BTreeMap<String, T>) -> Result<(), S::Error> {
        extra
            .iter()
            .try_for_each(|(name, value)| self.0.serialize_entry(name, value))
    }

    /// Ends the object.
    pub fn end(self) -> Result<S::Ok, S::Error> {
        self.0.end()
    }
}
