//! Scalar parameter values read without building a `serde_json::Value`.
//!
//! Nearly every path, query, header and cookie parameter is a string, an integer, a
//! boolean, an enum's wire name or an absent `Option`. Turning each into a
//! `serde_json::Value` first (as the general path does) allocates the value and then a
//! copy of its text on every call; this serializer hands the text straight to the caller
//! instead. It accepts exactly the shapes whose `serde_json::Value` would be a string,
//! an integer, a boolean or `null`, with the same text, and refuses everything else
//! (arrays, objects, floats, out-of-range integers), which then takes the general path,
//! so the wire format is the same either way.

use std::fmt;

use serde::Serialize;
use serde::ser::{self, Impossible};

/// Call `f` with the text of `value` (`None` when it is `null`, such as an absent
/// `Option`) if `value` is a scalar; `None` if it is not, and `f` was not called.
pub(crate) fn with_scalar<T, R>(value: &T, f: impl FnOnce(Option<&str>) -> R) -> Option<R>
where
    T: Serialize + ?Sized,
{
    value.serialize(ScalarSerializer(f)).ok()
}

/// Not a scalar (or the value failed to serialize): use the general path.
#[derive(Debug)]
pub(crate) struct NotScalar;

impl fmt::Display for NotScalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a scalar")
    }
}

impl std::error::Error for NotScalar {}

impl ser::Error for NotScalar {
    fn custom<M: fmt::Display>(_msg: M) -> Self {
        NotScalar
    }
}

/// An integer's decimal text, formatted on the stack.
struct Digits {
    buf: [u8; 40],
    len: usize,
}

impl Digits {
    fn of(n: impl fmt::Display) -> Digits {
        let mut digits = Digits {
            buf: [0; 40],
            len: 0,
        };
        // 40 bytes hold any i64 or u64, so this write cannot fail.
        let _ = fmt::Write::write_fmt(&mut digits, format_args!("{n}"));
        digits
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

impl fmt::Write for Digits {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let slot = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

struct ScalarSerializer<F>(F);

impl<F> ScalarSerializer<F> {
    fn text<R>(self, text: &str) -> Result<R, NotScalar>
    where
        F: FnOnce(Option<&str>) -> R,
    {
        Ok((self.0)(Some(text)))
    }

    fn null<R>(self) -> Result<R, NotScalar>
    where
        F: FnOnce(Option<&str>) -> R,
    {
        Ok((self.0)(None))
    }
}

macro_rules! integers {
    ($($method:ident: $ty:ty),*) => {
        $(fn $method(self, v: $ty) -> Result<R, NotScalar> {
            self.text(Digits::of(v).as_str())
        })*
    };
}

macro_rules! refused {
    ($($method:ident: $ty:ty),*) => {
        $(fn $method(self, _v: $ty) -> Result<R, NotScalar> {
            Err(NotScalar)
        })*
    };
}

impl<R, F: FnOnce(Option<&str>) -> R> ser::Serializer for ScalarSerializer<F> {
    type Ok = R;
    type Error = NotScalar;
    type SerializeSeq = Impossible<R, NotScalar>;
    type SerializeTuple = Impossible<R, NotScalar>;
    type SerializeTupleStruct = Impossible<R, NotScalar>;
    type SerializeTupleVariant = Impossible<R, NotScalar>;
    type SerializeMap = Impossible<R, NotScalar>;
    type SerializeStruct = Impossible<R, NotScalar>;
    type SerializeStructVariant = Impossible<R, NotScalar>;

    integers!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64);

    // Floats are printed by serde_json's own rules, and 128-bit integers may be out of its
    // range: both take the general path so that the text is exactly what it gives.
    refused!(serialize_f32: f32, serialize_f64: f64, serialize_i128: i128,
        serialize_u128: u128, serialize_bytes: &[u8]);

    fn serialize_bool(self, v: bool) -> Result<R, NotScalar> {
        self.text(if v { "true" } else { "false" })
    }

    fn serialize_char(self, v: char) -> Result<R, NotScalar> {
        self.text(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<R, NotScalar> {
        self.text(v)
    }

    fn serialize_none(self) -> Result<R, NotScalar> {
        self.null()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<R, NotScalar> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<R, NotScalar> {
        self.null()
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<R, NotScalar> {
        self.null()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<R, NotScalar> {
        self.text(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<R, NotScalar> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<R, NotScalar> {
        Err(NotScalar)
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, NotScalar> {
        Err(NotScalar)
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, NotScalar> {
        Err(NotScalar)
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, NotScalar> {
        Err(NotScalar)
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, NotScalar> {
        Err(NotScalar)
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, NotScalar> {
        Err(NotScalar)
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, NotScalar> {
        Err(NotScalar)
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, NotScalar> {
        Err(NotScalar)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The text the general path (through `serde_json::Value`) gives, `None` for `null`.
    fn through_value<T: Serialize>(value: &T) -> Option<String> {
        match serde_json::to_value(value).unwrap() {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some(s),
            other => Some(other.to_string()),
        }
    }

    fn fast<T: Serialize>(value: &T) -> Option<Option<String>> {
        with_scalar(value, |t| t.map(str::to_owned))
    }

    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Status {
        PastDue,
    }

    #[derive(Serialize)]
    struct Id(u32);

    #[test]
    fn scalars_give_the_same_text_as_the_general_path() {
        assert_eq!(fast(&"a b"), Some(through_value(&"a b")));
        assert_eq!(fast(&'x'), Some(through_value(&'x')));
        assert_eq!(fast(&true), Some(through_value(&true)));
        assert_eq!(fast(&-42i64), Some(through_value(&-42i64)));
        assert_eq!(fast(&u64::MAX), Some(through_value(&u64::MAX)));
        assert_eq!(fast(&i64::MIN), Some(through_value(&i64::MIN)));
        assert_eq!(fast(&Status::PastDue), Some(Some("past_due".to_owned())));
        assert_eq!(fast(&Some(Id(7))), Some(through_value(&Some(Id(7)))));
        assert_eq!(fast(&Option::<u8>::None), Some(None));
        assert_eq!(fast(&()), Some(None));
        assert_eq!(fast(&json!("v")), Some(Some("v".to_owned())));
    }

    #[test]
    fn everything_else_takes_the_general_path() {
        assert_eq!(fast(&1.5f64), None);
        assert_eq!(fast(&[1, 2]), None);
        assert_eq!(fast(&json!({"a": 1})), None);
        assert_eq!(fast(&u128::MAX), None);
    }
}
