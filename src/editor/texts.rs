//! The partner editor's words in Finnish, Swedish and English, and the write path's field
//! errors put into the partner's language.

use crate::i18n::Lang;

pub struct Words {
    pub title: &'static str,
    pub sign_in: &'static str,
    pub sign_in_intro: &'static str,
    pub key: &'static str,
    pub key_hint: &'static str,
    pub bad_key: &'static str,
    pub too_many_attempts: &'static str,
    pub sign_out: &'static str,
    pub signed_out: &'static str,
    pub signed_in_as: &'static str,
    pub coordinator: &'static str,
    pub own_listings: &'static str,
    pub locations: &'static str,
    pub services: &'static str,
    pub events: &'static str,
    pub confirmed: &'static str,
    pub changed: &'static str,
    pub next_time: &'static str,
    pub level: &'static str,
    pub never: &'static str,
    pub needs_confirming: &'static str,
    pub up_to_date: &'static str,
    pub added_recently: &'static str,
    pub no_hours: &'static str,
    pub none: &'static str,
    pub no_upcoming: &'static str,
    pub events_note: &'static str,
    pub services_note: &'static str,
    pub contact: &'static str,
    pub phone: &'static str,
    pub email: &'static str,
    pub website: &'static str,
    pub empty_removes: &'static str,
    pub save: &'static str,
    pub hours: &'static str,
    pub hours_intro: &'static str,
    pub regular_hours: &'static str,
    pub season: &'static str,
    pub new_season: &'static str,
    pub new_season_hint: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub season_name: &'static str,
    pub remove_season: &'static str,
    pub opens: &'static str,
    pub closes: &'static str,
    pub kind: &'static str,
    pub staffed: &'static str,
    pub self_service: &'static str,
    pub range: &'static str,
    pub ranges_hint: &'static str,
    pub open_on_holidays: &'static str,
    pub save_hours: &'static str,
    pub exceptions: &'static str,
    pub no_exceptions: &'static str,
    pub past_exceptions: &'static str,
    pub add_exception: &'static str,
    pub date: &'static str,
    pub date_hint: &'static str,
    pub closed_all_day: &'static str,
    pub other_hours: &'static str,
    pub closed: &'static str,
    pub reason_fi: &'static str,
    pub reason_sv: &'static str,
    pub reason_en: &'static str,
    pub remove: &'static str,
    pub services_here: &'static str,
    pub level_note: &'static str,
    pub no_services_here: &'static str,
    pub add_service: &'static str,
    pub service: &'static str,
    pub add: &'static str,
    pub remove_from_location: &'static str,
    pub confirm: &'static str,
    pub confirm_intro: &'static str,
    pub confirm_button: &'static str,
    pub saved: &'static str,
    pub thanks_confirmed: &'static str,
    pub errors_title: &'static str,
    pub error: &'static str,
    pub conflict: &'static str,
    pub form_expired: &'static str,
    pub not_allowed: &'static str,
    pub not_found: &'static str,
    pub slow_down: &'static str,
    pub failed: &'static str,
    pub back: &'static str,
    pub organization: &'static str,
    pub show: &'static str,
    pub stale_report: &'static str,
    pub stale_intro: &'static str,
    pub days_unconfirmed: &'static str,
    pub no_stale: &'static str,
    pub closed_day_events: &'static str,
    pub closed_day_intro: &'static str,
    pub keys: &'static str,
    pub keys_in_use: &'static str,
    pub removed: &'static str,
    pub key_required: &'static str,
    pub ended: &'static str,
    pub all_organizations: &'static str,
    pub sign_in_first: &'static str,
    pub keys_intro: &'static str,
    pub key_name: &'static str,
    pub key_name_hint: &'static str,
    pub key_admin: &'static str,
    pub create_key: &'static str,
    pub new_key: &'static str,
    pub key_start: &'static str,
    pub created: &'static str,
    pub last_used: &'static str,
    pub revoked: &'static str,
    pub revoke: &'static str,
    pub weekdays: [&'static str; 7],
}

const FI: Words = Words {
    title: "Kumppanin tietojen ylläpito",
    sign_in: "Kirjaudu sisään",
    sign_in_intro: "Kirjaudu organisaatiosi avaimella. Avaimen saat Digituki-verkoston koordinaattorilta.",
    key: "Avain",
    key_hint: "Avain alkaa merkeillä dtk_.",
    bad_key: "Avainta ei tunnistettu, tai se on poistettu käytöstä. Tarkista avain tai pyydä uusi koordinaattorilta.",
    too_many_attempts: "Liian monta yritystä. Yritä hetken kuluttua uudelleen.",
    sign_out: "Kirjaudu ulos",
    signed_out: "Olet kirjautunut ulos.",
    signed_in_as: "Kirjautuneena",
    coordinator: "koordinaattori",
    own_listings: "Toimipisteet ja palvelut",
    locations: "Toimipisteet",
    services: "Palvelut",
    events: "Tapahtumat",
    confirmed: "Vahvistettu",
    changed: "Muutettu",
    next_time: "Seuraava kerta",
    level: "Tuen taso",
    never: "Ei vielä vahvistettu",
    needs_confirming: "Vahvistamatta yli 180 päivää",
    up_to_date: "Vahvistettu alle 180 päivää sitten",
    added_recently: "Lisätty alle 180 päivää sitten, ei vielä vahvistettu",
    no_hours: "Aukioloaikoja ei ole vielä annettu: julkisilla sivuilla kerrotaan, että ne eivät ole tiedossa.",
    none: "Ei yhtään.",
    no_upcoming: "ei tulevia kertoja",
    events_note: "Tapahtumia ei vielä voi muokata täällä. Pyydä muutokset koordinaattorilta.",
    services_note: "Voit muuttaa palvelun tuen tasoa toimipisteen sivulla kohdassa ”Palvelut tässä toimipisteessä”.",
    contact: "Yhteystiedot",
    phone: "Puhelin",
    email: "Sähköposti",
    website: "Verkkosivu",
    empty_removes: "Tyhjäksi jätetty kenttä poistaa tiedon.",
    save: "Tallenna",
    hours: "Aukioloajat",
    hours_intro: "Henkilökunta paikalla: paikalla on joku, jolta voi kysyä neuvoa. Omatoimiaika: tilat ovat auki (esimerkiksi kirjastokortilla), mutta henkilökuntaa ei ole paikalla.",
    regular_hours: "Tavalliset aukioloajat",
    season: "Kausi",
    new_season: "Uusi kausi",
    new_season_hint: "Täytä vain, jos haluat lisätä kauden (esimerkiksi kesäaukiolon). Anna kaudelle alkamispäivä, päättymispäivä tai molemmat. Tavallisia aukioloaikoja käytetään, kun mikään kausi ei ole voimassa.",
    from: "Alkaa (päivä)",
    to: "Päättyy (päivä)",
    season_name: "Kauden nimi",
    remove_season: "Poista tämä kausi",
    opens: "alkaa",
    closes: "päättyy",
    kind: "henkilökuntaa paikalla vai omatoimiaika",
    staffed: "Henkilökunta",
    self_service: "Omatoimi",
    range: "aika",
    ranges_hint: "Lisää aika täyttämällä viikonpäivän tyhjä rivi. Poista aika tyhjentämällä sen kellonajat. Tallennuksen jälkeen jokaiselle viikonpäivälle tulee taas tyhjä rivi.",
    open_on_holidays: "Auki myös arkipyhinä",
    save_hours: "Tallenna aukioloajat",
    exceptions: "Poikkeuspäivät",
    no_exceptions: "Ei tulevia poikkeuspäiviä.",
    past_exceptions: "Menneitä poikkeuspäiviä (piilotettu)",
    add_exception: "Lisää poikkeuspäivä",
    date: "Päivä",
    date_hint: "Päivä.kuukausi.vuosi, esimerkiksi 24.12.2027.",
    closed_all_day: "Suljettu koko päivän",
    other_hours: "Poikkeavat aukioloajat",
    closed: "suljettu",
    reason_fi: "Syy suomeksi (pakollinen)",
    reason_sv: "Syy ruotsiksi (vapaaehtoinen)",
    reason_en: "Syy englanniksi (vapaaehtoinen)",
    remove: "Poista",
    services_here: "Palvelut tässä toimipisteessä",
    level_note: "Tuen taso kuuluu palvelulle: muutos näkyy kaikissa toimipisteissä, joissa palvelua tarjotaan.",
    no_services_here: "Tähän toimipisteeseen ei ole liitetty palveluja.",
    add_service: "Lisää palvelu tähän toimipisteeseen",
    service: "Palvelu",
    add: "Lisää",
    remove_from_location: "Poista tästä toimipisteestä",
    confirm: "Vahvista tiedot",
    confirm_intro: "Kun olet tarkistanut tämän toimipisteen tiedot (yhteystiedot, aukioloajat, poikkeuspäivät ja palvelut), vahvista ne. Vahvistuspäivä näkyy julkisilla sivuilla. Palvelujen ja tapahtumien omat vahvistukset tekee koordinaattori.",
    confirm_button: "Tiedot ovat ajan tasalla",
    saved: "Tallennettu.",
    thanks_confirmed: "Kiitos! Toimipisteen tiedot on merkitty tarkistetuiksi.",
    errors_title: "Tarkista merkityt kentät",
    error: "Virhe",
    conflict: "Joku muu muutti näitä tietoja sillä välin. Sivulla näkyvät nyt tallennetut tiedot: tee muutoksesi uudelleen.",
    form_expired: "Lomake on vanhentunut. Avaa sivu uudelleen ja yritä uudestaan.",
    not_allowed: "Tällä avaimella ei voi muuttaa tätä tietoa.",
    not_found: "Tietoa ei löytynyt. Se on ehkä poistettu.",
    slow_down: "Liian monta muutosta lyhyessä ajassa. Odota hetki ja yritä uudelleen.",
    failed: "Tallennus ei onnistunut palvelimen häiriön vuoksi. Yritä hetken kuluttua uudelleen.",
    back: "← Toimipisteet ja palvelut",
    organization: "Organisaatio",
    show: "Näytä",
    stale_report: "Vahvistamatta jääneet tiedot",
    stale_intro: "Toimipisteet, joiden tietoja kukaan ei ole vahvistanut 180 päivään (lisäyksestä tai edellisestä vahvistuksesta), pisimpään vahvistamatta olleet ensin.",
    days_unconfirmed: "Päiviä vahvistamatta",
    no_stale: "Yksikään toimipiste ei ole ollut vahvistamatta yli 180:tä päivää lisäyksestä tai edellisestä vahvistuksesta.",
    closed_day_events: "Tapahtumat päivinä, joina toimipiste on suljettu",
    closed_day_intro: "Seuraavan 12 kuukauden tapahtumakerrat päivinä, joina toimipiste on aukioloaikojensa mukaan suljettu: tarkista järjestäjältä.",
    keys: "Avaimet",
    keys_in_use: "Kaikki avaimet",
    removed: "Poistettu.",
    key_required: "Anna avain.",
    ended: "päättynyt",
    all_organizations: "Organisaatiot",
    sign_in_first: "Kirjaudu ensin sisään.",
    keys_intro: "Jokaisella kumppanilla on oma avaimensa. Avain näytetään vain kerran, kun se luodaan. Kopioi se heti talteen: sitä ei voi näyttää myöhemmin.",
    key_name: "Avaimen nimi",
    key_name_hint: "Kuka avainta käyttää, esimerkiksi ”Kansalaistalon vapaaehtoiset”.",
    key_admin: "Koordinaattorin avain (kaikki organisaatiot)",
    create_key: "Luo avain",
    new_key: "Uusi avain. Kopioi se nyt ja anna se käyttäjälle: sitä ei näytetä uudelleen.",
    key_start: "Avain alkaa",
    created: "Luotu",
    last_used: "Viimeksi käytetty",
    revoked: "Poistettu käytöstä",
    revoke: "Poista käytöstä",
    weekdays: ["Maanantai", "Tiistai", "Keskiviikko", "Torstai", "Perjantai", "Lauantai", "Sunnuntai"],
};

const SV: Words = Words {
    title: "Uppdatera partneruppgifter",
    sign_in: "Logga in",
    sign_in_intro: "Logga in med din organisations nyckel. Nyckeln får du av Digituki-nätverkets koordinator.",
    key: "Nyckel",
    key_hint: "Nyckeln börjar med dtk_.",
    bad_key: "Nyckeln kändes inte igen eller har återkallats. Kontrollera nyckeln eller be koordinatorn om en ny.",
    too_many_attempts: "För många försök. Försök igen om en stund.",
    sign_out: "Logga ut",
    signed_out: "Du har loggat ut.",
    signed_in_as: "Inloggad som",
    coordinator: "koordinator",
    own_listings: "Verksamhetsställen och tjänster",
    locations: "Verksamhetsställen",
    services: "Tjänster",
    events: "Evenemang",
    confirmed: "Bekräftad",
    changed: "Ändrad",
    next_time: "Nästa gång",
    level: "Stödnivå",
    never: "Inte bekräftad ännu",
    needs_confirming: "Obekräftad i över 180 dagar",
    up_to_date: "Bekräftad för mindre än 180 dagar sedan",
    added_recently: "Tillagd för mindre än 180 dagar sedan, inte bekräftad ännu",
    no_hours: "Inga öppettider har angetts ännu: de offentliga sidorna säger att de inte är kända.",
    none: "Inga.",
    no_upcoming: "inga kommande tillfällen",
    events_note: "Evenemang kan inte ännu ändras här. Be koordinatorn om ändringar.",
    services_note: "Du kan ändra en tjänsts stödnivå på verksamhetsställets sida under ”Tjänster på detta verksamhetsställe”.",
    contact: "Kontaktuppgifter",
    phone: "Telefon",
    email: "E-post",
    website: "Webbplats",
    empty_removes: "Ett fält som lämnas tomt tar bort uppgiften.",
    save: "Spara",
    hours: "Öppettider",
    hours_intro: "Personal på plats: det finns någon att fråga. Meröppet: lokalerna är öppna (till exempel med bibliotekskort), men ingen personal finns på plats.",
    regular_hours: "Ordinarie öppettider",
    season: "Säsong",
    new_season: "Ny säsong",
    new_season_hint: "Fyll i endast om du vill lägga till en säsong (till exempel sommaröppettider). Ange ett startdatum, ett slutdatum eller båda. De ordinarie öppettiderna används när ingen säsong pågår.",
    from: "Börjar (datum)",
    to: "Slutar (datum)",
    season_name: "Säsongens namn",
    remove_season: "Ta bort denna säsong",
    opens: "börjar",
    closes: "slutar",
    kind: "personal på plats eller meröppet",
    staffed: "Personal",
    self_service: "Meröppet",
    range: "tid",
    ranges_hint: "Lägg till en tid genom att fylla i den tomma raden under veckodagen. Ta bort en tid genom att tömma dess klockslag. Efter att du sparat får varje veckodag en ny tom rad.",
    open_on_holidays: "Öppet även på söckenhelger",
    save_hours: "Spara öppettiderna",
    exceptions: "Avvikande dagar",
    no_exceptions: "Inga kommande avvikande dagar.",
    past_exceptions: "Tidigare avvikande dagar (dolda)",
    add_exception: "Lägg till en avvikande dag",
    date: "Datum",
    date_hint: "Dag.månad.år, till exempel 24.12.2027.",
    closed_all_day: "Stängt hela dagen",
    other_hours: "Avvikande öppettider",
    closed: "stängt",
    reason_fi: "Orsak på finska (obligatorisk)",
    reason_sv: "Orsak på svenska (frivilligt)",
    reason_en: "Orsak på engelska (frivilligt)",
    remove: "Ta bort",
    services_here: "Tjänster på detta verksamhetsställe",
    level_note: "Stödnivån hör till tjänsten: ändringen syns på alla verksamhetsställen där tjänsten erbjuds.",
    no_services_here: "Inga tjänster har kopplats till detta verksamhetsställe.",
    add_service: "Lägg till en tjänst på detta verksamhetsställe",
    service: "Tjänst",
    add: "Lägg till",
    remove_from_location: "Ta bort från detta verksamhetsställe",
    confirm: "Bekräfta uppgifterna",
    confirm_intro: "När du har kontrollerat uppgifterna om detta verksamhetsställe (kontaktuppgifter, öppettider, avvikande dagar och tjänster), bekräfta dem. Datumet för bekräftelsen syns på de offentliga sidorna. Tjänsternas och evenemangens egna bekräftelser gör koordinatorn.",
    confirm_button: "Uppgifterna är aktuella",
    saved: "Sparat.",
    thanks_confirmed: "Tack! Verksamhetsställets uppgifter har markerats som kontrollerade.",
    errors_title: "Kontrollera de markerade fälten",
    error: "Fel",
    conflict: "Någon annan ändrade uppgifterna under tiden. Sidan visar nu det som är sparat: gör din ändring igen.",
    form_expired: "Formuläret har gått ut. Öppna sidan på nytt och försök igen.",
    not_allowed: "Med denna nyckel kan du inte ändra denna uppgift.",
    not_found: "Uppgiften hittades inte. Den har kanske tagits bort.",
    slow_down: "För många ändringar på kort tid. Vänta en stund och försök igen.",
    failed: "Det gick inte att spara på grund av en störning i servern. Försök igen om en stund.",
    back: "← Verksamhetsställen och tjänster",
    organization: "Organisation",
    show: "Visa",
    stale_report: "Obekräftade uppgifter",
    stale_intro: "Verksamhetsställen vars uppgifter ingen har bekräftat på 180 dagar (sedan de lades till eller senast bekräftades), de som varit obekräftade längst visas först.",
    days_unconfirmed: "Dagar obekräftad",
    no_stale: "Inget verksamhetsställe har varit obekräftat i över 180 dagar sedan det lades till eller senast bekräftades.",
    closed_day_events: "Evenemang på dagar då verksamhetsstället är stängt",
    closed_day_intro: "Evenemangstillfällen under de kommande 12 månaderna på dagar då verksamhetsstället enligt öppettiderna är stängt: kontrollera med arrangören.",
    keys: "Nycklar",
    keys_in_use: "Alla nycklar",
    removed: "Borttaget.",
    key_required: "Ange nyckeln.",
    ended: "har upphört",
    all_organizations: "Organisationer",
    sign_in_first: "Logga in först.",
    keys_intro: "Varje partner har en egen nyckel. Nyckeln visas bara en gång, när den skapas. Kopiera den genast: den kan inte visas senare.",
    key_name: "Nyckelns namn",
    key_name_hint: "Vem som använder nyckeln, till exempel ”Medborgarhusets frivilliga”.",
    key_admin: "Koordinatorns nyckel (alla organisationer)",
    create_key: "Skapa nyckel",
    new_key: "Ny nyckel. Kopiera den nu och ge den till användaren: den visas inte igen.",
    key_start: "Nyckeln börjar med",
    created: "Skapad",
    last_used: "Senast använd",
    revoked: "Återkallad",
    revoke: "Återkalla",
    weekdays: ["Måndag", "Tisdag", "Onsdag", "Torsdag", "Fredag", "Lördag", "Söndag"],
};

const EN: Words = Words {
    title: "Partner details editor",
    sign_in: "Sign in",
    sign_in_intro: "Sign in with your organisation's key. The coordinator of the Digituki network gives you the key.",
    key: "Key",
    key_hint: "The key starts with dtk_.",
    bad_key: "The key was not recognised, or it has been revoked. Check the key or ask the coordinator for a new one.",
    too_many_attempts: "Too many attempts. Try again in a moment.",
    sign_out: "Sign out",
    signed_out: "You have signed out.",
    signed_in_as: "Signed in as",
    coordinator: "coordinator",
    own_listings: "Locations and services",
    locations: "Locations",
    services: "Services",
    events: "Events",
    confirmed: "Confirmed",
    changed: "Last changed",
    next_time: "Next time",
    level: "Level of help",
    never: "Not confirmed yet",
    needs_confirming: "Unconfirmed for over 180 days",
    up_to_date: "Confirmed less than 180 days ago",
    added_recently: "Added less than 180 days ago, not confirmed yet",
    no_hours: "No opening hours have been given yet: the public pages say they are not known.",
    none: "None.",
    no_upcoming: "no upcoming dates",
    events_note: "Events cannot be changed here yet. Ask the coordinator for changes.",
    services_note: "You can change a service's level of help on a location's page, under “Services at this location”.",
    contact: "Contact details",
    phone: "Phone",
    email: "Email",
    website: "Website",
    empty_removes: "Leaving a field empty removes that detail.",
    save: "Save",
    hours: "Opening hours",
    hours_intro: "Staffed: someone is there to ask. Self-service: the premises are open (for example with a library card), but no staff are present.",
    regular_hours: "Regular hours",
    season: "Season",
    new_season: "New season",
    new_season_hint: "Fill in only to add a season (for example summer hours). Give a first day, a last day or both. The regular hours are used when no season is in effect.",
    from: "First day",
    to: "Last day",
    season_name: "Name of the season",
    remove_season: "Remove this season",
    opens: "starts",
    closes: "ends",
    kind: "staffed or self-service",
    staffed: "Staffed",
    self_service: "Self-service",
    range: "time",
    ranges_hint: "Add a time by filling in the empty row under the weekday. Remove a time by clearing its start and end. After saving, every weekday gets a new empty row.",
    open_on_holidays: "Open on public holidays too",
    save_hours: "Save opening hours",
    exceptions: "Special days",
    no_exceptions: "No upcoming special days.",
    past_exceptions: "Past special days (hidden)",
    add_exception: "Add a special day",
    date: "Date",
    date_hint: "Day.month.year, for example 24.12.2027.",
    closed_all_day: "Closed all day",
    other_hours: "Special opening hours",
    closed: "closed",
    reason_fi: "Reason in Finnish (required)",
    reason_sv: "Reason in Swedish (optional)",
    reason_en: "Reason in English (optional)",
    remove: "Remove",
    services_here: "Services at this location",
    level_note: "The level of help belongs to the service: a change shows at every location offering it.",
    no_services_here: "No services have been added to this location.",
    add_service: "Add a service to this location",
    service: "Service",
    add: "Add",
    remove_from_location: "Remove from this location",
    confirm: "Confirm the details",
    confirm_intro: "When you have checked this location's details (contact details, hours, special days and services), confirm them. The date of confirmation shows on the public pages. Services and events are confirmed separately by the coordinator.",
    confirm_button: "The details are up to date",
    saved: "Saved.",
    thanks_confirmed: "Thank you! The location's details are marked as checked.",
    errors_title: "Check the marked fields",
    error: "Error",
    conflict: "Someone else changed these details in the meantime. The page now shows what is stored: make your change again.",
    form_expired: "The form has expired. Open the page again and try once more.",
    not_allowed: "This key may not change this record.",
    not_found: "The record was not found. It may have been removed.",
    slow_down: "Too many changes in a short time. Wait a moment and try again.",
    failed: "Saving failed because of a fault on the server. Try again in a moment.",
    back: "← Locations and services",
    organization: "Organisation",
    show: "Show",
    stale_report: "Listings to confirm",
    stale_intro: "Locations whose details nobody has confirmed for 180 days (since they were added or last confirmed), the longest unconfirmed first.",
    days_unconfirmed: "Days unconfirmed",
    no_stale: "No location has gone unconfirmed for over 180 days since it was added or last confirmed.",
    closed_day_events: "Events on days when the location is closed",
    closed_day_intro: "Event dates in the next 12 months on which the location is closed according to its hours: check with the organiser.",
    keys: "Keys",
    keys_in_use: "All keys",
    removed: "Removed.",
    key_required: "Enter your key.",
    ended: "ended",
    all_organizations: "Organisations",
    sign_in_first: "Sign in first.",
    keys_intro: "Each partner has a key of its own. A key is shown only once, when it is created. Copy it at once: it cannot be shown later.",
    key_name: "Name of the key",
    key_name_hint: "Who uses the key, for example “Kansalaistalo volunteers”.",
    key_admin: "Coordinator's key (all organisations)",
    create_key: "Create a key",
    new_key: "The new key. Copy it now and give it to its user: it is not shown again.",
    key_start: "Key starts with",
    created: "Created",
    last_used: "Last used",
    revoked: "Revoked",
    revoke: "Revoke",
    weekdays: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
};

pub fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Fi => &FI,
        Lang::Sv => &SV,
        Lang::En => &EN,
    }
}

/// What the editor itself finds wrong in a form, before the write path sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormProblem {
    Time,
    BothTimes,
    Date,
    DateRequired,
    HoursOrClosed,
    SeasonNeedsDate,
    ChooseService,
    PastDate,
    NoHours,
}

pub fn form_problem(lang: Lang, p: FormProblem) -> &'static str {
    use FormProblem::*;
    match (lang, p) {
        (Lang::Fi, Time) => "Tämä ei ole kellonaika. Anna aika väliltä 0.00–24.00, esimerkiksi 10.00.",
        (Lang::Sv, Time) => "Detta är inte ett klockslag. Ange en tid mellan 0.00 och 24.00, till exempel 10.00.",
        (Lang::En, Time) => "This is not a time of day. Give a time between 00:00 and 24:00, for example 10:00.",
        (Lang::Fi, BothTimes) => "Anna sekä alkamis- että päättymisaika.",
        (Lang::Sv, BothTimes) => "Ange både när tiden börjar och när den slutar.",
        (Lang::En, BothTimes) => "Give both a start and an end time.",
        (Lang::Fi, Date) => "Anna päivämäärä muodossa 24.12.2027.",
        (Lang::Sv, Date) => "Ange ett datum som 24.12.2027.",
        (Lang::En, Date) => "Give a date such as 24.12.2027.",
        (Lang::Fi, DateRequired) => "Anna päivä.",
        (Lang::Sv, DateRequired) => "Ange datum.",
        (Lang::En, DateRequired) => "Give the date.",
        (Lang::Fi, HoursOrClosed) => "Anna aukioloajat tälle päivälle tai valitse ”Suljettu koko päivän”.",
        (Lang::Sv, HoursOrClosed) => "Ange öppettiderna för dagen eller välj ”Stängt hela dagen”.",
        (Lang::En, HoursOrClosed) => "Give the hours for the day or choose “Closed all day”.",
        (Lang::Fi, SeasonNeedsDate) => "Anna kaudelle alkamispäivä, päättymispäivä tai molemmat.",
        (Lang::Sv, SeasonNeedsDate) => "Ange ett startdatum, ett slutdatum eller båda för säsongen.",
        (Lang::En, SeasonNeedsDate) => "Give the season a first day, a last day or both.",
        (Lang::Fi, NoHours) => {
            "Anna vähintään yksi aika. Jos paikka ei ole enää käytössä, kerro siitä koordinaattorille."
        }
        (Lang::Sv, NoHours) => "Ange minst en tid. Om stället inte längre är i bruk, meddela koordinatorn.",
        (Lang::En, NoHours) => "Give at least one time. If the place is no longer in use, tell the coordinator.",
        (Lang::Fi, PastDate) => "Päivä on jo mennyt. Anna tänään tai myöhemmin oleva päivä.",
        (Lang::Sv, PastDate) => "Dagen har redan varit. Ange i dag eller ett senare datum.",
        (Lang::En, PastDate) => "That day has passed. Give today or a later date.",
        (Lang::Fi, ChooseService) => "Valitse palvelu.",
        (Lang::Sv, ChooseService) => "Välj en tjänst.",
        (Lang::En, ChooseService) => "Choose a service.",
    }
}

/// A field error of the write path (written for API clients, with JSON paths and field names)
/// in plain words in the partner's language. Every message the editor's fields can get is known
/// here (a unit test makes sure); one that is not (a rule added later) is shown as it is rather
/// than hidden.
pub fn field_message(lang: Lang, message: &str) -> String {
    let m = message;
    let pick = |fi: String, sv: String, en: String| match lang {
        Lang::Fi => fi,
        Lang::Sv => sv,
        Lang::En => en,
    };
    let known = |fi: &str, sv: &str, en: &str| Some(pick(fi.into(), sv.into(), en.into()));
    let translated = if m.starts_with("must be a phone number") {
        known(
            "Anna puhelinnumero muodossa +358 13 123 4567 tai 013 123 4567.",
            "Ange ett telefonnummer som +358 13 123 4567 eller 013 123 4567.",
            "Give a phone number such as +358 13 123 4567 or 013 123 4567.",
        )
    } else if m.starts_with("must be an e-mail address") {
        known(
            "Anna sähköpostiosoite muodossa nimi@esimerkki.fi.",
            "Ange en e-postadress som namn@exempel.fi.",
            "Give an email address such as name@example.fi.",
        )
    } else if m.contains("http or https URL") {
        known(
            "Anna verkko-osoite, joka alkaa https:// tai http://, esimerkiksi https://www.esimerkki.fi.",
            "Ange en webbadress som börjar med https:// eller http://, till exempel https://www.exempel.fi.",
            "Give a web address starting with https:// or http://, for example https://www.example.fi.",
        )
    } else if let Some(n) = m.strip_prefix("must be at most ").and_then(|r| r.strip_suffix(" characters")) {
        Some(pick(format!("Enintään {n} merkkiä."), format!("Högst {n} tecken."), format!("At most {n} characters.")))
    } else if m.starts_with("must not contain control characters") {
        known(
            "Teksti ei saa sisältää ohjausmerkkejä.",
            "Texten får inte innehålla styrtecken.",
            "The text must not contain control characters.",
        )
    } else if m.starts_with("must not contain bidirectional") {
        known(
            "Teksti ei saa sisältää kirjoitussuuntaa ohjaavia merkkejä.",
            "Texten får inte innehålla tecken som styr skrivriktningen.",
            "The text must not contain characters that change the writing direction.",
        )
    } else if m == "a Finnish text is required" || m == "an exception needs a reason in Finnish" {
        known("Kirjoita teksti suomeksi.", "Skriv texten på finska.", "Write the text in Finnish.")
    } else if m.starts_with("zero-length range") {
        known(
            "Alkamis- ja päättymisaika ovat samat. Koko vuorokausi on 0.00–24.00.",
            "Tiden börjar och slutar samtidigt. Ett helt dygn är 0.00–24.00.",
            "The time starts and ends at the same moment. A whole day is 00:00–24:00.",
        )
    } else if m.contains("ends before it starts") {
        known(
            "Aika päättyy ennen kuin alkaa. Ovatko alkamis- ja päättymisaika väärin päin?",
            "Tiden slutar innan den börjar. Har start och slut bytt plats?",
            "The time ends before it starts. Are the start and end the wrong way round?",
        )
    } else if m.contains("overlaps") {
        known(
            "Aika menee päällekkäin saman päivän toisen ajan kanssa.",
            "Tiden överlappar en annan tid samma dag.",
            "The time overlaps another time on the same day.",
        )
    } else if m.starts_with("valid_to") {
        known(
            "Päättymispäivä on ennen alkamispäivää.",
            "Slutdatumet är före startdatumet.",
            "The last day is before the first day.",
        )
    } else if m.starts_with("more than one default period") {
        known(
            "Anna kaudelle alkamispäivä, päättymispäivä tai molemmat.",
            "Ange ett startdatum, ett slutdatum eller båda för säsongen.",
            "Give the season a first day, a last day or both.",
        )
    } else if m.starts_with("same validity as") {
        known(
            "Toisella kaudella on samat päivämäärät.",
            "En annan säsong har samma datum.",
            "Another season has the same dates.",
        )
    } else if m.starts_with("duplicate exception date") {
        known(
            "Tälle päivälle on jo poikkeus.",
            "Det finns redan en avvikelse för detta datum.",
            "There is already a special day on this date.",
        )
    } else if m.starts_with("must be one of") || m.starts_with("is required: one of") {
        known("Valitse jokin vaihtoehdoista.", "Välj ett av alternativen.", "Choose one of the options.")
    } else {
        None
    };
    translated.unwrap_or_else(|| capitalised(message))
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::Errors;

    /// Every message the validators give the editor's fields is put into Finnish and Swedish.
    #[test]
    fn the_write_paths_messages_for_editor_fields_are_translated() {
        let mut e = Errors::default();
        e.phone("phone", &Some("12".into()));
        e.email("email", &Some("nobody".into()));
        e.url("website", &Some("javascript:alert(1)".into()));
        e.url("website", &Some("www.example.fi".into()));
        e.string("phone", &Some("x".repeat(300)), 40);
        e.text("reason", &Some(crate::edit::TextInput { fi: None, sv: Some("x".into()), en: None }), true, 100);
        let mut messages: Vec<String> = e.into_messages();
        let hours: crate::hours::OpeningHours = serde_json::from_value(serde_json::json!({
            "periods": [
                {"week": {"tue": [{"start": "10:00", "end": "10:00", "kind": "staffed"},
                                  {"start": "16:00", "end": "09:00", "kind": "staffed"},
                                  {"start": "11:00", "end": "14:00", "kind": "staffed"},
                                  {"start": "12:00", "end": "13:00", "kind": "self_service"}]}},
                {"week": {}},
                {"valid_from": "2027-06-10", "valid_to": "2027-06-01", "week": {}},
                {"valid_from": "2027-06-10", "valid_to": "2027-06-01", "week": {}}
            ],
            "exceptions": [{"date": "2027-12-24", "ranges": [], "reason": {"fi": ""}}]
        }))
        .unwrap();
        messages.extend(hours.validate().into_iter().map(|p| p.message));
        assert!(messages.len() >= 12, "{messages:?}");
        for m in &messages {
            for lang in Lang::ALL {
                let shown = field_message(lang, m);
                assert_ne!(&shown, &capitalised(m), "not put into plain words in {lang:?}: {m}");
            }
        }
        assert_eq!(field_message(Lang::Fi, "must be at most 40 characters"), "Enintään 40 merkkiä.");
        assert_eq!(
            field_message(Lang::En, "must be an e-mail address like name@example.fi"),
            "Give an email address such as name@example.fi."
        );
        assert_eq!(field_message(Lang::Sv, "a rule added later"), "A rule added later", "shown as it is");
    }
}
