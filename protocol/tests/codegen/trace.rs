//! The wire schema of every message, traced from the serde implementations themselves.
//!
//! Two traces of the same types are compared:
//! - the compact one (`is_human_readable = false`, bincode's view), traced by deserializing every root and
//!   every enum, so it is complete: every container, every field in order, every variant at its index;
//! - the human-readable one (serde_json's view), traced by serializing a few thousand messages drawn by the
//!   property tests' strategies with a fixed seed, and checked to cover every container and variant of the
//!   compact one.
//!
//! Where the two differ, a value has a text form in JSON: 16 raw bytes that are a hex string (run ids),
//! a pair of u64 that is `"<ms>-<seq>"` (notification ids), a u64 that is a decimal string (seeds). Those
//! are the only differences the codecs know; any other one stops the generator, naming where it is.

use std::collections::BTreeMap;

use game_logic::{Direction, Landing, Shape, SpecialKind};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use protocol::*;
use serde_reflection::{
    ContainerFormat, Format, Named, Registry, Samples, Tracer, TracerConfig, VariantFormat,
};

use crate::strategies;

/// How one value travels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Wire {
    Bool,
    U8,
    U16,
    U32,
    /// A u64 that is a number in JSON too (times in ms).
    U64,
    I64,
    Str,
    /// 16 raw bytes in bincode, 32 lowercase hex digits in JSON.
    RunId,
    /// Two u64 in bincode, `"<ms>-<seq>"` in JSON.
    NotificationId,
    /// A u64 in bincode, a decimal string in JSON.
    U64Text,
    Option(Box<Wire>),
    Seq(Box<Wire>),
    /// A container of the schema.
    Named(String),
}

/// A struct's fields or an enum's variants, in declared order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Container {
    Struct(Vec<(String, Wire)>),
    Enum(Vec<(String, Variant)>),
}

/// One variant of an enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Variant {
    Unit,
    NewType(Wire),
    Struct(Vec<(String, Wire)>),
}

/// The schema: every container reachable from the two frame types, in the order a reader meets them
/// (depth first from `ClientFrame`, then `ServerFrame`).
pub(crate) struct Schema {
    pub(crate) containers: Vec<(String, Container)>,
}

/// Traces both views and merges them into the schema.
pub(crate) fn schema() -> Schema {
    let compact = compact_registry();
    let readable = readable_registry();
    let mut merged = BTreeMap::new();
    for (name, format) in &compact {
        let other = readable.get(name).unwrap_or_else(|| {
            panic!("{name} never appeared in the sampled JSON messages: add it to tests/support/strategies.rs")
        });
        merged.insert(name.clone(), container(name, format, other));
    }
    let mut order = Vec::new();
    for root in ["ClientFrame", "ServerFrame"] {
        visit(root, &merged, &mut order);
    }
    assert_eq!(
        order.len(),
        merged.len(),
        "containers traced but not reachable from the frames"
    );
    Schema {
        containers: order
            .into_iter()
            .map(|name| {
                let container = merged.remove(&name).expect("visited containers exist");
                (name, container)
            })
            .collect(),
    }
}

/// bincode's view, complete: deserialization tracing visits every variant of every enum traced.
fn compact_registry() -> Registry {
    // Validated types need valid defaults: "a" is a valid player id and display name, 1 the only ruleset.
    let config = TracerConfig::default()
        .default_string_value("a".to_owned())
        .default_u16_value(1);
    let mut tracer = Tracer::new(config);
    let samples = Samples::new();
    macro_rules! trace {
        ($($ty:ty),* $(,)?) => {
            $(
                tracer
                    .trace_type::<$ty>(&samples)
                    .unwrap_or_else(|e| panic!("tracing {}: {}", stringify!($ty), e.explanation()));
            )*
        };
    }
    // The roots, then every enum (each must be traced itself for all its variants to be found; a missing
    // one fails below with MissingVariants naming it).
    trace!(ClientFrame, ServerFrame);
    trace!(
        Request,
        Response,
        Push,
        Event,
        ErrorCode,
        StartMode,
        SubmitAck,
        RunEnd,
        SocialChange,
        GoodbyeReason,
        Period,
        Scope,
        BoardWindow,
        Landing,
        Direction,
        Shape,
        SpecialKind,
    );
    tracer
        .registry()
        .unwrap_or_else(|e| panic!("the compact trace is incomplete: {}", e.explanation()))
}

/// serde_json's view, from sampled messages: deterministic (a fixed seed), and checked against the compact
/// view by [`container`], which needs every container and variant of it.
fn readable_registry() -> Registry {
    const SAMPLES: usize = 3_000;
    let mut tracer = Tracer::new(TracerConfig::default().is_human_readable(true));
    let mut samples = Samples::new();
    let mut runner = TestRunner::deterministic();
    let clients = strategies::client_frame();
    let servers = strategies::server_frame();
    for _ in 0..SAMPLES {
        let client = clients
            .new_tree(&mut runner)
            .expect("a client frame")
            .current();
        let server = servers
            .new_tree(&mut runner)
            .expect("a server frame")
            .current();
        tracer
            .trace_value(&mut samples, &client)
            .and_then(|_| tracer.trace_value(&mut samples, &server))
            .unwrap_or_else(|e| panic!("tracing JSON samples: {}", e.explanation()));
    }
    tracer.registry().unwrap_or_else(|e| {
        panic!(
            "{SAMPLES} sampled messages leave a format unknown (see tests/support/strategies.rs): {}",
            e.explanation()
        )
    })
}

fn container(name: &str, compact: &ContainerFormat, readable: &ContainerFormat) -> Container {
    match (compact, readable) {
        (ContainerFormat::Struct(a), ContainerFormat::Struct(b)) => Container::Struct(fields(name, a, b)),
        (ContainerFormat::Enum(a), ContainerFormat::Enum(b)) => Container::Enum(
            a.iter()
                .enumerate()
                .map(|(position, (index, variant))| {
                    assert_eq!(
                        usize::try_from(*index).ok(),
                        Some(position),
                        "{name}: variant indices have a gap"
                    );
                    let other = b.get(index).unwrap_or_else(|| {
                        panic!("{name}::{} never appeared in the sampled JSON messages: add it to tests/support/strategies.rs", variant.name)
                    });
                    assert_eq!(variant.name, other.name, "{name}: variant {index} differs");
                    let path = format!("{name}::{}", variant.name);
                    let shape = match (&variant.value, &other.value) {
                        (VariantFormat::Unit, VariantFormat::Unit) => Variant::Unit,
                        (VariantFormat::NewType(x), VariantFormat::NewType(y)) => {
                            Variant::NewType(wire(&path, x, y))
                        }
                        (VariantFormat::Struct(x), VariantFormat::Struct(y)) => {
                            Variant::Struct(fields(&path, x, y))
                        }
                        (x, y) => panic!("{path}: unsupported variant shape {x:?} / {y:?}"),
                    };
                    (variant.name.clone(), shape)
                })
                .collect(),
        ),
        (a, b) => panic!("{name}: unsupported container {a:?} / {b:?}"),
    }
}

fn fields(
    path: &str,
    compact: &[Named<Format>],
    readable: &[Named<Format>],
) -> Vec<(String, Wire)> {
    assert_eq!(compact.len(), readable.len(), "{path}: field counts differ");
    compact
        .iter()
        .zip(readable)
        .map(|(a, b)| {
            assert_eq!(a.name, b.name, "{path}: fields differ");
            (
                a.name.clone(),
                wire(&format!("{path}.{}", a.name), &a.value, &b.value),
            )
        })
        .collect()
}

/// One value's wire form from its two views.
fn wire(path: &str, compact: &Format, readable: &Format) -> Wire {
    match (compact, readable) {
        (Format::Bool, Format::Bool) => Wire::Bool,
        (Format::U8, Format::U8) => Wire::U8,
        (Format::U16, Format::U16) => Wire::U16,
        (Format::U32, Format::U32) => Wire::U32,
        (Format::U64, Format::U64) => Wire::U64,
        (Format::I64, Format::I64) => Wire::I64,
        (Format::Str, Format::Str) => Wire::Str,
        (Format::U64, Format::Str) => Wire::U64Text,
        (Format::TupleArray { content, size: 16 }, Format::Str) if **content == Format::U8 => {
            Wire::RunId
        }
        // serde-reflection reduces a tuple of equal formats to an array.
        (Format::TupleArray { content, size: 2 }, Format::Str) if **content == Format::U64 => {
            Wire::NotificationId
        }
        (Format::Tuple(pair), Format::Str) if pair[..] == [Format::U64, Format::U64] => {
            Wire::NotificationId
        }
        (Format::Option(a), Format::Option(b)) => Wire::Option(Box::new(wire(path, a, b))),
        (Format::Seq(a), Format::Seq(b)) => Wire::Seq(Box::new(wire(path, a, b))),
        (Format::TypeName(a), Format::TypeName(b)) if a == b => Wire::Named(a.clone()),
        (a, b) => panic!(
            "{path}: bincode {a:?} and JSON {b:?}: a form the TypeScript codecs do not know; teach \
             tests/codegen and protocol/typescript/src/codec/ about it"
        ),
    }
}

fn visit(name: &str, containers: &BTreeMap<String, Container>, order: &mut Vec<String>) {
    if order.iter().any(|seen| seen == name) {
        return;
    }
    order.push(name.to_owned());
    let mut named = Vec::new();
    let collect = |wire: &Wire, named: &mut Vec<String>| {
        let mut wire = wire;
        while let Wire::Option(inner) | Wire::Seq(inner) = wire {
            wire = inner;
        }
        if let Wire::Named(name) = wire {
            named.push(name.clone());
        }
    };
    match &containers[name] {
        Container::Struct(fields) => fields.iter().for_each(|(_, w)| collect(w, &mut named)),
        Container::Enum(variants) => {
            for (_, variant) in variants {
                match variant {
                    Variant::Unit => {}
                    Variant::NewType(w) => collect(w, &mut named),
                    Variant::Struct(fields) => {
                        fields.iter().for_each(|(_, w)| collect(w, &mut named))
                    }
                }
            }
        }
    }
    for child in named {
        visit(&child, containers, order);
    }
}
