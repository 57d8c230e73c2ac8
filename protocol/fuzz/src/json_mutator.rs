//! A structure-aware mutator for the `json` target. Three times in four, an input that parses as JSON
//! has one of its values edited as a value: a number or string swapped for a boundary one, a key renamed
//! or dropped, a subtree copied from elsewhere, a list grown past its cap, a variant wrapped or replaced
//! by another name of the protocol (`seeds/json.dict`, written with the seeds). The rest of the time, and
//! for input that is not JSON, libFuzzer's own byte mutations run.

use std::sync::LazyLock;

use serde_json::{Map, Value};

/// The protocol's field, variant and code names, from the seeds.
static NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
    include_str!("../seeds/json.dict")
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
});

/// Numbers at the edges of the protocol's integer types, as JSON (past `u64`, serde_json reads a float).
const NUMBERS: [&str; 15] = [
    "0",
    "1",
    "-1",
    "255",
    "256",
    "65535",
    "65536",
    "4294967295",
    "4294967296",
    "9007199254740993",
    "9223372036854775807",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "0.5",
];

/// Strings at the edges of the protocol's string types (ids, names, u64s and run ids as strings).
const STRINGS: [&str; 12] = [
    "",
    " ",
    "0",
    "-1",
    "18446744073709551615",
    "18446744073709551616",
    "5eed000102030405060708090a0b0c0d",
    "5EED000102030405060708090A0B0C0D",
    "1764000000000-0",
    "\u{202e}name",
    "é跳😀",
    "\u{0}",
];

/// libFuzzer's custom mutator: mutates `data[..size]` in place into at most `max_size` bytes and returns
/// the new size.
pub fn mutate(data: &mut [u8], size: usize, max_size: usize, seed: u32) -> usize {
    let mut rng = Rng(u64::from(seed) | 1 << 40);
    if rng.below(4) != 0 {
        if let Ok(mut value) = serde_json::from_slice::<Value>(&data[..size]) {
            let pool = subtrees(&value);
            let target = rng.below(pool.len());
            if let Some(node) = nth_mut(&mut value, &mut { target }) {
                edit(node, &pool, &mut rng);
            }
            if let Ok(text) = serde_json::to_vec(&value) {
                if text.len() <= max_size {
                    data[..text.len()].copy_from_slice(&text);
                    return text.len();
                }
            }
        }
    }
    libfuzzer_sys::fuzzer_mutate(data, size, max_size)
}

/// One edit of `node`.
fn edit(node: &mut Value, pool: &[Value], rng: &mut Rng) {
    match rng.below(10) {
        0 => *node = serde_json::from_str(pick(&NUMBERS, rng)).unwrap_or_default(),
        1 => *node = Value::from(*pick(&STRINGS, rng)),
        2 => *node = pick(pool, rng).clone(),
        3 => *node = Value::from(pick(&NAMES, rng).as_str()),
        4 => {
            let empty = [Value::Null, true.into(), Value::Array(vec![]), Map::new().into()];
            *node = pick(&empty, rng).clone();
        }
        5 => {
            // An externally tagged variant around the value, or a list of it.
            let inner = node.take();
            *node = match rng.below(2) {
                0 => Value::Object(Map::from_iter([(pick(&NAMES, rng).clone(), inner)])),
                _ => Value::Array(vec![inner]),
            };
        }
        6 => match node {
            Value::Number(number) => {
                if let Some(n) = number.as_i64() {
                    *node = Value::from(n.wrapping_add(if rng.below(2) == 0 { 1 } else { -1 }));
                } else if let Some(n) = number.as_u64() {
                    *node = Value::from(n.wrapping_sub(1));
                }
            }
            Value::String(text) => {
                let repeat = 1 + rng.below(300);
                *text = text.repeat(repeat).chars().take(5000).collect();
            }
            _ => {}
        },
        7 => {
            if let Value::Array(items) = node {
                // Past the caps: grow to a few hundred elements, or empty it.
                match (items.first().cloned(), rng.below(3)) {
                    (Some(first), 0 | 1) => {
                        let len = 1 + rng.below(600);
                        items.resize(len, first);
                    }
                    _ => items.clear(),
                }
            }
        }
        8 => {
            if let Value::Object(object) = node {
                let keys: Vec<String> = object.keys().cloned().collect();
                if !keys.is_empty() {
                    let key = pick(&keys, rng);
                    let item = object.remove(key).unwrap_or_default();
                    // Dropped, or renamed to another name of the protocol.
                    if rng.below(2) == 0 {
                        object.insert(pick(&NAMES, rng).clone(), item);
                    }
                }
            }
        }
        _ => {
            if let Value::Object(object) = node {
                object.insert(pick(&NAMES, rng).clone(), pick(pool, rng).clone());
            }
        }
    }
}

/// Every subtree of `value`, the root first.
fn subtrees(value: &Value) -> Vec<Value> {
    let mut all = vec![value.clone()];
    match value {
        Value::Array(items) => items.iter().for_each(|item| all.extend(subtrees(item))),
        Value::Object(object) => object.values().for_each(|item| all.extend(subtrees(item))),
        _ => {}
    }
    all
}

/// The `n`th subtree of `value` in the order of [`subtrees`].
fn nth_mut<'a>(value: &'a mut Value, n: &mut usize) -> Option<&'a mut Value> {
    if *n == 0 {
        return Some(value);
    }
    *n -= 1;
    let children: Vec<&'a mut Value> = match value {
        Value::Array(items) => items.iter_mut().collect(),
        Value::Object(object) => object.values_mut().collect(),
        _ => Vec::new(),
    };
    for child in children {
        if let Some(found) = nth_mut(child, n) {
            return Some(found);
        }
    }
    None
}

fn pick<'a, T>(items: &'a [T], rng: &mut Rng) -> &'a T {
    &items[rng.below(items.len())]
}

/// xorshift64: libFuzzer's seed makes each mutation reproducible.
struct Rng(u64);

impl Rng {
    fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound as u64) as usize
    }
}
