//! Identifiers and validated names. Each validates when deserialized, so an invalid value never exists
//! in memory on either side of the wire.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use thiserror::Error;

/// A client-chosen number that the server's answer to a request carries back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RequestId(pub u32);

/// Why a string is not a valid identifier or name.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InvalidId {
    /// Empty or too long.
    #[error("{what} must be 1 to {max} bytes long, got {len}")]
    Length {
        /// Which kind of value.
        what: &'static str,
        /// Its limit.
        max: usize,
        /// The length received.
        len: usize,
    },
    /// A character outside the allowed set.
    #[error("{what} contains a character that is not allowed: {found:?}")]
    Character {
        /// Which kind of value.
        what: &'static str,
        /// The offending character.
        found: char,
    },
    /// Nothing in it shows (only white space).
    #[error("{what} has no visible character")]
    Invisible {
        /// Which kind of value.
        what: &'static str,
    },
    /// Not in the expected textual form.
    #[error("{what} is not in the form {form}")]
    Form {
        /// Which kind of value.
        what: &'static str,
        /// The expected form.
        form: &'static str,
    },
}

/// A player, as the host app's login service names them (the JWT `sub`): 1 to 64 bytes of
/// `[A-Za-z0-9._:-]`, enough for WeChat openids, UUIDs and numeric ids alike.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PlayerId(String);

impl PlayerId {
    /// Longest accepted id, in bytes.
    pub const MAX_LEN: usize = 64;

    /// Validates `id`.
    pub fn new(id: impl Into<String>) -> Result<PlayerId, InvalidId> {
        let id = id.into();
        if id.is_empty() || id.len() > Self::MAX_LEN {
            return Err(InvalidId::Length {
                what: "player id",
                max: Self::MAX_LEN,
                len: id.len(),
            });
        }
        if let Some(found) = id
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-')))
        {
            return Err(InvalidId::Character {
                what: "player id",
                found,
            });
        }
        Ok(PlayerId(id))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PlayerId {
    type Error = InvalidId;
    fn try_from(id: String) -> Result<Self, Self::Error> {
        PlayerId::new(id)
    }
}

impl From<PlayerId> for String {
    fn from(id: PlayerId) -> String {
        id.0
    }
}

impl FromStr for PlayerId {
    type Err = InvalidId;
    fn from_str(id: &str) -> Result<Self, Self::Err> {
        PlayerId::new(id)
    }
}

impl fmt::Display for PlayerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A name shown to other players: 1 to 32 characters, at least one of them visible, and none that is
/// invisible or changes how the text around it is shown (see [`DisplayName::new`]), so a name can neither
/// pass for another player's nor reorder what a client shows after it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    /// Longest accepted name, in characters (Unicode scalar values).
    pub const MAX_CHARS: usize = 32;

    /// Validates `name`: 1 to [`Self::MAX_CHARS`] characters, refusing
    /// - control characters (Unicode category Cc);
    /// - format characters (category Cf): bidi marks, embeddings, overrides and isolates (U+200E, U+200F,
    ///   U+202A to U+202E, U+2066 to U+2069, U+061C), zero-width space, non-joiner and joiner (U+200B to
    ///   U+200D), word joiner and invisible operators (U+2060 to U+2064), the byte order mark, the soft
    ///   hyphen, tag characters, and the rest of the category;
    /// - the line and paragraph separators (U+2028, U+2029);
    /// - other characters that show as nothing: the combining grapheme joiner, Hangul fillers, Khmer and
    ///   Mongolian invisibles, the Braille blank, unassigned default-ignorable code points;
    /// - a variation selector (U+FE00 to U+FE0F, U+E0100 to U+E01EF) anywhere but right after a visible
    ///   character (so `❤️` stays a valid name);
    /// - a name with no visible character (only white space).
    pub fn new(name: impl Into<String>) -> Result<DisplayName, InvalidId> {
        let name = name.into();
        let chars = name.chars().count();
        if chars == 0 || chars > Self::MAX_CHARS {
            return Err(InvalidId::Length {
                what: "display name",
                max: Self::MAX_CHARS,
                len: chars,
            });
        }
        let mut previous_visible = false;
        for found in name.chars() {
            let refused = if is_variation_selector(found) {
                !previous_visible
            } else {
                is_invisible_or_control(found)
            };
            if refused {
                return Err(InvalidId::Character {
                    what: "display name",
                    found,
                });
            }
            previous_visible = is_visible(found);
        }
        if !name.chars().any(is_visible) {
            return Err(InvalidId::Invisible {
                what: "display name",
            });
        }
        Ok(DisplayName(name))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Unicode's format characters (category Cf, as of Unicode 15), as inclusive ranges.
const FORMAT_CHARACTERS: [(char, char); 21] = [
    ('\u{00AD}', '\u{00AD}'),
    ('\u{0600}', '\u{0605}'),
    ('\u{061C}', '\u{061C}'),
    ('\u{06DD}', '\u{06DD}'),
    ('\u{070F}', '\u{070F}'),
    ('\u{0890}', '\u{0891}'),
    ('\u{08E2}', '\u{08E2}'),
    ('\u{180E}', '\u{180E}'),
    ('\u{200B}', '\u{200F}'),
    ('\u{202A}', '\u{202E}'),
    ('\u{2060}', '\u{2064}'),
    ('\u{2066}', '\u{206F}'),
    ('\u{FEFF}', '\u{FEFF}'),
    ('\u{FFF9}', '\u{FFFB}'),
    ('\u{110BD}', '\u{110BD}'),
    ('\u{110CD}', '\u{110CD}'),
    ('\u{13430}', '\u{1343F}'),
    ('\u{1BCA0}', '\u{1BCA3}'),
    ('\u{1D173}', '\u{1D17A}'),
    ('\u{E0001}', '\u{E0001}'),
    ('\u{E0020}', '\u{E007F}'),
];

/// Characters outside Cc and Cf that show as nothing (default-ignorable or blank), as inclusive ranges.
const BLANK_CHARACTERS: [(char, char); 11] = [
    ('\u{034F}', '\u{034F}'),
    ('\u{115F}', '\u{1160}'),
    ('\u{17B4}', '\u{17B5}'),
    ('\u{180B}', '\u{180D}'),
    ('\u{180F}', '\u{180F}'),
    ('\u{2028}', '\u{2029}'),
    ('\u{2800}', '\u{2800}'),
    ('\u{3164}', '\u{3164}'),
    ('\u{FFA0}', '\u{FFA0}'),
    ('\u{FFF0}', '\u{FFF8}'),
    ('\u{E0000}', '\u{E0FFF}'),
];

fn in_ranges(c: char, ranges: &[(char, char)]) -> bool {
    ranges.iter().any(|(low, high)| (*low..=*high).contains(&c))
}

fn is_variation_selector(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
}

/// Refused anywhere in a display name (variation selectors are judged by [`DisplayName::new`]).
fn is_invisible_or_control(c: char) -> bool {
    c.is_control() || in_ranges(c, &FORMAT_CHARACTERS) || in_ranges(c, &BLANK_CHARACTERS)
}

/// A character that shows: not white space, not invisible, not a variation selector.
fn is_visible(c: char) -> bool {
    !c.is_whitespace() && !is_variation_selector(c) && !is_invisible_or_control(c)
}

impl TryFrom<String> for DisplayName {
    type Error = InvalidId;
    fn try_from(name: String) -> Result<Self, Self::Error> {
        DisplayName::new(name)
    }
}

impl From<DisplayName> for String {
    fn from(name: DisplayName) -> String {
        name.0
    }
}

impl fmt::Display for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An id of 16 random bytes the server draws: 32 lowercase hex digits in JSON, 16 raw bytes in bincode.
macro_rules! random_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name([u8; 16]);

        impl $name {
            #[doc = concat!("The ", $what, " made of these bytes.")]
            pub const fn from_bytes(bytes: [u8; 16]) -> $name {
                $name(bytes)
            }

            /// The raw bytes.
            pub const fn as_bytes(&self) -> &[u8; 16] {
                &self.0
            }

            /// The id as it is displayed (32 lowercase hex digits), written into `out`: for keys
            /// built without the formatting machinery, which costs more than the digits.
            pub fn hex<'a>(&self, out: &'a mut [u8; 32]) -> &'a str {
                hex16(&self.0, out)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.hex(&mut [0; 32]))
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                parse_hex16(text, $what).map($name)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                if serializer.is_human_readable() {
                    serializer.collect_str(self)
                } else {
                    self.0.serialize(serializer)
                }
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                if deserializer.is_human_readable() {
                    deserializer.deserialize_str(ParsedVisitor::<$name>::new(concat!(
                        "a ", $what, " (32 hex digits)"
                    )))
                } else {
                    <[u8; 16]>::deserialize(deserializer).map($name)
                }
            }
        }
    };
}

/// `bytes` as 32 lowercase hex digits written into `out`. Ids are formatted into every Redis key of a
/// run, on every jump: one `write_str` of a stack buffer instead of 16 formatted `{:02x}`.
fn hex16<'a>(bytes: &[u8; 16], out: &'a mut [u8; 32]) -> &'a str {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (pair, byte) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = DIGITS[usize::from(byte >> 4)];
        pair[1] = DIGITS[usize::from(byte & 0x0f)];
    }
    // Only ASCII digits were written.
    std::str::from_utf8(out).unwrap_or_default()
}

/// 16 bytes from 32 lowercase hex digits.
fn parse_hex16(text: &str, what: &'static str) -> Result<[u8; 16], InvalidId> {
    let form = InvalidId::Form {
        what,
        form: "32 lowercase hex digits",
    };
    if text.len() != 32 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(form);
    }
    let mut bytes = [0u8; 16];
    for (byte, pair) in bytes.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
        let pair = std::str::from_utf8(pair).map_err(|_| form.clone())?;
        *byte = u8::from_str_radix(pair, 16).map_err(|_| form.clone())?;
    }
    Ok(bytes)
}

random_id!(
    /// A run: 16 random bytes drawn by the server. It is also the resume token of an interrupted run (only
    /// its own player can resume it).
    RunId,
    "run id"
);

random_id!(
    /// A challenge: a run's course shared by its player, 16 random bytes drawn by the server. The shared
    /// thing is this id, never the seed: a challenge run can only be played on a course the server handed
    /// out, and ranks on its challenge's own board.
    ChallengeId,
    "challenge id"
);

/// A notification: the id of its entry in the player's inbox stream, `ms-seq` like a Redis stream id.
/// Ids grow with time, so "acknowledge up to an id" is a single comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NotificationId {
    /// Unix ms of the entry.
    pub ms: u64,
    /// Sequence within that millisecond.
    pub seq: u64,
}

impl fmt::Display for NotificationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

impl FromStr for NotificationId {
    type Err = InvalidId;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let form = || InvalidId::Form {
            what: "notification id",
            form: "<ms>-<seq>",
        };
        let (ms, seq) = text.split_once('-').ok_or_else(form)?;
        Ok(NotificationId {
            ms: ms.parse().map_err(|_| form())?,
            seq: seq.parse().map_err(|_| form())?,
        })
    }
}

impl Serialize for NotificationId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.collect_str(self)
        } else {
            (self.ms, self.seq).serialize(serializer)
        }
    }
}

impl<'de> Deserialize<'de> for NotificationId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            deserializer.deserialize_str(ParsedVisitor::<NotificationId>::new("a notification id"))
        } else {
            <(u64, u64)>::deserialize(deserializer).map(|(ms, seq)| NotificationId { ms, seq })
        }
    }
}

/// Serde helpers for `u64` values that can exceed 2^53 (seeds): a decimal string in JSON, since
/// browsers parse JSON numbers as doubles, and a plain integer in bincode.
pub mod u64_text {
    use super::*;

    /// Serializes `value` as text when the format is human readable.
    pub fn serialize<S: Serializer>(value: &u64, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.collect_str(value)
        } else {
            serializer.serialize_u64(*value)
        }
    }

    /// Reads what `serialize` wrote.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
        if deserializer.is_human_readable() {
            deserializer.deserialize_str(ParsedVisitor::<u64>::new("a decimal u64 in a string"))
        } else {
            u64::deserialize(deserializer)
        }
    }
}

/// Parses a string (borrowed or owned) with `FromStr`.
struct ParsedVisitor<T> {
    expecting: &'static str,
    marker: std::marker::PhantomData<T>,
}

impl<T> ParsedVisitor<T> {
    const fn new(expecting: &'static str) -> Self {
        ParsedVisitor {
            expecting,
            marker: std::marker::PhantomData,
        }
    }
}

impl<T: FromStr> Visitor<'_> for ParsedVisitor<T>
where
    T::Err: fmt::Display,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        text.parse().map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn player_ids_are_validated() {
        assert!(PlayerId::new("oJ3x_9-abc.def:1").is_ok());
        assert!(PlayerId::new("").is_err());
        assert!(PlayerId::new("a".repeat(65)).is_err());
        assert!(PlayerId::new("a".repeat(64)).is_ok());
        assert!(matches!(
            PlayerId::new("bob smith"),
            Err(InvalidId::Character { found: ' ', .. })
        ));
        assert!(serde_json::from_str::<PlayerId>("\"x/y\"").is_err());
    }

    #[test]
    fn display_names_are_validated() {
        assert!(DisplayName::new("跳一跳 champion").is_ok());
        assert!(DisplayName::new("   ").is_err());
        assert!(DisplayName::new("").is_err());
        assert!(DisplayName::new("a\u{7}b").is_err());
        assert!(DisplayName::new("é".repeat(32)).is_ok());
        assert!(DisplayName::new("é".repeat(33)).is_err());
    }

    #[test]
    fn display_names_refuse_bidi_controls_and_invisible_characters() {
        let refused = [
            '\u{202E}', // right-to-left override: "evil\u{202E}gnp.exe"
            '\u{202A}',
            '\u{202B}',
            '\u{202C}',
            '\u{202D}', // embeddings, pop
            '\u{2066}',
            '\u{2067}',
            '\u{2068}',
            '\u{2069}', // isolates
            '\u{200E}',
            '\u{200F}',
            '\u{061C}', // marks
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{2060}',
            '\u{FEFF}', // zero-width
            '\u{00AD}',
            '\u{2062}',
            '\u{180E}',
            '\u{E0041}',
            '\u{E0001}', // other Cf
            '\u{2028}',
            '\u{2029}', // separators
            '\u{3164}',
            '\u{115F}',
            '\u{FFA0}',
            '\u{2800}',
            '\u{034F}',
            '\u{17B4}', // blank
            '\u{0085}',
            '\u{001B}',
            '\u{007F}', // controls
        ];
        for c in refused {
            for name in [format!("{c}bob"), format!("bo{c}b"), format!("bob{c}")] {
                assert_eq!(
                    DisplayName::new(name.clone()),
                    Err(InvalidId::Character {
                        what: "display name",
                        found: c
                    }),
                    "{:04X} in {name:?}",
                    u32::from(c)
                );
            }
        }
        // Variation selectors only after something visible.
        assert!(DisplayName::new("\u{2764}\u{FE0F} Ada").is_ok());
        assert!(DisplayName::new("\u{8FBB}\u{E0100}").is_ok());
        assert!(DisplayName::new("\u{FE0F}Ada").is_err());
        assert!(DisplayName::new("Ada \u{FE0F}").is_err());
        assert!(DisplayName::new("A\u{FE0F}\u{FE0F}").is_err());
        // White space alone, however exotic, shows nothing.
        assert_eq!(
            DisplayName::new("\u{3000}\u{2003} "),
            Err(InvalidId::Invisible {
                what: "display name"
            })
        );
        assert!(DisplayName::new("Ada\u{3000}Lovelace").is_ok());
        // JSON decoding applies the same rule.
        assert!(serde_json::from_str::<DisplayName>("\"bob\\u202e\"").is_err());
    }

    #[test]
    fn the_character_tables_are_sorted_ranges() {
        for table in [&FORMAT_CHARACTERS[..], &BLANK_CHARACTERS[..]] {
            for pair in table.windows(2) {
                assert!(pair[0].1 < pair[1].0, "{pair:?}");
            }
            assert!(table.iter().all(|(low, high)| low <= high));
        }
    }

    #[test]
    fn run_ids_are_hex_in_json() {
        let id = RunId::from_bytes([0xab; 16]);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{}\"", "ab".repeat(16)));
        assert_eq!(serde_json::from_str::<RunId>(&json).unwrap(), id);
        assert!("AB".repeat(16).parse::<RunId>().is_err());
        assert!("ab".parse::<RunId>().is_err());
    }

    #[test]
    fn run_ids_display_as_the_hex_they_parse_from() {
        let id = RunId::from_bytes(std::array::from_fn(|index| (index as u8) * 17));
        assert_eq!(id.to_string(), "00112233445566778899aabbccddeeff");
        assert_eq!(id.to_string().parse::<RunId>().unwrap(), id);
    }

    #[test]
    fn notification_ids_order_and_parse() {
        let a: NotificationId = "1700000000000-0".parse().unwrap();
        let b: NotificationId = "1700000000000-1".parse().unwrap();
        assert!(a < b);
        assert_eq!(a.to_string(), "1700000000000-0");
        assert!("17-".parse::<NotificationId>().is_err());
        assert_eq!(
            serde_json::from_str::<NotificationId>("\"5-7\"").unwrap(),
            NotificationId { ms: 5, seq: 7 }
        );
    }
}
