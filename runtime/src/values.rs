//! Value types used inside generated models.

use std::fmt;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use bytes::Bytes;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Binary data that travels as a base64 string (`format: byte`).
///
/// Encodes with the standard alphabet and padding; decodes standard or URL-safe input,
/// with or without padding, because providers are not consistent about it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Base64(pub Vec<u8>);

impl Base64 {
    /// Decode a base64 string leniently (standard or URL-safe, padding optional).
    pub fn decode(text: &str) -> Result<Base64, base64::DecodeError> {
        use base64::engine::general_purpose::{STANDARD_PAD_INDIFFERENT, URL_SAFE_PAD_INDIFFERENT};
        let text = text.trim();
        STANDARD_PAD_INDIFFERENT
            .decode(text)
            .or_else(|_| URL_SAFE_PAD_INDIFFERENT.decode(text))
            .map(Base64)
    }

    /// The standard base64 encoding.
    pub fn encode(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.0)
    }
}

impl From<Vec<u8>> for Base64 {
    fn from(v: Vec<u8>) -> Self {
        Base64(v)
    }
}

impl AsRef<[u8]> for Base64 {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Serialize for Base64 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.encode())
    }
}

impl<'de> Deserialize<'de> for Base64 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Base64::decode(&text).map_err(serde::de::Error::custom)
    }
}

/// A file for a multipart body: its contents (in memory, or streamed as the request is sent)
/// plus an optional file name and content type.
///
/// In-memory contents are replayed as they are on a retry. Streamed contents
/// ([`FilePart::stream`], [`FilePart::open`]) are read once while the request is sent, so that a
/// large upload never sits in memory; a request carrying one is never retried, and sending it a
/// second time (a clone of the same request, say) fails with a clear error instead of sending an
/// empty file.
///
/// It implements `Serialize`/`Deserialize` (as raw bytes) only so that generated structs
/// holding it can implement serde; the multipart encoder uses the name and content type.
#[derive(Clone)]
pub struct FilePart {
    data: FileData,
    file_name: Option<String>,
    content_type: Option<String>,
}

/// Where a file's contents come from.
#[derive(Clone)]
enum FileData {
    Bytes(Bytes),
    /// Taken by the first send; clones share it so that it can be sent once at most.
    Stream {
        length: u64,
        body: Arc<Mutex<Option<reqwest::Body>>>,
    },
}

impl FilePart {
    /// A file with these contents.
    pub fn new(data: impl Into<Bytes>) -> Self {
        FilePart {
            data: FileData::Bytes(data.into()),
            file_name: None,
            content_type: None,
        }
    }

    /// A file whose `length` bytes come from `stream` as the request is sent. The length is
    /// needed up front for the part's size; a stream that yields a different number of bytes
    /// fails the request.
    pub fn stream<S>(length: u64, stream: S) -> Self
    where
        S: futures::TryStream + Send + 'static,
        S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
        Bytes: From<S::Ok>,
    {
        FilePart {
            data: FileData::Stream {
                length,
                body: Arc::new(Mutex::new(Some(reqwest::Body::wrap_stream(stream)))),
            },
            file_name: None,
            content_type: None,
        }
    }

    /// The file at `path`, streamed from disk as the request is sent, named after the path's
    /// last component.
    pub async fn open(path: impl AsRef<std::path::Path>) -> std::io::Result<Self> {
        let path = path.as_ref();
        let file = tokio::fs::File::open(path).await?;
        let length = file.metadata().await?.len();
        let chunks = futures::stream::try_unfold(file, |mut file| async move {
            use tokio::io::AsyncReadExt as _;
            let mut buf = vec![0u8; 64 * 1024];
            let n = file.read(&mut buf).await?;
            if n == 0 {
                return Ok::<_, std::io::Error>(None);
            }
            buf.truncate(n);
            Ok(Some((Bytes::from(buf), file)))
        });
        let mut part = FilePart::stream(length, chunks);
        if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
            part = part.file_name(name);
        }
        Ok(part)
    }

    /// The file name sent in `Content-Disposition`.
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// The part's content type (default `application/octet-stream`).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The contents, when they are in memory (`None` for a streamed file).
    pub fn data(&self) -> Option<&Bytes> {
        match &self.data {
            FileData::Bytes(bytes) => Some(bytes),
            FileData::Stream { .. } => None,
        }
    }

    /// The size in bytes.
    pub fn len(&self) -> u64 {
        match &self.data {
            FileData::Bytes(bytes) => bytes.len() as u64,
            FileData::Stream { length, .. } => *length,
        }
    }

    /// True for an empty file.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when the contents are streamed (and so can be sent once).
    pub fn is_streamed(&self) -> bool {
        matches!(self.data, FileData::Stream { .. })
    }

    /// The file name, if set.
    pub fn name(&self) -> Option<&str> {
        self.file_name.as_deref()
    }

    /// The content type, if set.
    pub fn mime(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The body to send: the bytes again, or the stream if no earlier send took it.
    pub(crate) fn take_body(&self) -> Option<reqwest::Body> {
        match &self.data {
            FileData::Bytes(bytes) => Some(reqwest::Body::from(bytes.clone())),
            FileData::Stream { body, .. } => body.lock().ok()?.take(),
        }
    }
}

impl PartialEq for FilePart {
    fn eq(&self, other: &Self) -> bool {
        let same_data = match (&self.data, &other.data) {
            (FileData::Bytes(a), FileData::Bytes(b)) => a == b,
            (FileData::Stream { body: a, .. }, FileData::Stream { body: b, .. }) => {
                Arc::ptr_eq(a, b)
            }
            _ => false,
        };
        same_data && self.file_name == other.file_name && self.content_type == other.content_type
    }
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilePart")
            .field("len", &self.len())
            .field("streamed", &self.is_streamed())
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}

impl Serialize for FilePart {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.data {
            FileData::Bytes(bytes) => serializer.serialize_bytes(bytes),
            FileData::Stream { .. } => Err(serde::ser::Error::custom(
                "a streamed file has no contents to serialize; it is only sent as a multipart part",
            )),
        }
    }
}

impl<'de> Deserialize<'de> for FilePart {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BytesVisitor;
        impl<'de> serde::de::Visitor<'de> for BytesVisitor {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("file contents as bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Self::Value, E> {
                Ok(v)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(v.as_bytes().to_vec())
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(b) = seq.next_element::<u8>()? {
                    out.push(b);
                }
                Ok(out)
            }
        }
        deserializer
            .deserialize_byte_buf(BytesVisitor)
            .map(FilePart::new)
    }
}
