//! Languages of the directory's texts (fi/sv/en) and the rule for choosing one:
//! an asked-for language that a text lacks falls back to Finnish, which every text has.

use serde::{Deserialize, Serialize};

/// Longest exception reason or other short label (characters).
pub const MAX_LABEL: usize = 200;

/// The one rule every stored text follows, whoever writes it (partner API, hours documents,
/// importers): at most `max` characters, no control characters but newline and tab, and no
/// bidirectional overrides or isolates (U+202A–U+202E, U+2066–U+2069), which can make a text
/// display as something else on the pages that embed it. `None` when the text is fine.
pub fn text_problem(s: &str, max: usize) -> Option<String> {
    if s.chars().count() > max {
        return Some(format!("must be at most {max} characters"));
    }
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Some("must not contain control characters".into());
    }
    if s.chars().any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')) {
        return Some("must not contain bidirectional override characters".into());
    }
    None
}

/// A text in Finnish (required) and optionally Swedish and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[schema(example = json!({"fi": "Kesäaukiolo", "sv": "Sommaröppettider", "en": "Summer hours"}))]
pub struct Localized {
    pub fi: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sv: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl Localized {
    pub fn new(fi: &str, sv: &str, en: &str) -> Self {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        Localized { fi: fi.to_owned(), sv: some(sv), en: some(en) }
    }

    /// Builds a text from nullable columns; `None` when there is no Finnish text.
    pub fn from_columns(fi: Option<&str>, sv: Option<&str>, en: Option<&str>) -> Option<Self> {
        let clean = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        Some(Localized { fi: clean(fi)?, sv: clean(sv), en: clean(en) })
    }

    /// The text in `lang`, falling back to Finnish.
    pub fn get(&self, lang: &str) -> &str {
        let other = match lang {
            "sv" => self.sv.as_deref(),
            "en" => self.en.as_deref(),
            _ => None,
        };
        other.unwrap_or(&self.fi)
    }

    pub fn in_lang(&self, lang: Lang) -> &str {
        self.get(lang.code())
    }

    /// All three variants, for the text search.
    pub fn all(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.fi.as_str()).chain(self.sv.as_deref()).chain(self.en.as_deref())
    }
}

/// A language the directory's texts and interface come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Fi,
    Sv,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Fi, Lang::Sv, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Fi => "fi",
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fi" => Some(Lang::Fi),
            "sv" => Some(Lang::Sv),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks a language from an `Accept-Language` header: the supported language with the
    /// highest weight; a header naming none of them (or `*`) gives Finnish.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, usize, Lang)> = None;
        for (pos, part) in header.split(',').enumerate() {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let q = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .filter_map(|q| q.trim().parse::<f32>().ok())
                .next()
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            if let Some(lang) = Lang::parse(primary) {
                if q > 0.0 && best.is_none_or(|(bq, bpos, _)| q > bq || (q == bq && pos < bpos)) {
                    best = Some((q, pos, lang));
                }
            }
        }
        best.map(|(_, _, l)| l).unwrap_or(Lang::Fi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_highest_supported() {
        assert_eq!(Lang::from_accept_language("sv-FI,sv;q=0.9,en;q=0.8"), Lang::Sv);
        assert_eq!(Lang::from_accept_language("de-DE,en;q=0.5,fi;q=0.7"), Lang::Fi);
        assert_eq!(Lang::from_accept_language("de"), Lang::Fi);
        assert_eq!(Lang::from_accept_language("en-GB"), Lang::En);
    }

    #[test]
    fn missing_translation_falls_back_to_finnish() {
        let t = Localized::new("kirjasto", "", "library");
        assert_eq!(t.get("sv"), "kirjasto");
        assert_eq!(t.get("en"), "library");
    }
}

/// Lets `LangMode::opt` take a text stored inline or boxed (rare texts are boxed in the snapshot).
impl AsRef<Localized> for Localized {
    fn as_ref(&self) -> &Localized {
        self
    }
}
