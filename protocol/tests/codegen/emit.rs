//! Writes the schema as TypeScript: a type per container (the JSON shape, which is also what the bincode
//! codec produces and consumes) and `SCHEMA`, the table of fields and variants in order that drives both
//! codecs.

use std::fmt::Write;

use super::docs::Docs;
use super::trace::{Container, Schema, Variant, Wire};

/// Longest line of the generated table before it is broken up.
const MAX_LINE: usize = 118;

/// The command that regenerates the file, printed in its header and by a failing staleness check.
pub(crate) const REGENERATE: &str = "BLESS=1 cargo test -p protocol --test typescript_messages";

/// The whole `messages.ts`.
pub(crate) fn typescript(schema: &Schema, docs: &Docs) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "// GENERATED from the Rust `protocol` crate by protocol/tests/typescript_messages.rs: do not edit.\n\
         // After a change to the messages, regenerate with `{REGENERATE}`.\n\n"
    ));
    out.push_str(HEADER);
    for (name, container) in &schema.containers {
        out.push('\n');
        match container {
            Container::Struct(fields) => emit_struct(&mut out, name, fields, docs),
            Container::Enum(variants) => emit_enum(&mut out, name, variants, docs),
        }
    }
    out.push_str(
        "\n/** Every message type by its schema name: the codecs' typed entry points take one of these names. */\n\
         export interface Messages {\n",
    );
    for (name, _) in &schema.containers {
        let _ = writeln!(out, "  {name}: {name};");
    }
    out.push_str("}\n");
    out.push_str(
        "\n/**\n * Every container's fields and variants, in declared order: bincode writes fields in this order and \
         variants\n * by their index here, JSON names them, so both codecs are driven by this one table.\n */\n\
         export const SCHEMA: Schema = {\n",
    );
    for (name, container) in &schema.containers {
        match container {
            Container::Struct(fields) => {
                let line = format!("  {name}: {{ struct: {} }},", fields_literal(fields));
                if line.len() <= MAX_LINE {
                    let _ = writeln!(out, "{line}");
                } else {
                    let _ = writeln!(out, "  {name}: {{\n    struct: [");
                    for (field, wire) in fields {
                        let _ = writeln!(out, "      [\"{field}\", {}],", literal(wire));
                    }
                    out.push_str("    ],\n  },\n");
                }
            }
            Container::Enum(variants) => {
                let _ = writeln!(out, "  {name}: {{\n    enum: [");
                for (variant, shape) in variants {
                    emit_variant_entry(&mut out, variant, shape);
                }
                out.push_str("    ],\n  },\n");
            }
        }
    }
    out.push_str("};\n");
    out
}

const HEADER: &str = "/**
 * Every message of the Leapfrog wire protocol (`protocol/PROTOCOL.md`), as TypeScript types and as the table
 * that drives the codecs. Types are the JSON shape of the messages: structs are objects with the Rust field
 * names, enums are externally tagged (a unit variant is its name, `\"solo\"`; any other is an object with one
 * key, `{ challenge: { seed: \"42\" } }`), an absent `Option` is `null`. The bincode codec reads and writes the
 * same shapes, so code never depends on the codec.
 *
 * @module
 */

import type { Schema } from \"../codec/schema.js\";

/**
 * A run id: 16 random bytes drawn by the server, as 32 lowercase hex digits (16 raw bytes in bincode). It is
 * also the resume token of an interrupted run, which only its own player can use.
 */
export type RunId = string;

/**
 * A challenge id: 16 random bytes the server draws when a run's course is shared, written like a run id.
 * It is what a share link carries; a challenge run is started with it, never with a seed.
 */
export type ChallengeId = string;

/**
 * A notification id, `\"<ms>-<seq>\"` (two u64 in bincode): the id of the entry in the player's inbox. Ids grow
 * with time, so acknowledging everything up to one id is a single comparison.
 */
export type NotificationId = string;

/**
 * A u64 as a decimal string (a plain u64 in bincode): seeds use the whole 64 bits, which a JavaScript number
 * cannot hold exactly.
 */
export type U64String = string;
";

fn emit_struct(out: &mut String, name: &str, fields: &[(String, Wire)], docs: &Docs) {
    doc(out, "", docs.get(name));
    let _ = writeln!(out, "export interface {name} {{");
    for (field, wire) in fields {
        doc(out, "  ", docs.get(&format!("{name}.{field}")));
        let _ = writeln!(out, "  readonly {field}: {};", field_ts(field, wire));
    }
    out.push_str("}\n");
}

fn emit_enum(out: &mut String, name: &str, variants: &[(String, Variant)], docs: &Docs) {
    doc(out, "", docs.get(name));
    let _ = writeln!(out, "export type {name} =");
    for (variant, shape) in variants {
        let key = format!("{name}::{variant}");
        doc(out, "  ", docs.get(&key));
        match shape {
            Variant::Unit => {
                let _ = writeln!(out, "  | \"{variant}\"");
            }
            Variant::NewType(wire) => {
                let _ = writeln!(out, "  | {{ readonly {variant}: {} }}", ts(wire));
            }
            Variant::Struct(fields) => {
                let _ = writeln!(out, "  | {{\n      readonly {variant}: {{");
                for (field, wire) in fields {
                    doc(out, "        ", docs.get(&format!("{key}.{field}")));
                    let _ = writeln!(out, "        readonly {field}: {};", field_ts(field, wire));
                }
                out.push_str("      };\n    }\n");
            }
        }
    }
    // The union ends with the last member; close the statement.
    if out.ends_with('\n') {
        out.pop();
    }
    out.push_str(";\n");
}

/// One `[name, shape]` entry of an enum in `SCHEMA`, broken over lines when a struct variant is long.
fn emit_variant_entry(out: &mut String, variant: &str, shape: &Variant) {
    let literal_shape = match shape {
        Variant::Unit => "null".to_owned(),
        Variant::NewType(wire) => literal(wire),
        Variant::Struct(fields) => format!("{{ fields: {} }}", fields_literal(fields)),
    };
    let line = format!("      [\"{variant}\", {literal_shape}],");
    match shape {
        Variant::Struct(fields) if line.len() > MAX_LINE => {
            let _ = writeln!(
                out,
                "      [\n        \"{variant}\",\n        {{\n          fields: ["
            );
            for (field, wire) in fields {
                let _ = writeln!(out, "            [\"{field}\", {}],", literal(wire));
            }
            out.push_str("          ],\n        },\n      ],\n");
        }
        _ => {
            let _ = writeln!(out, "{line}");
        }
    }
}

/// The TypeScript type of field `field`: a 16-byte id named `challenge` is a challenge id, optional or not
/// (the wire forms of run and challenge ids are the same, so only the name tells them apart).
fn field_ts(field: &str, wire: &Wire) -> String {
    match wire {
        Wire::RunId if field == "challenge" => "ChallengeId".into(),
        Wire::Option(inner) if field == "challenge" && **inner == Wire::RunId => {
            "ChallengeId | null".into()
        }
        _ => ts(wire),
    }
}

/// The TypeScript type of a value.
fn ts(wire: &Wire) -> String {
    match wire {
        Wire::Bool => "boolean".into(),
        Wire::U8 | Wire::U16 | Wire::U32 | Wire::U64 | Wire::I64 => "number".into(),
        Wire::Str => "string".into(),
        Wire::RunId => "RunId".into(),
        Wire::NotificationId => "NotificationId".into(),
        Wire::U64Text => "U64String".into(),
        Wire::Option(inner) => format!("{} | null", ts(inner)),
        Wire::Seq(inner) => match **inner {
            Wire::Option(_) => format!("readonly ({})[]", ts(inner)),
            _ => format!("readonly {}[]", ts(inner)),
        },
        Wire::Named(name) => name.clone(),
    }
}

/// The `SCHEMA` literal of a value's format.
fn literal(wire: &Wire) -> String {
    match wire {
        Wire::Bool => "\"bool\"".into(),
        Wire::U8 => "\"u8\"".into(),
        Wire::U16 => "\"u16\"".into(),
        Wire::U32 => "\"u32\"".into(),
        Wire::U64 => "\"u64\"".into(),
        Wire::I64 => "\"i64\"".into(),
        Wire::Str => "\"str\"".into(),
        Wire::RunId => "\"run_id\"".into(),
        Wire::NotificationId => "\"notification_id\"".into(),
        Wire::U64Text => "\"u64_text\"".into(),
        Wire::Option(inner) => format!("[\"option\", {}]", literal(inner)),
        Wire::Seq(inner) => format!("[\"seq\", {}]", literal(inner)),
        Wire::Named(name) => format!("\"{name}\""),
    }
}

fn fields_literal(fields: &[(String, Wire)]) -> String {
    let list: Vec<String> = fields
        .iter()
        .map(|(name, wire)| format!("[\"{name}\", {}]", literal(wire)))
        .collect();
    format!("[{}]", list.join(", "))
}

/// A TSDoc comment from a Rust doc comment: intra-doc links become code spans, `*/` cannot end it early.
fn doc(out: &mut String, indent: &str, text: &str) {
    // Rust's `None` is the wire's `null`.
    let text = strip_links(text)
        .replace("`None`", "`null`")
        .replace("*/", "*\\/");
    let lines: Vec<&str> = text.lines().collect();
    if let [line] = lines[..] {
        let _ = writeln!(out, "{indent}/** {line} */");
        return;
    }
    let _ = writeln!(out, "{indent}/**");
    for line in lines {
        if line.is_empty() {
            let _ = writeln!(out, "{indent} *");
        } else {
            let _ = writeln!(out, "{indent} * {line}");
        }
    }
    let _ = writeln!(out, "{indent} */");
}

/// ``[`Foo`]`` and ``[`Foo`](path)`` → `` `Foo` ``: Rust paths mean nothing in TypeScript.
fn strip_links(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("[`") {
        let Some(end) = rest[start..].find("`]").map(|end| start + end) else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push_str(&rest[start + 1..end + 1]);
        rest = &rest[end + 2..];
        if rest.starts_with('(')
            && let Some(close) = rest.find(')')
        {
            rest = &rest[close + 1..];
        }
    }
    out.push_str(rest);
    out
}
