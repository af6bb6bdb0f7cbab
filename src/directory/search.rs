//! Text search that copes with Finnish inflection well enough for a directory: words are
//! reduced with the Snowball Finnish stemmer, and a query word matches when its stem occurs
//! inside a stem of the text, so that "kirjastossa" and "kirjasto" both find
//! "Joensuun pääkirjasto" (compounds put the searched word at the end).

use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};

static FINNISH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::Finnish));

/// Stems shorter than this are too unspecific to search by; the word itself is used instead.
const MIN_STEM: usize = 3;

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| w.to_lowercase())
}

fn stem(word: &str) -> String {
    let s = FINNISH.stem(word);
    if s.chars().count() >= MIN_STEM {
        s.into_owned()
    } else {
        word.to_owned()
    }
}

/// The searchable form of a record's texts, computed once per snapshot.
#[derive(Debug, Clone, Default)]
pub struct SearchText {
    /// Lower-case words, space separated.
    words: String,
    /// Their stems, space separated.
    stems: String,
}

impl SearchText {
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut words_out = Vec::new();
        let mut stems_out = Vec::new();
        for text in texts {
            for w in words(text) {
                stems_out.push(stem(&w));
                words_out.push(w);
            }
        }
        SearchText { words: words_out.join(" "), stems: stems_out.join(" ") }
    }
}

/// A parsed `q` parameter: every word must match.
#[derive(Debug, Clone)]
pub struct SearchQuery {
    terms: Vec<(String, String)>,
}

impl SearchQuery {
    /// `None` when the query has no words.
    pub fn parse(q: &str) -> Option<Self> {
        let terms: Vec<(String, String)> = words(q).map(|w| (stem(&w), w)).collect();
        (!terms.is_empty()).then_some(SearchQuery { terms })
    }

    pub fn matches(&self, text: &SearchText) -> bool {
        self.terms.iter().all(|(stem, word)| text.stems.contains(stem.as_str()) || text.words.contains(word.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(q: &str, text: &str) -> bool {
        SearchQuery::parse(q).unwrap().matches(&SearchText::new([text]))
    }

    #[test]
    fn finds_inflected_and_compound_forms() {
        assert!(hit("kirjasto", "Joensuun pääkirjasto"));
        assert!(hit("kirjastossa", "Joensuun pääkirjasto"));
        assert!(hit("kirjastot", "Liperin kirjasto"));
        assert!(hit("joensuu", "Joensuun pääkirjasto"));
        assert!(hit("Joensuussa kirjasto", "Joensuun pääkirjasto"));
        assert!(hit("library", "Joensuu Main Library"));
        assert!(!hit("kela", "Joensuun pääkirjasto"));
        assert!(!hit("kirjasto lieksa", "Joensuun pääkirjasto"));
    }
}
