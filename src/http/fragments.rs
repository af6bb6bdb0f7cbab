//! Pre-rendered locations: each location's JSON (per language mode) is serialised once per
//! snapshot, with holes where the per-request parts go (distance, the state at the evaluation
//! instant, the next changes, staleness, each service's own state); an answer is those bytes
//! with the holes filled. The bytes are exactly what serialising `views::location` gives (a
//! test compares them for every location and language mode).
//!
//! Templates are made on first use and kept for the snapshot's lifetime, up to
//! `MAX_TEMPLATE_BYTES` in all; past that a location is serialised directly (the same bytes).

use std::cell::{Cell, RefCell};
use std::io;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter};

use super::respond::LangMode;
use super::views::{self, Distance, LocationDynamic};
use crate::directory::{Directory, Location};
use crate::i18n::Lang;

/// How many bytes of templates one snapshot keeps at most.
const MAX_TEMPLATE_BYTES: usize = 48 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hole {
    /// `,"distance_m":…,"distance_approximate":…,"same_postal_area":…` (keys included: absent
    /// without a distance).
    Distance,
    OpenNow,
    StatusNow,
    NextChange,
    NextOpening,
    Stale,
    /// `status_now` of the service at this index.
    ServiceStatus(u32),
}

/// One location's bytes with holes: `bytes[..holes[0].start]`, hole 0, `bytes[holes[0].end..
/// holes[1].start]`, …
#[derive(Debug)]
pub struct Template {
    bytes: Vec<u8>,
    holes: Vec<(usize, usize, Hole)>,
}

const MODES: usize = 4;

fn mode_index(lang: LangMode) -> usize {
    match lang {
        LangMode::One(Lang::Fi) => 0,
        LangMode::One(Lang::Sv) => 1,
        LangMode::One(Lang::En) => 2,
        LangMode::All => 3,
    }
}

/// The templates of one snapshot.
pub struct Fragments {
    version: i64,
    built_at: DateTime<Utc>,
    templates: Vec<[OnceLock<Option<Arc<Template>>>; MODES]>,
    bytes: AtomicUsize,
}

impl Fragments {
    pub fn new(dir: &Directory) -> Fragments {
        Fragments {
            version: dir.version,
            built_at: dir.built_at,
            templates: (0..dir.locations.len()).map(|_| Default::default()).collect(),
            bytes: AtomicUsize::new(0),
        }
    }

    /// Whether these templates belong to `dir`.
    pub fn is_for(&self, dir: &Directory) -> bool {
        self.version == dir.version && self.built_at == dir.built_at && self.templates.len() == dir.locations.len()
    }

    fn template(&self, dir: &Directory, index: usize, lang: LangMode) -> Option<Arc<Template>> {
        self.templates[index][mode_index(lang)]
            .get_or_init(|| {
                if self.bytes.load(Ordering::Relaxed) > MAX_TEMPLATE_BYTES {
                    return None;
                }
                // A location that cannot be templated is serialised directly each time.
                let t = Template::new(dir, &dir.locations[index], lang)?;
                self.bytes.fetch_add(t.bytes.len() + t.holes.len() * 24, Ordering::Relaxed);
                Some(Arc::new(t))
            })
            .clone()
    }

    /// Appends the JSON of location `index` (as `views::location` would serialise it).
    pub fn write_location(
        &self,
        out: &mut Vec<u8>,
        dir: &Directory,
        index: usize,
        lang: LangMode,
        at: DateTime<Utc>,
        distance: Option<Distance>,
    ) {
        let loc = &dir.locations[index];
        match self.template(dir, index, lang) {
            Some(t) => t.fill(out, &views::location_dynamic(loc, lang, at), distance),
            None => {
                let _ = serde_json::to_writer(&mut *out, &views::location(dir, loc, lang, at, distance));
            }
        }
    }
}

/// A writer that counts what it has written (shared with the recording formatter).
struct Counting {
    out: Vec<u8>,
    pos: Rc<Cell<usize>>,
}

impl io::Write for Counting {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.extend_from_slice(buf);
        self.pos.set(self.out.len());
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

enum Frame {
    Object { key: String, key_start: usize, value_start: usize },
    Array { index: u32 },
}

/// serde_json's compact formatter, recording where the values of the per-request fields are.
struct Recorder {
    pos: Rc<Cell<usize>>,
    stack: Vec<Frame>,
    in_key: bool,
    key: String,
    holes: Rc<RefCell<Vec<(usize, usize, Hole)>>>,
    distance_start: Option<usize>,
}

impl Recorder {
    fn new(pos: Rc<Cell<usize>>, holes: Rc<RefCell<Vec<(usize, usize, Hole)>>>) -> Recorder {
        Recorder { pos, stack: Vec::new(), in_key: false, key: String::new(), holes, distance_start: None }
    }

    /// The hole the value just ended is, by where it is.
    fn hole(&self) -> Option<Hole> {
        let Some(Frame::Object { key, .. }) = self.stack.last() else { return None };
        match self.stack.len() {
            1 => match key.as_str() {
                "open_now" => Some(Hole::OpenNow),
                "status_now" => Some(Hole::StatusNow),
                "next_change" => Some(Hole::NextChange),
                "next_opening" => Some(Hole::NextOpening),
                "stale" => Some(Hole::Stale),
                _ => None,
            },
            3 => match (&self.stack[0], &self.stack[1], key.as_str()) {
                (Frame::Object { key: outer, .. }, Frame::Array { index }, "status_now") if outer == "services" => {
                    Some(Hole::ServiceStatus(*index))
                }
                _ => None,
            },
            _ => None,
        }
    }
}

impl Formatter for Recorder {
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.stack.push(Frame::Object { key: String::new(), key_start: 0, value_start: 0 });
        CompactFormatter.begin_object(w)
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.stack.pop();
        CompactFormatter.end_object(w)
    }

    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.stack.push(Frame::Array { index: 0 });
        CompactFormatter.begin_array(w)
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.stack.pop();
        CompactFormatter.end_array(w)
    }

    fn begin_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if let Some(Frame::Array { index }) = self.stack.last_mut() {
            if !first {
                *index += 1;
            }
        }
        CompactFormatter.begin_array_value(w, first)
    }

    fn begin_object_key<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        let start = self.pos.get();
        if let Some(Frame::Object { key_start, .. }) = self.stack.last_mut() {
            *key_start = start;
        }
        self.in_key = true;
        self.key.clear();
        CompactFormatter.begin_object_key(w, first)
    }

    fn end_object_key<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.in_key = false;
        let k = std::mem::take(&mut self.key);
        if let Some(Frame::Object { key, .. }) = self.stack.last_mut() {
            *key = k;
        }
        CompactFormatter.end_object_key(w)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        CompactFormatter.begin_object_value(w)?;
        let start = self.pos.get();
        if let Some(Frame::Object { value_start, .. }) = self.stack.last_mut() {
            *value_start = start;
        }
        Ok(())
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        CompactFormatter.end_object_value(w)?;
        let end = self.pos.get();
        if let Some(Frame::Object { key, key_start, value_start }) = self.stack.last() {
            if self.stack.len() == 1 {
                match key.as_str() {
                    "distance_m" => self.distance_start = Some(*key_start),
                    // `distance_m` comes first (the byte-identity test holds the order).
                    "same_postal_area" => {
                        if let Some(start) = self.distance_start.take() {
                            self.holes.borrow_mut().push((start, end, Hole::Distance));
                        }
                    }
                    _ => {}
                }
            }
            if let Some(h) = self.hole() {
                self.holes.borrow_mut().push((*value_start, end, h));
            }
        }
        Ok(())
    }

    fn write_string_fragment<W: ?Sized + io::Write>(&mut self, w: &mut W, fragment: &str) -> io::Result<()> {
        if self.in_key {
            self.key.push_str(fragment);
        }
        CompactFormatter.write_string_fragment(w, fragment)
    }
}

impl Template {
    /// Serialises the location with every optional per-request part present, recording where
    /// they are.
    fn new(dir: &Directory, loc: &Location, lang: LangMode) -> Option<Template> {
        let at = Utc::now();
        let full = Distance { metres: 0.0, approximate: false, same_postal_area: Some(false) };
        let value = views::location(dir, loc, lang, at, Some(full));
        let pos = Rc::new(Cell::new(0));
        let holes = Rc::new(RefCell::new(Vec::new()));
        let mut writer = Counting { out: Vec::with_capacity(4096), pos: pos.clone() };
        {
            let mut ser = serde_json::Serializer::with_formatter(&mut writer, Recorder::new(pos, holes.clone()));
            value.serialize(&mut ser).ok()?;
        }
        let mut holes = holes.take();
        holes.sort_by_key(|h| h.0);
        // A service without its own hours has `status_now: null` whatever the instant.
        holes.retain(|h| match h.2 {
            Hole::ServiceStatus(i) => loc.services[i as usize].hours.is_some(),
            _ => true,
        });
        Some(Template { bytes: writer.out, holes })
    }

    fn fill(&self, out: &mut Vec<u8>, dynamic: &LocationDynamic, distance: Option<Distance>) {
        let mut from = 0;
        for &(start, end, hole) in &self.holes {
            out.extend_from_slice(&self.bytes[from..start]);
            from = end;
            let _ = match hole {
                Hole::Distance => {
                    if let Some(d) = distance {
                        out.extend_from_slice(b",\"distance_m\":");
                        let _ = serde_json::to_writer(&mut *out, &((d.metres * 10.0).round() / 10.0));
                        out.extend_from_slice(b",\"distance_approximate\":");
                        let _ = serde_json::to_writer(&mut *out, &d.approximate);
                        if let Some(same) = d.same_postal_area {
                            out.extend_from_slice(b",\"same_postal_area\":");
                            let _ = serde_json::to_writer(&mut *out, &same);
                        }
                    }
                    Ok(())
                }
                Hole::OpenNow => serde_json::to_writer(&mut *out, &dynamic.open_now),
                Hole::StatusNow => serde_json::to_writer(&mut *out, &dynamic.status_now),
                Hole::NextChange => serde_json::to_writer(&mut *out, &dynamic.next_change),
                Hole::NextOpening => serde_json::to_writer(&mut *out, &dynamic.next_opening),
                Hole::Stale => serde_json::to_writer(&mut *out, &dynamic.stale),
                Hole::ServiceStatus(i) => serde_json::to_writer(&mut *out, &dynamic.services[i as usize]),
            };
        }
        out.extend_from_slice(&self.bytes[from..]);
    }
}

/// Serialises a list of locations as a JSON array into `out`.
pub fn write_locations(
    out: &mut Vec<u8>,
    fragments: &Fragments,
    dir: &Directory,
    items: impl IntoIterator<Item = (usize, Option<Distance>)>,
    lang: LangMode,
    at: DateTime<Utc>,
) {
    out.push(b'[');
    for (n, (index, distance)) in items.into_iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        fragments.write_location(out, dir, index, lang, at, distance);
    }
    out.push(b']');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorder_writes_what_serde_json_writes() {
        let value = serde_json::json!({"a": [1, {"status_now": {"x": "y\u{1}"}}], "open_now": true, "b": null});
        let pos = Rc::new(Cell::new(0));
        let holes = Rc::new(RefCell::new(Vec::new()));
        let mut writer = Counting { out: Vec::new(), pos: pos.clone() };
        value
            .serialize(&mut serde_json::Serializer::with_formatter(&mut writer, Recorder::new(pos, holes.clone())))
            .unwrap();
        assert_eq!(writer.out, serde_json::to_vec(&value).unwrap());
        let holes = holes.take();
        assert_eq!(holes.len(), 1, "only the top-level open_now: {holes:?}");
        let (s, e, h) = holes[0];
        assert_eq!((&writer.out[s..e], h), (&b"true"[..], Hole::OpenNow));
    }
}
