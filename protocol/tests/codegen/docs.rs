//! The doc comments of the message types, read from the Rust sources, so the generated TypeScript carries
//! the same documentation as the Rust it comes from.

use std::collections::HashMap;
use std::path::Path;

use syn::{Attribute, Expr, Fields, Item, Lit, Meta};

/// Doc comments by key: `Type`, `Type.field`, `Type::variant` (its serde name), `Type::variant.field`.
pub(crate) struct Docs(HashMap<String, String>);

impl Docs {
    /// Reads every `.rs` file under `roots`.
    pub(crate) fn read(roots: &[&Path]) -> Docs {
        let mut docs = HashMap::new();
        for root in roots {
            read_dir(root, &mut docs);
        }
        Docs(docs)
    }

    /// The doc comment of `key`; every exported TypeScript item is documented, so a missing one stops
    /// the generator.
    pub(crate) fn get(&self, key: &str) -> &str {
        self.0.get(key).map(String::as_str).unwrap_or_else(|| {
            panic!("{key} has no doc comment in the Rust sources: document it there")
        })
    }
}

fn read_dir(dir: &Path, docs: &mut HashMap<String, String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            read_dir(&path, docs);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            read_items(&file.items, docs);
        }
    }
}

fn read_items(items: &[Item], docs: &mut HashMap<String, String>) {
    for item in items {
        match item {
            Item::Struct(item) => {
                let name = item.ident.to_string();
                insert(docs, name.clone(), &item.attrs);
                read_fields(&name, &item.fields, docs);
            }
            Item::Enum(item) => {
                let name = item.ident.to_string();
                insert(docs, name.clone(), &item.attrs);
                for variant in &item.variants {
                    let path = format!("{name}::{}", snake_case(&variant.ident.to_string()));
                    insert(docs, path.clone(), &variant.attrs);
                    read_fields(&path, &variant.fields, docs);
                }
            }
            Item::Mod(item) => {
                if let Some((_, items)) = &item.content {
                    read_items(items, docs);
                }
            }
            _ => {}
        }
    }
}

fn read_fields(path: &str, fields: &Fields, docs: &mut HashMap<String, String>) {
    if let Fields::Named(named) = fields {
        for field in &named.named {
            if let Some(ident) = &field.ident {
                insert(docs, format!("{path}.{ident}"), &field.attrs);
            }
        }
    }
}

fn insert(docs: &mut HashMap<String, String>, key: String, attrs: &[Attribute]) {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            Meta::NameValue(pair) => match &pair.value {
                Expr::Lit(lit) => match &lit.lit {
                    Lit::Str(text) => Some(text.value()),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        })
        .map(|line| line.strip_prefix(' ').unwrap_or(&line).to_owned())
        .collect();
    if !lines.is_empty() {
        docs.entry(key).or_insert_with(|| lines.join("\n"));
    }
}

/// `TippedForward` → `tipped_forward`, as `#[serde(rename_all = "snake_case")]` names variants.
fn snake_case(ident: &str) -> String {
    let mut out = String::new();
    for (i, c) in ident.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
