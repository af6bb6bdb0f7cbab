//! The top-level modules of `src/` form layers: a module may use only modules of its own layer
//! or of lower ones, and no two modules use each other, directly or round a cycle.
//!
//! References are read from the source text, so this needs neither a build of the crate nor a
//! database: `crate::<module>` in code, attributes and `use` trees (`use crate::{a, b::c}`),
//! `"crate::<module>::..."` strings (serde's `with = "..."`), `super::` chains that climb out
//! of a top-level module, and `digituki::<module>` in `src/main.rs`. Comments and other string
//! literals are ignored.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every top-level module of `src/` and its layer, lowest first. A new module must be placed
/// here (the test fails until it is).
const LAYERS: &[(&str, u8)] = &[
    // 1. Domain: rules and types with no storage or HTTP.
    ("i18n", 1),
    ("geo", 1),
    ("hours", 1),
    ("events", 1),
    ("domain", 1),
    // 2. Data: the database (schema, rows, the one write path), the read model and what is
    //    derived from it.
    ("db", 2),
    ("directory", 2),
    ("hsds", 2),
    ("export", 2),
    ("geocode", 2),
    // 3. Validation of what partners and importers write, and the importers.
    ("error", 3),
    ("edit", 3),
    ("import", 3),
    // 4. HTTP helpers shared by the JSON API and the pages.
    ("http", 4),
    ("auth", 4),
    ("head_guard", 4),
    // 5. Surfaces.
    ("api", 5),
    ("embed", 5),
    ("editor", 5),
    ("openapi", 5),
    // 6. Composition.
    ("routes", 6),
    ("startup", 6),
    ("config", 6),
    ("seed", 6),
    ("main", 6),
];

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Punct(char),
    /// `::`
    PathSep,
    Str(String),
}

/// Tokens with their line numbers; comments dropped, string literals kept as one token.
fn lex(src: &str) -> Vec<(Tok, usize)> {
    let c: Vec<char> = src.chars().collect();
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    line += usize::from(c[i] == '\n');
                    i += 1;
                }
            }
        } else if let Some((body_start, hashes)) = raw_string_start(&c, i) {
            // r"..", r#".."#, br".."
            let mut j = body_start;
            let body_end = loop {
                if j >= c.len() {
                    break c.len();
                }
                if c[j] == '"' && (0..hashes).all(|h| at(j + 1 + h) == '#') {
                    break j;
                }
                j += 1;
            };
            let body: String = c[body_start..body_end].iter().collect();
            out.push((Tok::Str(body.clone()), line));
            line += body.matches('\n').count();
            i = body_end + 1 + hashes;
        } else if ch == '"' || (ch == 'b' && at(i + 1) == '"' && !ident_char(prev(&c, i))) {
            let start = if ch == '"' { i + 1 } else { i + 2 };
            let mut j = start;
            while j < c.len() && c[j] != '"' {
                j += if c[j] == '\\' { 2 } else { 1 };
            }
            let body: String = c[start..j.min(c.len())].iter().collect();
            out.push((Tok::Str(body.clone()), line));
            line += body.matches('\n').count();
            i = j + 1;
        } else if ch == '\'' {
            // A char literal ('a', '\n', '\u{1F600}', b'x' is caught as ident + this) or a lifetime.
            if at(i + 1) == '\\' {
                let mut j = i + 2;
                while j < c.len() && c[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1; // a lifetime: its name is lexed as an identifier
            }
        } else if ident_char(ch) && !ch.is_ascii_digit() {
            let start = i;
            if ch == 'r' && at(i + 1) == '#' && ident_char(at(i + 2)) {
                i += 2; // raw identifier
            }
            while i < c.len() && ident_char(c[i]) {
                i += 1;
            }
            let word: String = c[start..i].iter().collect();
            out.push((Tok::Ident(word.trim_start_matches("r#").to_owned()), line));
        } else if ch.is_ascii_digit() {
            while i < c.len() && (ident_char(c[i]) || (c[i] == '.' && at(i + 1).is_ascii_digit())) {
                i += 1;
            }
        } else if ch == ':' && at(i + 1) == ':' {
            out.push((Tok::PathSep, line));
            i += 2;
        } else {
            out.push((Tok::Punct(ch), line));
            i += 1;
        }
    }
    out
}

fn ident_char(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_'
}

fn prev(c: &[char], i: usize) -> char {
    if i == 0 {
        '\0'
    } else {
        c[i - 1]
    }
}

/// At `r"`, `r#"`, `br"` or `br#"` (not inside an identifier): where the body starts and how
/// many `#` close it.
fn raw_string_start(c: &[char], i: usize) -> Option<(usize, usize)> {
    if ident_char(prev(c, i)) {
        return None;
    }
    let mut j = i;
    if c.get(j) == Some(&'b') {
        j += 1;
    }
    if c.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let mut hashes = 0;
    while c.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    (c.get(j) == Some(&'"')).then_some((j + 1, hashes))
}

/// One reference from a file to a top-level module.
#[derive(Debug)]
struct Ref {
    to: String,
    line: usize,
}

fn ident_at(toks: &[(Tok, usize)], k: usize) -> Option<&str> {
    match toks.get(k) {
        Some((Tok::Ident(s), _)) => Some(s.as_str()),
        _ => None,
    }
}

fn is_at(toks: &[(Tok, usize)], k: usize, t: &Tok) -> bool {
    toks.get(k).map(|(x, _)| x) == Some(t)
}

/// The heads of a use group `{a, b::c, d::{e}}` whose `{` is `toks[k]`: `a`, `b` and `d`.
fn group_heads(toks: &[(Tok, usize)], k: usize, refs: &mut Vec<Ref>) {
    let (mut level, mut head) = (0, true);
    for (t, line) in &toks[k..] {
        match t {
            Tok::Punct('{') => level += 1,
            Tok::Punct('}') => {
                level -= 1;
                if level == 0 {
                    break;
                }
            }
            Tok::Punct(',') if level == 1 => head = true,
            Tok::Ident(s) if head && level == 1 => {
                if s != "self" {
                    refs.push(Ref { to: s.clone(), line: *line });
                }
                head = false;
            }
            _ if level == 1 => head = false,
            _ => {}
        }
    }
}

/// The top-level modules a file refers to. `depth` is the file's module depth (`src/a.rs` and
/// `src/a/mod.rs`: 1, `src/a/b.rs`: 2); `root` is `crate`, or `digituki` for `src/main.rs`.
fn references(toks: &[(Tok, usize)], depth: usize, root: &str) -> Vec<Ref> {
    let mut refs = Vec::new();
    let mut frames: Vec<usize> = Vec::new(); // brace levels of inline `mod x { .. }`
    let (mut level, mut pending_mod) = (0usize, false);
    for (k, (tok, line)) in toks.iter().enumerate() {
        let after_sep = k > 0 && is_at(toks, k - 1, &Tok::PathSep);
        match tok {
            Tok::Ident(s) if s == "mod" && ident_at(toks, k + 1).is_some() && is_at(toks, k + 2, &Tok::Punct('{')) => {
                pending_mod = true
            }
            Tok::Punct('{') => {
                level += 1;
                if pending_mod {
                    frames.push(level);
                    pending_mod = false;
                }
            }
            Tok::Punct('}') => {
                if frames.last() == Some(&level) {
                    frames.pop();
                }
                level = level.saturating_sub(1);
            }
            Tok::Ident(s) if (s == root || s == "crate") && !after_sep && is_at(toks, k + 1, &Tok::PathSep) => {
                if let Some(name) = ident_at(toks, k + 2) {
                    refs.push(Ref { to: name.to_owned(), line: *line });
                } else if is_at(toks, k + 2, &Tok::Punct('{')) {
                    group_heads(toks, k + 2, &mut refs);
                }
            }
            Tok::Ident(s) if s == "super" && !after_sep => {
                // `super::super::x` climbs to the crate root when it has as many `super`s as
                // the module (file plus inline `mod`s) is deep.
                let mut n = 0;
                while ident_at(toks, k + 2 * n) == Some("super") && is_at(toks, k + 2 * n + 1, &Tok::PathSep) {
                    n += 1;
                }
                if n > 0 && n == depth + frames.len() {
                    let next = k + 2 * n;
                    if let Some(name) = ident_at(toks, next) {
                        refs.push(Ref { to: name.to_owned(), line: *line });
                    } else if is_at(toks, next, &Tok::Punct('{')) {
                        group_heads(toks, next, &mut refs);
                    }
                }
            }
            Tok::Str(s) => {
                if let Some(rest) = s.trim().strip_prefix("crate::") {
                    let name: String = rest.chars().take_while(|&ch| ident_char(ch)).collect();
                    refs.push(Ref { to: name, line: *line });
                }
            }
            _ => {}
        }
    }
    refs
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn top_level_modules_form_layers_without_cycles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let layer: BTreeMap<&str, u8> = LAYERS.iter().copied().collect();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();

    let mut problems = Vec::new();
    // from -> to -> every place it is used
    let mut edges: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    let mut modules = BTreeSet::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
        let top = parts[0].trim_end_matches(".rs").to_owned();
        if top == "lib" {
            continue;
        }
        modules.insert(top.clone());
        let depth = parts.len() - usize::from(parts.last().unwrap() == "mod.rs");
        let root = if top == "main" { "digituki" } else { "crate" };
        let text = std::fs::read_to_string(file).unwrap();
        for r in references(&lex(&text), depth, root) {
            if r.to == top {
                continue;
            }
            let place = format!("src/{}:{}", rel.display(), r.line);
            edges.entry(top.clone()).or_default().entry(r.to).or_default().push(place);
        }
    }
    let where_ = |places: &Vec<String>| match places.len() {
        1 => places[0].clone(),
        n => format!("{} (and {} more)", places[0], n - 1),
    };
    for m in &modules {
        if !layer.contains_key(m.as_str()) {
            problems.push(format!("src/{m}: a top-level module missing from LAYERS (tests/api/layering.rs)"));
        }
    }
    for (from, tos) in &edges {
        for (to, places) in tos {
            let place = where_(places);
            if !modules.contains(to) {
                continue; // `crate::SomeItem` of lib.rs, or an external path
            }
            if let (Some(&f), Some(&t)) = (layer.get(from.as_str()), layer.get(to.as_str())) {
                if t > f {
                    problems.push(format!("{place}: `{from}` (layer {f}) uses `{to}` (layer {t}), a higher layer"));
                }
            }
        }
    }
    // Cycles within one layer (a cycle through another layer already shows as an upward use).
    let reaches = |from: &str, goal: &str| {
        let same_layer = |m: &&String| layer.get(m.as_str()) == layer.get(goal);
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_owned()];
        while let Some(m) = stack.pop() {
            if m == goal {
                return true;
            }
            if seen.insert(m.clone()) {
                stack.extend(edges.get(&m).into_iter().flat_map(|t| t.keys().filter(|n| same_layer(n)).cloned()));
            }
        }
        false
    };
    for (from, tos) in &edges {
        for (to, places) in tos {
            let place = where_(places);
            if modules.contains(to) && layer.get(from.as_str()) == layer.get(to.as_str()) && reaches(to, from) {
                problems.push(format!("{place}: `{from}` uses `{to}`, which leads back to `{from}` (a cycle)"));
            }
        }
    }
    assert!(problems.is_empty(), "the module layers are broken:\n{}", problems.join("\n"));
}
