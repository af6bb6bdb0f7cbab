//! Interface texts of the pages for people (list, staff tool, referral slip) in Finnish,
//! Swedish and English. Directory data brings its own translations; these are only the words
//! around it. The widget carries the same words in `embed.js`.

use crate::domain::{AssistanceLevel, DeliveryMode};
use crate::i18n::Lang;

pub struct Texts {
    pub list_title: &'static str,
    pub staff_title: &'static str,
    pub referral_title: &'static str,
    pub skip_to_content: &'static str,
    pub language_switch: &'static str,
    pub no_results: &'static str,
    pub results_count: &'static str,
    pub distance: &'static str,
    pub address: &'static str,
    pub topics: &'static str,
    pub languages: &'static str,
    pub how_to_get_help: &'static str,
    pub drop_in: &'static str,
    pub by_appointment: &'static str,
    pub booking: &'static str,
    pub phone_label: &'static str,
    pub email_label: &'static str,
    pub website: &'static str,
    pub details: &'static str,
    pub open_now_until: &'static str,
    pub open_now: &'static str,
    pub self_service_now: &'static str,
    pub closed_now: &'static str,
    pub opens: &'static str,
    pub hours_unknown: &'static str,
    pub unverified: &'static str,
    pub error_title: &'static str,
    pub check_field: &'static str,
    // Staff tool.
    pub staff_intro: &'static str,
    pub where_legend: &'static str,
    pub postal_code: &'static str,
    pub municipality: &'static str,
    pub any_municipality: &'static str,
    pub street_address: &'static str,
    pub street_address_hint: &'static str,
    pub needs_legend: &'static str,
    pub language_of_service: &'static str,
    pub any_language: &'static str,
    pub when_legend: &'static str,
    pub when_now: &'static str,
    pub when_at: &'static str,
    pub date: &'static str,
    pub time: &'static str,
    pub search: &'static str,
    pub results: &'static str,
    pub hours_that_day: &'static str,
    pub closed_that_day: &'static str,
    pub self_service_hours: &'static str,
    pub what_they_do: &'static str,
    pub remote_options: &'static str,
    pub no_remote: &'static str,
    pub none_open: &'static str,
    pub referral_slip: &'static str,
    pub give_a_place: &'static str,
    pub address_unavailable: &'static str,
    // Referral slip.
    pub how_to_get_there: &'static str,
    pub map: &'static str,
    pub accessibility: &'static str,
    pub hours_next_7: &'static str,
    pub contacts: &'static str,
    pub services_here: &'static str,
    pub scan_for_page: &'static str,
    pub print: &'static str,
    pub own_hours: &'static str,
    pub dvv_note: &'static str,
    pub organization: &'static str,
    pub open_then: &'static str,
    pub self_service_then: &'static str,
    pub closed_then: &'static str,
    pub hours_unconfirmed: &'static str,
    pub hours_unknown_call: &'static str,
    pub about: &'static str,
    pub same_postal_area: &'static str,
    pub checked: &'static str,
    pub record_assumed: &'static str,
    pub position_municipality: &'static str,
    pub position_postal_area: &'static str,
    pub print_referral: &'static str,
    pub show_more: &'static str,
    pub unknown_hours_tier: &'static str,
    pub none_staffed_then: &'static str,
    pub search_without: &'static str,
    pub try_other_time: &'static str,
    pub phone_org: &'static str,
    pub dvv_authorized: &'static str,
    pub dvv_note_guidance: &'static str,
    pub no_hours_for_place: &'static str,
}

const FI: Texts = Texts {
    list_title: "Digituki: mistä apua digiasioihin",
    staff_title: "Digituen ohjaustyökalu",
    referral_title: "Ohjauslappu: digituki",
    skip_to_content: "Siirry sisältöön",
    language_switch: "Kieli",
    no_results: "Hakuehdoilla ei löytynyt paikkoja.",
    results_count: "Paikkoja",
    distance: "Etäisyys",
    address: "Osoite",
    topics: "Aiheet",
    languages: "Palvelukielet",
    how_to_get_help: "Miten apua saa",
    drop_in: "Ilman ajanvarausta",
    by_appointment: "Ajanvarauksella",
    booking: "Ajanvaraus",
    phone_label: "Puhelin",
    email_label: "Sähköposti",
    website: "Verkkosivu",
    details: "Tiedot ja aukioloajat",
    open_now_until: "Apua saatavilla nyt, klo",
    open_now: "Apua saatavilla nyt",
    self_service_now: "Omatoimiaika: henkilökuntaa ei paikalla",
    closed_now: "Suljettu nyt",
    opens: "Avautuu",
    hours_unknown: "Aukioloajat eivät ole tiedossa",
    unverified: "Tietoa ei ole vahvistettu",
    error_title: "Haku ei onnistunut",
    check_field: "Tarkista kenttä",
    staff_intro: "Etsi asiakkaalle lähin paikka, josta saa apua hänen asiaansa, hänen kielellään ja silloin kun hän pääsee.",
    where_legend: "Missä asiakas on",
    postal_code: "Postinumero",
    municipality: "Kunta",
    any_municipality: "(valitse kunta)",
    street_address: "Katuosoite",
    street_address_hint: "Toimii, kun palvelimelle on määritetty osoitehaku.",
    needs_legend: "Mihin asiakas tarvitsee apua",
    language_of_service: "Palvelukieli",
    any_language: "Mikä tahansa",
    when_legend: "Milloin asiakas pääsee",
    when_now: "Nyt",
    when_at: "Tiettynä aikana",
    date: "Päivä",
    time: "Kellonaika",
    search: "Hae",
    results: "Tulokset",
    hours_that_day: "Aukioloajat sinä päivänä",
    closed_that_day: "suljettu",
    self_service_hours: "omatoimiaika, ei opastusta",
    what_they_do: "Mitä siellä tehdään",
    remote_options: "Etäapu (puhelin, video) tälle alueelle",
    no_remote: "Ei etäapua tälle alueelle näillä ehdoilla.",
    none_open: "Yksikään sopiva paikka ei ole auki silloin. Kokeile toista aikaa tai väljempiä ehtoja.",
    referral_slip: "Tulostettava ohjauslappu",
    give_a_place: "Anna postinumero, kunta tai katuosoite.",
    address_unavailable: "Osoitehaku ei ole käytettävissä. Hae postinumerolla tai kunnalla.",
    how_to_get_there: "Miten perille pääsee",
    map: "Kartta (OpenStreetMap)",
    accessibility: "Esteettömyys",
    hours_next_7: "Aukioloajat seuraavat 7 päivää",
    contacts: "Yhteystiedot",
    services_here: "Palvelut",
    scan_for_page: "Paikan verkkosivu (skannaa puhelimella)",
    print: "Tulosta",
    own_hours: "Palvelun omat ajat",
    dvv_note: "Digitukihenkilö opastaa, mutta asiakas tekee asioinnin itse. Digitukihenkilö ei koskaan käytä asiakkaan pankkitunnuksia tai muita tunnisteita eikä asioi asiakkaan puolesta.",
    organization: "Järjestäjä",
    open_then: "Apua saatavilla silloin",
    self_service_then: "Omatoimiaika silloin: henkilökuntaa ei paikalla",
    closed_then: "Suljettu silloin",
    hours_unconfirmed: "aukioloaikoja ei ole vahvistettu – tarkista ennen lähtöä",
    hours_unknown_call: "aukioloajat eivät tiedossa – soita ensin",
    about: "n.",
    same_postal_area: "samalla postinumeroalueella",
    checked: "Tarkistettu",
    record_assumed: "Paikan tiedot on päätelty lähteistä – tarkista ennen lähtöä",
    position_municipality: "Sijainti on arvio (kunnan keskusta); tarkka paikka ei ole tiedossa.",
    position_postal_area: "Sijainti on arvio (postinumeroalueen keskipiste); tarkka paikka ei ole tiedossa.",
    print_referral: "Tulosta ohjauslappu",
    show_more: "Näytä lisää paikkoja",
    unknown_hours_tier: "Lähellä, mutta aukioloajat eivät tiedossa – soita ensin",
    none_staffed_then: "Yksikään sopiva paikka ei ilmoita henkilökuntaa paikalla silloin.",
    search_without: "Hae ilman tätä ehtoa",
    try_other_time: "Kokeile toista aikaa.",
    phone_org: "Puhelin (järjestäjä)",
    dvv_authorized: "Tässä paikassa osa palveluista on valtuutettua avustamista: silloin avustaja voi asioida asiakkaan puolesta, mutta vain virallisella valtuutuksella (esim. Suomi.fi-valtuudet). Muu digituki on opastusta, jossa asiakas asioi itse.",
    dvv_note_guidance: "Digitukihenkilö opastaa, mutta asiakas tekee asioinnin itse. Digitukihenkilö ei koskaan käytä asiakkaan pankkitunnuksia tai muita tunnisteita.",
    no_hours_for_place: "Aukioloajat eivät ole tiedossa – soita ennen lähtöä.",
};

const SV: Texts = Texts {
    list_title: "Digistöd: här får du hjälp med digitala ärenden",
    staff_title: "Hänvisningsverktyg för digistöd",
    referral_title: "Hänvisning: digistöd",
    skip_to_content: "Hoppa till innehållet",
    language_switch: "Språk",
    no_results: "Inga platser motsvarar sökningen.",
    results_count: "Platser",
    distance: "Avstånd",
    address: "Adress",
    topics: "Ämnen",
    languages: "Betjäningsspråk",
    how_to_get_help: "Så får du hjälp",
    drop_in: "Utan tidsbokning",
    by_appointment: "Med tidsbokning",
    booking: "Tidsbokning",
    phone_label: "Telefon",
    email_label: "E-post",
    website: "Webbplats",
    details: "Uppgifter och öppettider",
    open_now_until: "Hjälp finns nu, till kl.",
    open_now: "Hjälp finns nu",
    self_service_now: "Meröppet: ingen personal på plats",
    closed_now: "Stängt nu",
    opens: "Öppnar",
    hours_unknown: "Öppettiderna är inte kända",
    unverified: "Uppgiften är inte bekräftad",
    error_title: "Sökningen misslyckades",
    check_field: "Kontrollera fältet",
    staff_intro: "Hitta närmaste plats där kunden får hjälp med sitt ärende, på sitt språk och när hen kan komma.",
    where_legend: "Var finns kunden",
    postal_code: "Postnummer",
    municipality: "Kommun",
    any_municipality: "(välj kommun)",
    street_address: "Gatuadress",
    street_address_hint: "Fungerar när adressökning har konfigurerats på servern.",
    needs_legend: "Vad behöver kunden hjälp med",
    language_of_service: "Betjäningsspråk",
    any_language: "Vilket som helst",
    when_legend: "När kan kunden komma",
    when_now: "Nu",
    when_at: "Vid en viss tid",
    date: "Datum",
    time: "Klockslag",
    search: "Sök",
    results: "Resultat",
    hours_that_day: "Öppettider den dagen",
    closed_that_day: "stängt",
    self_service_hours: "meröppet, ingen handledning",
    what_they_do: "Vad man gör där",
    remote_options: "Distanshjälp (telefon, video) för området",
    no_remote: "Ingen distanshjälp för området med dessa villkor.",
    none_open: "Ingen lämplig plats är öppen då. Prova en annan tid eller färre villkor.",
    referral_slip: "Hänvisning för utskrift",
    give_a_place: "Ange postnummer, kommun eller gatuadress.",
    address_unavailable: "Adressökning är inte tillgänglig. Sök med postnummer eller kommun.",
    how_to_get_there: "Så hittar du dit",
    map: "Karta (OpenStreetMap)",
    accessibility: "Tillgänglighet",
    hours_next_7: "Öppettider de följande 7 dagarna",
    contacts: "Kontaktuppgifter",
    services_here: "Tjänster",
    scan_for_page: "Platsens webbplats (skanna med telefonen)",
    print: "Skriv ut",
    own_hours: "Tjänstens egna tider",
    dvv_note: "Digistödjaren handleder, men kunden sköter ärendet själv. Digistödjaren använder aldrig kundens bankkoder eller andra identifieringsmedel och uträttar inga ärenden för kundens räkning.",
    organization: "Arrangör",
    open_then: "Hjälp finns då",
    self_service_then: "Meröppet då: ingen personal på plats",
    closed_then: "Stängt då",
    hours_unconfirmed: "öppettiderna är inte bekräftade – kontrollera före besöket",
    hours_unknown_call: "öppettiderna är inte kända – ring först",
    about: "ca",
    same_postal_area: "inom samma postnummerområde",
    checked: "Kontrollerad",
    record_assumed: "Uppgifterna är härledda ur källor – kontrollera före besöket",
    position_municipality: "Läget är uppskattat (kommunens centrum); den exakta platsen är inte känd.",
    position_postal_area: "Läget är uppskattat (postnummerområdets mittpunkt); den exakta platsen är inte känd.",
    print_referral: "Skriv ut hänvisning",
    show_more: "Visa fler platser",
    unknown_hours_tier: "I närheten, men öppettiderna är inte kända – ring först",
    none_staffed_then: "Ingen lämplig plats uppger att personal finns på plats då.",
    search_without: "Sök utan detta villkor",
    try_other_time: "Prova en annan tid.",
    phone_org: "Telefon (arrangör)",
    dvv_authorized: "På den här platsen är en del av tjänsterna befullmäktigat bistånd: då kan hjälparen sköta ärenden för kunden, men bara med en formell fullmakt (t.ex. Suomi.fi-fullmakter). Annat digistöd är handledning där kunden sköter ärendet själv.",
    dvv_note_guidance: "Digistödjaren handleder, men kunden sköter ärendet själv. Digistödjaren använder aldrig kundens bankkoder eller andra identifieringsmedel.",
    no_hours_for_place: "Öppettiderna är inte kända – ring före besöket.",
};

const EN: Texts = Texts {
    list_title: "Digital help: where to get help with digital matters",
    staff_title: "Digital help referral tool",
    referral_title: "Referral slip: digital help",
    skip_to_content: "Skip to content",
    language_switch: "Language",
    no_results: "No places match the search.",
    results_count: "Places",
    distance: "Distance",
    address: "Address",
    topics: "Topics",
    languages: "Languages of service",
    how_to_get_help: "How to get help",
    drop_in: "Drop in (no appointment)",
    by_appointment: "By appointment",
    booking: "Booking",
    phone_label: "Phone",
    email_label: "Email",
    website: "Website",
    details: "Details and opening hours",
    open_now_until: "Help available now, until",
    open_now: "Help available now",
    self_service_now: "Self-service hours: no staff present",
    closed_now: "Closed now",
    opens: "Opens",
    hours_unknown: "Opening hours not known",
    unverified: "Not verified",
    error_title: "The search did not work",
    check_field: "Please check the field",
    staff_intro: "Find the nearest place where the patron gets help with their matter, in their language, at a time they can go.",
    where_legend: "Where the patron is",
    postal_code: "Postal code",
    municipality: "Municipality",
    any_municipality: "(choose a municipality)",
    street_address: "Street address",
    street_address_hint: "Works when an address search is configured on the server.",
    needs_legend: "What the patron needs help with",
    language_of_service: "Language of service",
    any_language: "Any",
    when_legend: "When the patron can go",
    when_now: "Now",
    when_at: "At a given time",
    date: "Date",
    time: "Time",
    search: "Search",
    results: "Results",
    hours_that_day: "Hours on that day",
    closed_that_day: "closed",
    self_service_hours: "self-service, no guidance",
    what_they_do: "What they do",
    remote_options: "Remote help (phone, video) for this area",
    no_remote: "No remote help for this area with these criteria.",
    none_open: "No suitable place is open at that time. Try another time or fewer criteria.",
    referral_slip: "Printable referral slip",
    give_a_place: "Give a postal code, a municipality or a street address.",
    address_unavailable: "Address search is not available. Search by postal code or municipality.",
    how_to_get_there: "How to get there",
    map: "Map (OpenStreetMap)",
    accessibility: "Accessibility",
    hours_next_7: "Opening hours for the next 7 days",
    contacts: "Contacts",
    services_here: "Services",
    scan_for_page: "The place's web page (scan with a phone)",
    print: "Print",
    own_hours: "The service's own hours",
    dvv_note: "Digital helpers guide you, but you do the transaction yourself. Helpers never use your online banking codes or other credentials and never act on your behalf.",
    organization: "Organised by",
    open_then: "Help available at that time",
    self_service_then: "Self-service hours at that time: no staff present",
    closed_then: "Closed at that time",
    hours_unconfirmed: "opening hours not confirmed – check before you go",
    hours_unknown_call: "opening hours not known – call first",
    about: "about",
    same_postal_area: "in the same postal code area",
    checked: "Checked",
    record_assumed: "These details are inferred from sources – check before you go",
    position_municipality: "The position is an estimate (the municipality's centre); the exact place is not known.",
    position_postal_area: "The position is an estimate (the postal code area's centre); the exact place is not known.",
    print_referral: "Print referral slip",
    show_more: "Show more places",
    unknown_hours_tier: "Nearby, but opening hours not known – call first",
    none_staffed_then: "No suitable place says staff are present at that time.",
    search_without: "Search without this criterion",
    try_other_time: "Try another time.",
    phone_org: "Phone (organiser)",
    dvv_authorized: "Some services here are authorized assistance: the helper may then act for the patron, but only with a formal authorisation (such as a Suomi.fi mandate). Other digital help is guidance, where the patron acts.",
    dvv_note_guidance: "Digital helpers guide you, but you do the transaction yourself. Helpers never use your online banking codes or other credentials.",
    no_hours_for_place: "Opening hours not known – call before you go.",
};

pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Fi => &FI,
        Lang::Sv => &SV,
        Lang::En => &EN,
    }
}

/// Weekday abbreviations, Monday first.
pub fn weekdays(lang: Lang) -> [&'static str; 7] {
    match lang {
        Lang::Fi => ["ma", "ti", "ke", "to", "pe", "la", "su"],
        Lang::Sv => ["mån", "tis", "ons", "tor", "fre", "lör", "sön"],
        Lang::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    }
}

/// A level of help in a word or two: the words before the colon of its meaning
/// (`assistance_level`), so that name and meaning never drift apart.
pub fn level_name(lang: Lang, level: AssistanceLevel) -> &'static str {
    let meaning = assistance_level(lang, level);
    meaning.split_once(':').map_or(meaning, |(name, _)| name)
}

/// What a DVV assistance level means, in plain words.
pub fn assistance_level(lang: Lang, level: AssistanceLevel) -> &'static str {
    use AssistanceLevel::*;
    match (lang, level) {
        (Lang::Fi, Guidance) => "Opastus: asiakas asioi itse, digitukihenkilö opastaa.",
        (Lang::Sv, Guidance) => "Handledning: kunden sköter ärendet själv, digistödjaren handleder.",
        (Lang::En, Guidance) => "Guidance: the person does it themselves; the helper guides.",
        (Lang::Fi, AuthorizedAssistance) => "Valtuutettu asiointi: digitukihenkilö voi asioida asiakkaan puolesta, kun asiakas on antanut valtuutuksen (esim. Suomi.fi-valtuudet).",
        (Lang::Sv, AuthorizedAssistance) => "Ärenden med fullmakt: digistödjaren kan sköta ärenden för kundens räkning med fullmakt (t.ex. Suomi.fi-fullmakter).",
        (Lang::En, AuthorizedAssistance) => "Authorised assistance: the helper can act on the person's behalf with a formal authorisation (e.g. Suomi.fi e-Authorizations).",
        (Lang::Fi, InformationOnly) => "Neuvonta: digitukihenkilö antaa tietoa ja ohjaa eteenpäin, mutta ei opasta asioinnissa.",
        (Lang::Sv, InformationOnly) => "Rådgivning: digistödjaren ger information och hänvisar vidare, men handleder inte i ärenden.",
        (Lang::En, InformationOnly) => "Information only: the helper gives information and refers onward, with no hands-on guidance.",
    }
}

/// A delivery mode in plain words.
pub fn delivery_mode(lang: Lang, mode: DeliveryMode) -> &'static str {
    use DeliveryMode::*;
    let t = texts(lang);
    match (lang, mode) {
        (_, DropIn) => t.drop_in,
        (_, ByAppointment) => t.by_appointment,
        (Lang::Fi, Phone) => "Puhelimitse",
        (Lang::Sv, Phone) => "Per telefon",
        (Lang::En, Phone) => "By phone",
        (Lang::Fi, Video) => "Videoyhteydellä",
        (Lang::Sv, Video) => "Via video",
        (Lang::En, Video) => "By video",
        (Lang::Fi, GroupCourse) => "Ryhmäkurssi",
        (Lang::Sv, GroupCourse) => "Gruppkurs",
        (Lang::En, GroupCourse) => "Group course",
        (Lang::Fi, Event) => "Tapahtuma",
        (Lang::Sv, Event) => "Evenemang",
        (Lang::En, Event) => "Event",
    }
}

/// A distance for people: metres to the nearest 10 below a kilometre, else kilometres with
/// one decimal (decimal comma in Finnish and Swedish).
pub fn format_distance(lang: Lang, metres: f64) -> String {
    if metres < 1000.0 {
        format!("{} m", (metres / 10.0).round() * 10.0)
    } else {
        let km = format!("{:.1}", metres / 1000.0);
        match lang {
            Lang::En => format!("{km} km"),
            _ => format!("{} km", km.replace('.', ",")),
        }
    }
}

/// Staffed help until a time: "Apua saatavilla klo 15.00 asti" for a time asked about,
/// "Apua saatavilla nyt, klo 15.00 asti" only when the search is for now.
pub fn open_until(lang: Lang, now: bool, time: &str) -> String {
    match (lang, now) {
        (Lang::Fi, true) => format!("Apua saatavilla nyt, klo {time} asti"),
        (Lang::Fi, false) => format!("Apua saatavilla klo {time} asti"),
        (Lang::Sv, true) => format!("Hjälp finns nu, till kl. {time}"),
        (Lang::Sv, false) => format!("Hjälp finns till kl. {time}"),
        (Lang::En, true) => format!("Help available now, until {time}"),
        (Lang::En, false) => format!("Help available until {time}"),
    }
}

/// A distance that is only roughly known (an area centroid at either end): whole
/// kilometres after "n." / "ca" / "about".
pub fn format_approximate_distance(lang: Lang, metres: f64) -> String {
    let km = (metres / 1000.0).round().max(1.0);
    format!("{} {km} km", texts(lang).about)
}

/// "Tarkistettu 1.12.2026 (PKSOTU)": when a listing was confirmed, and by whom.
pub fn checked(lang: Lang, date: chrono::NaiveDate, by: Option<&str>) -> String {
    let d = match lang {
        Lang::En => date.format("%-d %b %Y").to_string(),
        _ => date.format("%-d.%-m.%Y").to_string(),
    };
    match by {
        Some(org) => format!("{} {d} ({org})", texts(lang).checked),
        None => format!("{} {d}", texts(lang).checked),
    }
}

/// "ukrainaksi" / "på ukrainska" / "in Ukrainian": a language of service in a sentence.
fn in_language(lang: Lang, name: &str) -> String {
    match lang {
        Lang::Fi => {
            // The Finnish translative: mostly the name + "ksi"; the vocabulary's exceptions.
            let irregular = [("suomi", "suomeksi"), ("englanti", "englanniksi"), ("vietnam", "vietnamiksi")];
            match irregular.iter().find(|(n, _)| *n == name) {
                Some((_, t)) => (*t).to_owned(),
                None if name.ends_with(|c: char| "aeiouyäö".contains(c)) => format!("{name}ksi"),
                None => format!("{name}iksi"),
            }
        }
        Lang::Sv => format!("på {name}"),
        Lang::En => format!("in {name}"),
    }
}

/// Why a staff search found nothing: no place lists the language at all.
pub fn no_place_lists_language(lang: Lang, name: &str) -> String {
    let l = in_language(lang, name);
    match lang {
        Lang::Fi => format!("Yksikään paikka ei ilmoita palvelevansa {l}."),
        Lang::Sv => format!("Ingen plats uppger att den betjänar {l}."),
        Lang::En => format!("No place says it serves {l}."),
    }
}

/// Why a staff search found nothing: no place offers help with these needs.
pub fn no_place_offers(lang: Lang, topics: &str) -> String {
    match lang {
        Lang::Fi => format!("Yksikään paikka ei ilmoita auttavansa näissä asioissa: {topics}."),
        Lang::Sv => format!("Ingen plats uppger att den hjälper med: {topics}."),
        Lang::En => format!("No place says it helps with: {topics}."),
    }
}

/// Why a staff search found nothing: the language and the needs are each offered, not together.
pub fn no_place_offers_in_language(lang: Lang, topics: &str, language: &str) -> String {
    let l = in_language(lang, language);
    match lang {
        Lang::Fi => format!("Yksikään paikka ei ilmoita auttavansa {l} näissä asioissa: {topics}."),
        Lang::Sv => format!("Ingen plats uppger att den hjälper {l} med: {topics}."),
        Lang::En => format!("No place says it helps {l} with: {topics}."),
    }
}

/// When the nearest place that fits (without the dropped criterion) has staff next.
pub fn next_staffed(lang: Lang, place: &str, when: Option<&str>) -> String {
    match (lang, when) {
        (Lang::Fi, Some(w)) => format!("Lähin sopiva paikka, {place}, palvelee seuraavan kerran {w}."),
        (Lang::Fi, None) => format!("Lähin sopiva paikka, {place}, palvelee silloin."),
        (Lang::Sv, Some(w)) => format!("Närmaste lämpliga plats, {place}, har personal nästa gång {w}."),
        (Lang::Sv, None) => format!("Närmaste lämpliga plats, {place}, har personal då."),
        (Lang::En, Some(w)) => format!("The nearest suitable place, {place}, next has staff on {w}."),
        (Lang::En, None) => format!("The nearest suitable place, {place}, has staff at that time."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_level_of_help_is_named_by_the_words_before_its_meaning() {
        use AssistanceLevel::*;
        let names: Vec<&str> = [Lang::Fi, Lang::Sv, Lang::En]
            .into_iter()
            .flat_map(|l| [Guidance, AuthorizedAssistance, InformationOnly].map(|level| level_name(l, level)))
            .collect();
        assert_eq!(
            names,
            [
                "Opastus",
                "Valtuutettu asiointi",
                "Neuvonta",
                "Handledning",
                "Ärenden med fullmakt",
                "Rådgivning",
                "Guidance",
                "Authorised assistance",
                "Information only",
            ]
        );
    }

    #[test]
    fn languages_read_as_finnish_translatives() {
        for (name, want) in [
            ("ukraina", "ukrainaksi"),
            ("suomi", "suomeksi"),
            ("englanti", "englanniksi"),
            ("venäjä", "venäjäksi"),
            ("vietnam", "vietnamiksi"),
            ("pohjoissaame", "pohjoissaameksi"),
        ] {
            assert_eq!(in_language(Lang::Fi, name), want);
        }
        assert_eq!(no_place_lists_language(Lang::Fi, "ukraina"), "Yksikään paikka ei ilmoita palvelevansa ukrainaksi.");
        assert_eq!(open_until(Lang::Fi, false, "15.00"), "Apua saatavilla klo 15.00 asti");
        assert_eq!(open_until(Lang::Sv, false, "13.00"), "Hjälp finns till kl. 13.00");
        assert_eq!(open_until(Lang::En, false, "15:00"), "Help available until 15:00");
    }
}
