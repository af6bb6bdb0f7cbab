//! `/embed/list`: the directory list rendered on the server as a standalone page without
//! JavaScript, for iframes on sites that allow no scripts and for linking from Finna. The
//! same filters as the API; schema.org JSON-LD of the places in the page.

use actix_web::{get, HttpResponse};
use chrono::{DateTime, Utc};
use maud::{html, Markup, PreEscaped};
use serde_json::{json, Value};

use crate::directory::{Accuracy, Directory, Location, LocationFilter};
use crate::domain::{Confidence, Vocabulary};
use crate::error::ApiResult;
use crate::hours::{helsinki_date, RangeKind, State};
use crate::http::nearest::{evaluation_instant, nearest_places, origin};
use crate::http::params::{self, Params};
use crate::http::read::Reading;
use crate::http::views::Distance;
use crate::i18n::Lang;

use super::page::{self, html_page, layout, safe_url, CSP_FRAMEABLE};
use super::texts::{checked, delivery_mode, format_approximate_distance, format_distance, open_until, texts};

pub const DEFAULT_LIMIT: usize = 10;
/// How many days of upcoming events the list shows.
pub const EVENT_DAYS: i64 = 30;

/// "Aukioloajat eivät tiedossa – soita ensin": a label that starts a sentence.
pub fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// The place's state at `at` in words: help (until when), self-service, closed (opens when).
/// `now` says whether `at` is the present: only then do the words say "now"; a search for
/// another time is described as of that time.
pub fn status_line(lang: Lang, loc: &Location, at: DateTime<Utc>, now: bool) -> (String, &'static str) {
    let t = texts(lang);
    let Some(status) = loc.status_at(at) else { return (capitalized(t.hours_unknown_call), "unknown") };
    let next = status.next_change.as_ref();
    match status.state {
        State::Staffed => match next {
            Some(c) => (
                open_until(lang, now, &page::clock(lang, c.at.with_timezone(&chrono_tz::Europe::Helsinki).time())),
                "open",
            ),
            None => ((if now { t.open_now } else { t.open_then }).to_owned(), "open"),
        },
        State::SelfService | State::Closed => {
            let state = match (status.state == State::SelfService, now) {
                (true, true) => t.self_service_now,
                (true, false) => t.self_service_then,
                (false, true) => t.closed_now,
                (false, false) => t.closed_then,
            };
            let opens = loc.next_staffed_opening(at).map(|at| format!(". {} {}", t.opens, page::when(lang, at)));
            (format!("{state}{}", opens.unwrap_or_default()), "closed")
        }
    }
}

/// True when hours are on record but are placeholders (`assumed`): they are shown with
/// "aukioloaikoja ei ole vahvistettu – tarkista ennen lähtöä".
pub fn hours_unconfirmed(h: &crate::directory::Hours) -> bool {
    h.confidence != "verified" && h.confidence != "approximate"
}

/// The organization's short name: the abbreviation it carries in parentheses at the end of
/// its name ("... ry (PKSOTU)"), else its whole name.
pub fn short_name(name: &str) -> &str {
    name.trim_end()
        .strip_suffix(')')
        .and_then(|n| n.rsplit_once('('))
        .map(|(_, abbr)| abbr)
        .filter(|a| !a.is_empty() && a.chars().all(|c| c.is_uppercase() || c.is_ascii_digit() || c == '-'))
        .unwrap_or(name)
}

/// "Tarkistettu 1.12.2026 (PKSOTU)" when the listing was confirmed through `verify`.
pub fn checked_line(dir: &Directory, lang: Lang, loc: &Location) -> Option<String> {
    let at = loc.provenance.verified_at?;
    let by = loc.verified_by.map(|i| short_name(dir.organizations[i as usize].name.in_lang(lang)));
    Some(checked(lang, helsinki_date(at), by))
}

/// Where the position is only an estimate, that in words (`None` for a street or exact point).
pub fn position_note(lang: Lang, loc: &Location) -> Option<&'static str> {
    let t = texts(lang);
    match loc.accuracy {
        _ if loc.coordinates.is_none() => None,
        Accuracy::Exact | Accuracy::Street => None,
        Accuracy::PostalArea => Some(t.position_postal_area),
        Accuracy::Municipality => Some(t.position_municipality),
    }
}

/// A distance in words: "1,9 km", or "n. 16 km" when only roughly known.
pub fn distance_text(lang: Lang, d: &Distance) -> String {
    let mut s =
        if d.approximate { format_approximate_distance(lang, d.metres) } else { format_distance(lang, d.metres) };
    if d.same_postal_area == Some(true) {
        s.push_str(&format!(" ({})", texts(lang).same_postal_area));
    }
    s
}

/// How a place card is shown.
pub struct Card<'a> {
    /// The instant its status is told for, and whether that is now.
    pub at: DateTime<Utc>,
    pub now: bool,
    pub distance: Option<Distance>,
    /// The patron's needs (passed on to the referral slip).
    pub topics: &'a [String],
    /// The level of the card's heading (2 on a list page, 3 under a results heading).
    pub heading: u8,
    /// The text of the link to the referral slip.
    pub referral_label: &'a str,
}

/// One place as an article: the same facts the widget shows.
pub fn place_card(dir: &Directory, lang: Lang, loc: &Location, card: &Card, extra: Markup) -> Markup {
    let t = texts(lang);
    let org = &dir.organizations[loc.organization];
    let (status, status_class) = status_line(lang, loc, card.at, card.now);
    let topics = page::topic_labels(dir, lang, &dir.topic_codes(loc.topic_mask));
    let languages = page::language_names(dir, lang, &loc.languages);
    let heading_id = format!("place-{}", loc.id);
    let mut modes: Vec<&str> = Vec::new();
    let mut bookings: Vec<Markup> = Vec::new();
    for sal in &loc.services {
        let s = &dir.services[sal.service];
        for &m in &s.delivery_modes {
            let m = delivery_mode(lang, m);
            if !modes.contains(&m) {
                modes.push(m);
            }
        }
        if let Some(a) = sal.appointment.as_ref().filter(|a| a.by_appointment || a.phone.is_some() || a.url.is_some()) {
            bookings.push(html! {
                li {
                    (s.name.in_lang(lang)) ": "
                    @if let Some(text) = &a.text { (text.in_lang(lang)) " " }
                    @if let Some(phone) = &a.phone { (t.phone_label) " " a href=(format!("tel:{}", phone.replace(' ', ""))) { (phone) } " " }
                    @if let Some(url) = a.url.as_deref().and_then(safe_url) { a href=(url) rel="noopener" { (t.booking) } }
                }
            });
        }
    }
    let mut referral = format!("/v1/locations/{}/referral?lang={}", loc.id, lang.code());
    for code in card.topics {
        referral.push_str(&format!("&topic={}", page::encode(code)));
    }
    let name = loc.name.in_lang(lang);
    let heading = html! {
        @if card.heading <= 2 { h2 #(heading_id) { (name) } } @else { h3 #(heading_id) { (name) } }
    };
    // The place's phone, else the organization's (marked as such): a number to call first.
    let phone = match (&loc.phone, &org.phone) {
        (Some(p), _) => Some((t.phone_label, p)),
        (None, Some(p)) => Some((t.phone_org, p)),
        _ => None,
    };
    html! {
        article.place aria-labelledby=(heading_id) {
            (heading)
            p.org { (org.name.in_lang(lang)) }
            @if let Some(checked) = checked_line(dir, lang, loc) { p.checked { (checked) } }
            @if loc.provenance.confidence == Confidence::Assumed { p.unverified { (t.record_assumed) } }
            p.status.(status_class) { (status) }
            @if loc.hours.as_deref().is_some_and(hours_unconfirmed) { p.hours-note { (capitalized(t.hours_unconfirmed)) } }
            dl {
                @if let Some(street) = &loc.address.street {
                    dt { (t.address) }
                    dd { (street) @if let Some(pc) = &loc.address.postal_code { ", " (pc) } @if let Some(po) = &loc.address.post_office { " " (po) } }
                } @else if let Some(note) = position_note(lang, loc) {
                    dt { (t.address) }
                    dd { (note) }
                }
                @if let Some(d) = &card.distance { dt { (t.distance) } dd { (distance_text(lang, d)) } }
                @if !topics.is_empty() { dt { (t.topics) } dd { (topics.join(", ")) } }
                @if !languages.is_empty() { dt { (t.languages) } dd { (languages.join(", ")) } }
                @if !modes.is_empty() { dt { (t.how_to_get_help) } dd { (modes.join(", ")) } }
                @if !bookings.is_empty() { dt { (t.booking) } dd { ul.plain { @for b in bookings { (b) } } } }
                @if let Some((label, phone)) = phone { dt { (label) } dd { a href=(format!("tel:{}", phone.replace(' ', ""))) { (phone) } } }
                @if let Some(email) = &loc.email { dt { (t.email_label) } dd { a href=(format!("mailto:{email}")) { (email) } } }
                @if let Some(acc) = &loc.accessibility { dt { (t.accessibility) } dd { (acc.in_lang(lang)) } }
            }
            (extra)
            p.links {
                @if let Some(url) = loc.website.as_deref().and_then(safe_url) {
                    a href=(url) rel="noopener" { (t.website) span.visually-hidden { ": " (name) } }
                    " "
                }
                a href=(referral) { (card.referral_label) span.visually-hidden { ": " (name) } }
            }
        }
    }
}

/// schema.org JSON-LD safe inside `<script>`: `<`, `>` and `&` become JSON escapes, so no
/// partner text can close the element or open a comment.
pub fn json_ld(value: &Value) -> Markup {
    let json = serde_json::to_string(value).unwrap_or_else(|_| "{}".into());
    let safe = json.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026");
    html! { script type="application/ld+json" { (PreEscaped(safe)) } }
}

/// Removes `null` members (recursively): schema.org JSON-LD states only what is known.
fn without_nulls(v: Value) -> Value {
    match v {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, without_nulls(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().filter(|v| !v.is_null()).map(without_nulls).collect()),
        other => other,
    }
}

/// The schema.org type of a place of this kind: a `Library`, a `GovernmentOffice` (municipal
/// and public authority service points) or another `LocalBusiness`.
fn place_type(kind: &str) -> &'static str {
    match kind {
        k if k.starts_with("library") => "Library",
        "municipal_service_point" | "public_authority_service_point" => "GovernmentOffice",
        _ => "LocalBusiness",
    }
}

/// The schema.org type of an organization of this kind: a `LibrarySystem`, a
/// `GovernmentOrganization` or another `Organization`.
fn organization_type(kind: &str) -> &'static str {
    match kind {
        k if k.starts_with("library") => "LibrarySystem",
        "municipal_service_point" | "public_authority_service_point" => "GovernmentOrganization",
        _ => "Organization",
    }
}

/// A place as schema.org: a `Library`, `GovernmentOffice` or other `LocalBusiness`, with its
/// organization and, only when the hours are at least `approximate` (never placeholders), the
/// staffed hours of the coming week as `openingHours` and, dated, as `openingHoursSpecification`
/// (days as schema.org `DayOfWeek` URLs, times `HH:MM`). `geo` only for a point known to street
/// level; no member is ever `null`.
pub fn place_ld(dir: &Directory, lang: Lang, loc: &Location, base: &str, at: DateTime<Utc>) -> Value {
    let org = &dir.organizations[loc.organization];
    let mut v = json!({
        "@type": place_type(loc.kind.name()),
        "@id": format!("{base}/v1/locations/{}", loc.id),
        "name": loc.name.in_lang(lang),
        "parentOrganization": { "@type": organization_type(&org.kind), "name": org.name.in_lang(lang) },
    });
    if let Some(url) = loc.website.as_deref().and_then(safe_url) {
        v["url"] = json!(url);
    }
    // The postal address as far as it is known (a street only when the source gives one): a
    // place without a street still has a locality, which is true and lets consumers place it.
    let locality = loc.address.post_office.clone().or_else(|| {
        loc.address
            .municipality_code
            .as_deref()
            .and_then(|c| dir.municipality(c))
            .map(|m| m.name.in_lang(lang).to_owned())
    });
    if loc.address.street.is_some() || loc.address.postal_code.is_some() || locality.is_some() {
        v["address"] = json!({
            "@type": "PostalAddress",
            "streetAddress": loc.address.street,
            "postalCode": loc.address.postal_code,
            "addressLocality": locality,
            "addressCountry": "FI",
        });
    }
    if let Some((lat, lon)) = loc.coordinates.filter(|_| loc.accuracy.is_precise()) {
        v["geo"] = json!({ "@type": "GeoCoordinates", "latitude": lat, "longitude": lon });
    }
    if let Some(phone) = &loc.phone {
        v["telephone"] = json!(phone);
    }
    if let Some(email) = &loc.email {
        v["email"] = json!(email);
    }
    if let Some(h) = loc.hours.as_ref().filter(|h| !hours_unconfirmed(h)) {
        const DAYS: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];
        let today = helsinki_date(at);
        const DAY_URLS: [&str; 7] = [
            "https://schema.org/Monday",
            "https://schema.org/Tuesday",
            "https://schema.org/Wednesday",
            "https://schema.org/Thursday",
            "https://schema.org/Friday",
            "https://schema.org/Saturday",
            "https://schema.org/Sunday",
        ];
        let mut hours: Vec<String> = Vec::new();
        let mut specs: Vec<Value> = Vec::new();
        for day in h.hours.schedule(today, today + chrono::Duration::days(6)) {
            use chrono::Datelike;
            let weekday = day.date.weekday().num_days_from_monday() as usize;
            for r in day.ranges.iter().filter(|r| r.kind == RangeKind::Staffed) {
                let (opens, closes) = (r.start.format("%H:%M").to_string(), r.end.format("%H:%M").to_string());
                hours.push(format!("{} {opens}-{closes}", DAYS[weekday]));
                // The same range, dated: it holds on that day of the coming week.
                specs.push(json!({
                    "@type": "OpeningHoursSpecification",
                    "dayOfWeek": DAY_URLS[weekday],
                    "opens": opens,
                    "closes": closes,
                    "validFrom": day.date.to_string(),
                    "validThrough": day.date.to_string(),
                }));
            }
        }
        if !hours.is_empty() {
            v["openingHours"] = json!(hours);
            v["openingHoursSpecification"] = json!(specs);
        }
    }
    without_nulls(v)
}

/// A place as the `location` of an event: its type, `@id`, name, address and `geo` (as in
/// `place_ld`, without hours or contacts).
pub fn place_ref_ld(dir: &Directory, lang: Lang, loc: &Location, base: &str) -> Value {
    let mut full = place_ld(dir, lang, loc, base, Utc::now());
    let mut v = serde_json::Map::new();
    for key in ["@type", "@id", "name", "address", "geo"] {
        if let Some(x) = full.get_mut(key).map(Value::take) {
            v.insert(key.to_owned(), x);
        }
    }
    Value::Object(v)
}

/// What a list request found.
pub struct Selected<'a> {
    pub places: Vec<(&'a Location, Option<Distance>)>,
    /// More places match than `limit`.
    pub more: bool,
    pub limit: usize,
    /// The instant statuses are told for, and whether that is now.
    pub at: DateTime<Utc>,
    pub now: bool,
    /// The point of a nearest search (latitude, longitude).
    pub origin: Option<(f64, f64)>,
    /// The page's filters as given (the events section follows them too).
    pub filter: LocationFilter,
}

/// The places a list request asks for: ranked nearest first when it gives a point (see
/// `Directory::nearest`), else in alphabetical order. Distances are present for nearest searches.
pub fn select<'a>(dir: &'a Directory, params: &Params) -> ApiResult<Selected<'a>> {
    let given = params::location_filter(params, dir)?;
    let mut filter = given.clone();
    let (at, open_at) = params::times(params)?;
    let now = params.one("at")?.is_none() && open_at.is_none_or(|t| t == at);
    let at = evaluation_instant(params, at, open_at)?;
    let limit = params.int_in("limit", 1, params::MAX_PER_PAGE)?.unwrap_or(DEFAULT_LIMIT);
    let lat = params.number_in("lat", -90.0, 90.0)?;
    let lon = params.number_in("lon", -180.0, 180.0)?;
    let near = params.one("near")?;
    let mut point = None;
    let mut places: Vec<(&Location, Option<Distance>)> = if lat.is_some() || lon.is_some() || near.is_some() {
        let origin = origin(dir, lat, lon, near.map(|n| ("near", n)), &mut filter)?.expect("a point was given");
        point = Some((origin.lat, origin.lon));
        let (found, _) = nearest_places(dir, &origin, &filter, limit + 1, None, open_at, at);
        found.into_iter().map(|(l, d)| (l, Some(origin.distance_to(l, d)))).collect()
    } else {
        dir.locations
            .iter()
            .filter(|l| filter.matches(dir, l))
            .filter(|l| open_at.is_none_or(|t| dir.staffed_at(l, filter.topics, t)))
            .take(limit + 1)
            .map(|l| (&**l, None))
            .collect()
    };
    let more = places.len() > limit;
    places.truncate(limit);
    Ok(Selected { places, more, limit, at, now, origin: point, filter: given })
}

#[get("/embed/list")]
pub async fn embed_list(read: Reading) -> ApiResult<HttpResponse> {
    let Reading { req, dir, params, lang, .. } = read;
    let lang = lang.lang();
    let selected = select(&dir, &params)?;
    let topic: Vec<String> = params.all("topic").into_iter().map(str::to_owned).collect();
    let t = texts(lang);
    let base = page::base_url(&req);
    let at = selected.at;
    let places = &selected.places;
    // The next 30 days of the events that pass the page's filters (for a nearest search: at
    // places no farther than the farthest place listed), and the confirmed ones among them as
    // schema.org `Event`s.
    let mut event_filter = crate::directory::events::EventFilter::of_places(&selected.filter);
    if let Some((lat, lon)) = selected.origin {
        let farthest = places.iter().filter_map(|(_, d)| d.map(|d| d.metres)).fold(0.0, f64::max);
        event_filter.within = Some((lat, lon, farthest + 1.0)); // a metre for rounding
    }
    let occurrences =
        super::events::upcoming(&dir, at, at + chrono::Duration::days(EVENT_DAYS), |e| event_filter.matches(&dir, e));
    let event_lds: Vec<Value> =
        occurrences.iter().filter_map(|(e, o)| super::events::event_ld(&dir, lang, e, o, &base)).collect();
    // One JSON-LD document: the places shown, then the confirmed occurrences, as list items.
    let items: Vec<Value> =
        places.iter().map(|(loc, _)| place_ld(&dir, lang, loc, &base, at)).chain(event_lds).collect();
    let ld = json!({
        "@context": "https://schema.org",
        "@type": "ItemList",
        "name": t.list_title,
        "itemListElement": items.into_iter().enumerate().map(|(i, item)| json!({
            "@type": "ListItem", "position": i + 1, "item": item,
        })).collect::<Vec<_>>(),
    });
    let et = super::events::event_texts(lang);
    let more_limit = (selected.limit * 2).min(params::MAX_PER_PAGE);
    let body = html! {
        h1 { (t.list_title) }
        p.count { (t.results_count) ": " (places.len()) }
        @if places.is_empty() { p { (t.no_results) } }
        ul.places aria-label=(t.list_title) {
            @for (loc, d) in places {
                li {
                    (place_card(&dir, lang, loc, &Card { at, now: selected.now, distance: *d, topics: &topic, heading: 2, referral_label: t.details }, html! {}))
                }
            }
        }
        @if selected.more && selected.limit < params::MAX_PER_PAGE {
            p.more { a href=(page::with_param(&req, "limit", &more_limit.to_string())) { (t.show_more) } }
        }
        section.events aria-labelledby="events-title" {
            h2 #events-title { (et.upcoming_events) }
            @if occurrences.is_empty() { p { (et.no_events) } }
            ul.events {
                @for (e, o) in &occurrences {
                    li { (super::events::occurrence_item(&dir, lang, e, o, 3, html! {})) }
                }
            }
        }
    };
    // The events' JSON-LD is a second script (only when there is one to state).
    let markup = layout(&req, lang, t.list_title, json_ld(&ld), body);
    Ok(html_page(&req, dir.version, CSP_FRAMEABLE, markup))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organizations_are_named_by_their_abbreviation_when_they_have_one() {
        assert_eq!(short_name("Pohjois-Karjalan Sosiaaliturvayhdistys ry (PKSOTU)"), "PKSOTU");
        assert_eq!(
            short_name("Joensuun kaupunginkirjasto (Joensuun seutukirjasto)"),
            "Joensuun kaupunginkirjasto (Joensuun seutukirjasto)"
        );
        assert_eq!(short_name("Kela"), "Kela");
    }

    #[test]
    fn approximate_distances_are_whole_kilometres_after_about() {
        let d = |metres, approximate, same| Distance { metres, approximate, same_postal_area: same };
        assert_eq!(distance_text(Lang::Fi, &d(15_600.0, true, Some(true))), "n. 16 km (samalla postinumeroalueella)");
        assert_eq!(distance_text(Lang::Sv, &d(15_600.0, true, None)), "ca 16 km");
        assert_eq!(distance_text(Lang::En, &d(300.0, true, Some(false))), "about 1 km");
        assert_eq!(distance_text(Lang::Fi, &d(1_940.0, false, None)), "1,9 km");
        let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(checked(Lang::Fi, date, Some("PKSOTU")), "Tarkistettu 1.12.2026 (PKSOTU)");
        assert_eq!(checked(Lang::En, date, None), "Checked 1 Dec 2026");
    }

    #[test]
    fn json_ld_cannot_close_its_script_element() {
        let v = json!({ "name": "</script><script>alert(1)</script> & <!--" });
        let html = json_ld(&v).into_string();
        let inner = html.trim_start_matches("<script type=\"application/ld+json\">").trim_end_matches("</script>");
        assert!(!inner.contains('<') && !inner.contains('>') && !inner.contains('&'), "{inner}");
        let back: Value = serde_json::from_str(inner).unwrap();
        assert_eq!(back, v);
    }
}
