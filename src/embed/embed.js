/*! Digituki directory widget: <digituki-directory>. No dependencies.
 * Usage: <script src="https://SERVER/embed.js" defer></script>
 *        <digituki-directory lang="fi" municipality="Joensuu"></digituki-directory>
 * Attributes: lang (fi|sv|en), topic (codes, comma-separated), municipality (code or name),
 * near (postal code: nearest first), language (ISO 639-1 language of service), limit (1-100),
 * show ("places", the default, or "events": upcoming occurrences of the next 30 days).
 * Styling: CSS custom properties --digituki-font, --digituki-text, --digituki-muted,
 * --digituki-background, --digituki-accent, --digituki-border, --digituki-radius,
 * --digituki-open, --digituki-closed, --digituki-focus.
 * Data is always put into the page with textContent and createElement, never parsed as markup.
 */
(function () {
  "use strict";
  // The API lives where this script came from, whatever page includes it.
  var script = document.currentScript;
  var API = script && script.src ? new URL(script.src, document.baseURI).origin : window.location.origin;

  // Every text in Finnish, Swedish and English side by side ([fi, sv, en]); a function takes
  // what the text is about. `TEXTS[lang]` picks one language.
  var WORDS = {
    title: ["Mistä apua digiasioihin", "Här får du hjälp med digitala ärenden", "Where to get help with digital matters"],
    loading: ["Haetaan paikkoja…", "Söker platser…", "Looking for places…"],
    error: ["Paikkojen haku ei onnistunut.", "Det gick inte att hämta platserna.", "The places could not be loaded."],
    none: ["Hakuehdoilla ei löytynyt paikkoja.", "Inga platser motsvarar sökningen.", "No places match the search."],
    count: [function (n) { return n === 1 ? "1 paikka" : n + " paikkaa"; }, function (n) { return n === 1 ? "1 plats" : n + " platser"; }, function (n) { return n === 1 ? "1 place" : n + " places"; }],
    distance: ["Etäisyys", "Avstånd", "Distance"],
    address: ["Osoite", "Adress", "Address"],
    topics: ["Aiheet", "Ämnen", "Topics"],
    languages: ["Palvelukielet", "Betjäningsspråk", "Languages of service"],
    how: ["Miten apua saa", "Så får du hjälp", "How to get help"],
    booking: ["Ajanvaraus", "Tidsbokning", "Booking"],
    phone: ["Puhelin", "Telefon", "Phone"],
    website: ["Verkkosivu", "Webbplats", "Website"],
    details: ["Tiedot ja aukioloajat", "Uppgifter och öppettider", "Details and opening hours"],
    openUntil: [function (c) { return "Apua saatavilla nyt, klo " + c + " asti"; }, function (c) { return "Hjälp finns nu, till kl. " + c; }, function (c) { return "Help available now, until " + c; }],
    open: ["Apua saatavilla nyt", "Hjälp finns nu", "Help available now"],
    selfService: ["Omatoimiaika: henkilökuntaa ei paikalla", "Meröppet: ingen personal på plats", "Self-service hours: no staff present"],
    closed: ["Suljettu nyt", "Stängt nu", "Closed now"],
    opens: ["Avautuu", "Öppnar", "Opens"],
    selfFrom: ["Omatoimiaika (ei opastusta) alkaa", "Meröppet (ingen handledning) från", "Self-service hours (no help) from"],
    unknown: ["Aukioloajat eivät tiedossa – soita ensin", "Öppettiderna är inte kända – ring först", "Opening hours not known – call first"],
    unconfirmed: ["Aukioloaikoja ei ole vahvistettu – tarkista ennen lähtöä", "Öppettiderna är inte bekräftade – kontrollera före besöket", "Opening hours not confirmed – check before you go"],
    about: ["n.", "ca", "about"],
    samePostal: ["samalla postinumeroalueella", "inom samma postnummerområde", "in the same postal code area"],
    checked: ["Tarkistettu", "Kontrollerad", "Checked"],
    assumed: ["Paikan tiedot on päätelty lähteistä – tarkista ennen lähtöä", "Uppgifterna är härledda ur källor – kontrollera före besöket", "These details are inferred from sources – check before you go"],
    email: ["Sähköposti", "E-post", "Email"],
    accessibility: ["Esteettömyys", "Tillgänglighet", "Accessibility"],
    posMunicipality: ["Sijainti on arvio (kunnan keskusta); tarkka paikka ei ole tiedossa.", "Läget är uppskattat (kommunens centrum); den exakta platsen är inte känd.", "The position is an estimate (the municipality's centre); the exact place is not known."],
    posPostal: ["Sijainti on arvio (postinumeroalueen keskipiste); tarkka paikka ei ole tiedossa.", "Läget är uppskattat (postnummerområdets mittpunkt); den exakta platsen är inte känd.", "The position is an estimate (the postal code area's centre); the exact place is not known."],
    phoneOrg: ["Puhelin (järjestäjä)", "Telefon (arrangör)", "Phone (organiser)"],
    more: ["Näytä lisää paikkoja", "Visa fler platser", "Show more places"],
    problem: ["Haku ei onnistunut:", "Sökningen misslyckades:", "The search did not work:"],
    eventsTitle: ["Tulevat digitapahtumat", "Kommande digitala evenemang", "Upcoming digital-help events"],
    eventsLoading: ["Haetaan tapahtumia…", "Söker evenemang…", "Looking for events…"],
    eventsError: ["Tapahtumien haku ei onnistunut.", "Det gick inte att hämta evenemangen.", "The events could not be loaded."],
    eventsNone: ["Ei tapahtumia seuraavan 30 päivän aikana näillä hakuehdoilla.", "Inga evenemang de närmaste 30 dagarna med dessa sökvillkor.", "No events in the next 30 days match the search."],
    eventsMore: ["Näytä kaikki tapahtumat", "Visa alla evenemang", "Show all events"],
    eventsCount: [function (n) { return n === 1 ? "1 tapahtuma" : n + " tapahtumaa"; }, function (n) { return n === 1 ? "1 evenemang" : n + " evenemang"; }, function (n) { return n === 1 ? "1 event" : n + " events"; }],
    cancelled: ["Peruttu", "Inställt", "Cancelled"],
    moved: ["Siirretty", "Flyttat", "Moved"],
    originally: ["alun perin", "ursprungligen", "originally"],
    place: ["Paikka", "Plats", "Place"],
    online: ["Verkossa tai etänä", "På nätet eller på distans", "Online or remote"],
    eventAssumed: ["Tapahtumaa ei ole vahvistettu – tarkista järjestäjältä ennen lähtöä", "Evenemanget är inte bekräftat – kontrollera med arrangören innan du går", "This event is not confirmed – check with the organiser before going"],
    placeClosed: ["Paikka on tiedon mukaan suljettu tänä päivänä – tarkista järjestäjältä", "Platsen är enligt uppgift stängd denna dag – kontrollera med arrangören", "The place is reported closed that day – check with the organiser"],
    modes: {
      drop_in: ["Ilman ajanvarausta", "Utan tidsbokning", "Drop in (no appointment)"],
      by_appointment: ["Ajanvarauksella", "Med tidsbokning", "By appointment"],
      phone: ["Puhelimitse", "Per telefon", "By phone"],
      video: ["Videoyhteydellä", "Via video", "By video"],
      group_course: ["Ryhmäkurssi", "Gruppkurs", "Group course"],
      event: ["Tapahtuma", "Evenemang", "Event"]
    }
  };
  var TEXTS = {};
  ["fi", "sv", "en"].forEach(function (lang, i) {
    var pick = function (words) {
      if (Array.isArray(words)) return words[i];
      var picked = {};
      Object.keys(words).forEach(function (key) { picked[key] = pick(words[key]); });
      return picked;
    };
    TEXTS[lang] = pick(WORDS);
  });

  var STYLE = [
    ":host { display: block; font-family: var(--digituki-font, system-ui, sans-serif); color: var(--digituki-text, #1a1a1a); background: var(--digituki-background, #fff); line-height: 1.5; }",
    "h2 { font-size: 1.3em; margin: 0 0 .5em; }",
    "h3 { font-size: 1.1em; margin: 0 0 .2em; }",
    "ul.list { list-style: none; margin: 0; padding: 0; }",
    "li.item { border: 1px solid var(--digituki-border, #8a9aa6); border-left: 6px solid var(--digituki-accent, #005a8c); border-radius: var(--digituki-radius, 6px); padding: .75em 1em; margin: 0 0 1em; }",
    ".org, .count { color: var(--digituki-muted, #4a4a4a); margin: 0 0 .25em; }",
    ".status { font-weight: 600; margin: .25em 0; }",
    ".status.open { color: var(--digituki-open, #1d6b2f); }",
    ".status.closed, .status.cancelled, .status.moved { color: var(--digituki-closed, #8a3b00); }",
    ".cancelled .when { text-decoration: line-through; }",
    ".unverified, .hours-note { font-size: .9em; color: var(--digituki-closed, #8a3b00); margin: 0; }",
    ".checked { font-size: .9em; color: var(--digituki-open, #1d6b2f); margin: 0; font-weight: 600; }",
    "dl { display: grid; grid-template-columns: max-content 1fr; gap: .15em 1em; margin: .5em 0; }",
    "dt { font-weight: 600; } dd { margin: 0; }",
    "a { color: var(--digituki-accent, #005a8c); text-underline-offset: 2px; display: inline-block; padding: .2em 0; margin-right: 1em; }",
    "a:focus-visible { outline: 3px solid var(--digituki-focus, #ffbf47); outline-offset: 2px; box-shadow: 0 0 0 5px var(--digituki-text, #1a1a1a); }",
    ".vh { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }",
    "@media (max-width: 30em) { dl { grid-template-columns: 1fr; } dt { margin-top: .3em; } }"
  ].join("\n");

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function safeUrl(u) {
    if (typeof u !== "string") return null;
    try {
      var url = new URL(u.trim());
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (e) { return null; }
  }

  function clock(lang, iso) {
    return new Intl.DateTimeFormat(lang === "en" ? "en-GB" : lang + "-FI", { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Helsinki" }).format(new Date(iso));
  }

  // "ti 12.1. klo 10.00", "tis 12.1. kl. 10.00", "Tue 12 Jan 10:00": as the pages write it.
  function when(lang, iso) {
    var p = {};
    new Intl.DateTimeFormat(lang === "en" ? "en-GB" : lang + "-FI", { weekday: "short", day: "numeric", month: lang === "en" ? "short" : "numeric", timeZone: "Europe/Helsinki" })
      .formatToParts(new Date(iso)).forEach(function (x) { p[x.type] = x.value; });
    var day = lang === "en" ? p.weekday + " " + p.day + " " + p.month : p.weekday + " " + Number(p.day) + "." + Number(p.month) + ".";
    return day + (lang === "fi" ? " klo " : lang === "sv" ? " kl. " : " ") + clock(lang, iso);
  }

  function languageName(lang, code) {
    try { return new Intl.DisplayNames([lang], { type: "language" }).of(code) || code; } catch (e) { return code; }
  }

  // An approximate distance (an area centroid at either end) is whole kilometres after "about".
  function distance(t, lang, loc) {
    var m = loc.distance_m, s;
    if (loc.distance_approximate) s = t.about + " " + Math.max(1, Math.round(m / 1000)) + " km";
    else if (m < 1000) s = Math.round(m / 10) * 10 + " m";
    else { var km = (m / 1000).toFixed(1); s = (lang === "en" ? km : km.replace(".", ",")) + " km"; }
    if (loc.same_postal_area === true) s += " (" + t.samePostal + ")";
    return s;
  }

  // "Tarkistettu 1.12.2026 (PKSOTU)": the organisation's abbreviation in parentheses, else its name.
  function checkedText(t, lang, loc) {
    if (!loc.verified_at) return null;
    var d = new Date(loc.verified_at), parts = {};
    new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "numeric", year: "numeric", timeZone: "Europe/Helsinki" })
      .formatToParts(d).forEach(function (p) { parts[p.type] = p.value; });
    var date = lang === "en"
      ? new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "Europe/Helsinki" }).format(d)
      : Number(parts.day) + "." + Number(parts.month) + "." + parts.year;
    var by = loc.verified_by && loc.verified_by.name;
    if (by) { var m = /\(([A-ZÅÄÖ0-9-]+)\)\s*$/.exec(by); if (m) by = m[1]; }
    return t.checked + " " + date + (by ? " (" + by + ")" : "");
  }

  function statusText(t, lang, loc) {
    var s = loc.status_now || {}, next = loc.next_change;
    if (s.state === "staffed") return { text: next ? t.openUntil(clock(lang, next.at)) : t.open, cls: "open" };
    if (s.state === "unknown") return { text: t.unknown, cls: "closed" };
    var text = s.state === "self_service" ? t.selfService : t.closed;
    // next_opening looks past self-service hours to when staffed help begins.
    var opening = loc.next_opening;
    if (opening) text += ". " + t.opens + " " + when(lang, opening.at);
    else if (next && next.state === "self_service") text += ". " + t.selfFrom + " " + when(lang, next.at);
    return { text: text, cls: "closed" };
  }

  function row(dl, term, value) {
    if (value === null || value === undefined || value === "") return;
    dl.appendChild(el("dt", null, term));
    var dd = el("dd");
    if (typeof value === "string") dd.textContent = value; else dd.appendChild(value);
    dl.appendChild(dd);
  }

  class DigitukiDirectory extends HTMLElement {
    static get observedAttributes() { return ["lang", "topic", "municipality", "near", "language", "limit", "show"]; }

    constructor() {
      super();
      this._root = this.attachShadow({ mode: "open" });
      var style = el("style", null, STYLE);
      this._root.appendChild(style);
      this._section = el("section");
      this._root.appendChild(this._section);
      this._seq = 0;
    }

    // One fetch on connect, one per burst of attribute changes (an upgrade reports every
    // attribute at once; a script may set several in a row).
    connectedCallback() { this._schedule(); }
    attributeChangedCallback() { if (this.isConnected) this._schedule(); }

    _schedule() {
      var self = this;
      if (this._timer) clearTimeout(this._timer);
      this._timer = setTimeout(function () { self._timer = null; self._load(); }, 30);
    }

    _limit() {
      var limit = parseInt(this.getAttribute("limit") || "10", 10);
      return limit >= 1 && limit <= 100 ? limit : 10;
    }

    // The script-free list of the same search with a larger limit ("show more").
    _moreUrl(lang, limit) {
      var q = new URLSearchParams();
      q.set("lang", lang);
      var near = (this.getAttribute("near") || "").trim();
      if (near) q.set("near", near);
      this._filters(q);
      q.set("limit", String(Math.min(100, limit * 2)));
      return API + "/embed/list?" + q.toString();
    }

    _filters(q) {
      (this.getAttribute("topic") || "").split(",").map(function (s) { return s.trim(); }).filter(Boolean)
        .forEach(function (tp) { q.append("topic", tp); });
      ["municipality", "language"].forEach(function (name) {
        var v = (this.getAttribute(name) || "").trim();
        if (v) q.set(name, v);
      }, this);
    }

    _lang() {
      var l = (this.getAttribute("lang") || document.documentElement.lang || "fi").slice(0, 2).toLowerCase();
      return TEXTS[l] ? l : "fi";
    }

    // One more than shown from nearest, to know whether more places match.
    _url(lang) {
      var limit = this._limit();
      var q = new URLSearchParams();
      q.set("lang", lang);
      q.set("view", "summary");
      var near = (this.getAttribute("near") || "").trim();
      var path;
      if (near) { path = "/v1/locations/nearest"; q.set("postal_code", near); q.set("limit", String(Math.min(100, limit + 1))); }
      else { path = "/v1/locations"; q.set("per_page", String(limit)); }
      this._filters(q);
      return API + path + "?" + q.toString();
    }

    _events() { return (this.getAttribute("show") || "").trim().toLowerCase() === "events"; }

    // Upcoming occurrences (the API's default window: the next 30 days), with the filters.
    _eventsUrl(lang) {
      var q = new URLSearchParams();
      q.set("lang", lang);
      var near = (this.getAttribute("near") || "").trim();
      if (near) q.set("postal_code", near);
      this._filters(q);
      return API + "/v1/events/occurrences?" + q.toString();
    }

    _load() {
      var lang = this._lang(), t = TEXTS[lang], seq = ++this._seq, self = this;
      var section = this._section;
      while (section.firstChild) section.removeChild(section.firstChild);
      var headingId = "digituki-title";
      section.setAttribute("aria-labelledby", headingId);
      section.setAttribute("lang", lang);
      var events = this._events();
      var h = el("h2", null, this.getAttribute("heading") || (events ? t.eventsTitle : t.title));
      h.id = headingId;
      section.appendChild(h);
      var status = el("p", "count", events ? t.eventsLoading : t.loading);
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      section.appendChild(status);
      this.setAttribute("aria-busy", "true");
      var limit = this._limit();
      fetch(events ? this._eventsUrl(lang) : this._url(lang), { headers: { Accept: "application/json" }, credentials: "omit" })
        .then(function (r) {
          if (r.ok) return r.json();
          // The API's problem document says what was wrong (e.g. an unknown municipality).
          return r.json().catch(function () { return {}; }).then(function (p) {
            var e = new Error("HTTP " + r.status); e.detail = p && p.detail; throw e;
          });
        })
        .then(function (data) {
          if (seq !== self._seq) return;
          if (events) { self._showEvents(t, lang, data, status, limit); return; }
          var items = (data.items || []).slice(0, limit);
          var more = typeof data.total === "number" ? data.total > items.length : (data.items || []).length > limit;
          status.textContent = items.length ? t.count(items.length) : t.none;
          var ul = el("ul", "list");
          ul.setAttribute("aria-label", t.title);
          items.forEach(function (loc) { ul.appendChild(self._item(t, lang, loc)); });
          section.appendChild(ul);
          if (more && limit < 100) {
            var p = el("p", "more"), a = el("a", null, t.more);
            a.href = self._moreUrl(lang, limit); a.target = "_blank"; a.rel = "noopener";
            p.appendChild(a);
            section.appendChild(p);
          }
        })
        .catch(function (e) {
          if (seq !== self._seq) return;
          status.textContent = e && e.detail ? t.problem + " " + e.detail : (events ? t.eventsError : t.error);
        })
        .then(function () { if (seq === self._seq) self.removeAttribute("aria-busy"); });
    }

    _showEvents(t, lang, data, status, limit) {
      var items = (data.items || []).slice(0, limit), self = this;
      status.textContent = items.length ? t.eventsCount(items.length) : t.eventsNone;
      var ul = el("ul", "list");
      ul.setAttribute("aria-label", t.eventsTitle);
      items.forEach(function (o) { ul.appendChild(self._occurrence(t, lang, o)); });
      this._section.appendChild(ul);
      // More occurrences than shown: the script-free list of the same filters has them all
      // (its events section, without a distance limit as here).
      if ((data.items || []).length > items.length) {
        var q = new URLSearchParams();
        q.set("lang", lang);
        this._filters(q);
        var p = el("p", "more"), a = el("a", null, t.eventsMore);
        a.href = API + "/embed/list?" + q.toString() + "#events-title"; a.target = "_blank"; a.rel = "noopener";
        p.appendChild(a);
        this._section.appendChild(p);
      }
    }

    // One occurrence: a cancelled or moved one always says so.
    _occurrence(t, lang, o) {
      var li = el("li", "item event" + (o.status === "cancelled" ? " cancelled" : o.status === "moved" ? " moved" : ""));
      li.dataset.event = o.event_id;
      li.dataset.date = o.date;
      var article = el("article");
      var hid = "event-" + o.event_id + "-" + o.date;
      article.setAttribute("aria-labelledby", hid);
      var h = el("h3", null, o.title);
      h.id = hid;
      article.appendChild(h);
      var time = when(lang, o.start) + "–" + clock(lang, o.end);
      if (o.status === "cancelled" || o.status === "moved") {
        var p = el("p", "status " + o.status);
        p.appendChild(el("strong", null, o.status === "cancelled" ? t.cancelled : t.moved));
        p.appendChild(document.createTextNode(": "));
        p.appendChild(el("span", "when", time));
        if (o.status === "moved") {
          var orig = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : lang + "-FI", { weekday: "short", day: "numeric", month: "numeric", timeZone: "UTC" })
            .format(new Date(o.date + "T12:00:00Z"));
          p.appendChild(document.createTextNode(" (" + t.originally + " " + orig + ")"));
        }
        article.appendChild(p);
      } else {
        article.appendChild(el("p", "when", time));
      }
      if (o.note) article.appendChild(el("p", "note", o.note));
      if (o.confidence === "assumed") article.appendChild(el("p", "unverified", t.eventAssumed));
      if (o.location_closed && o.status !== "cancelled") {
        article.appendChild(el("p", "hours-note", t.placeClosed + (o.location_closed_reason ? " (" + o.location_closed_reason + ")" : "")));
      }
      var dl = el("dl");
      row(dl, t.place, o.location ? o.location.name : t.online);
      if (typeof o.distance_m === "number") row(dl, t.distance, distance(t, lang, o));
      article.appendChild(dl);
      li.appendChild(article);
      return li;
    }

    _item(t, lang, loc) {
      var li = el("li", "item");
      li.dataset.id = loc.id;
      var article = el("article");
      var hid = "place-" + loc.id;
      article.setAttribute("aria-labelledby", hid);
      var h = el("h3", null, loc.name);
      h.id = hid;
      article.appendChild(h);
      if (loc.organization) article.appendChild(el("p", "org", loc.organization.name));
      var checked = checkedText(t, lang, loc);
      if (checked) article.appendChild(el("p", "checked", checked));
      if (loc.confidence === "assumed") article.appendChild(el("p", "unverified", t.assumed));
      var st = statusText(t, lang, loc);
      article.appendChild(el("p", "status " + st.cls, st.text));
      if (loc.opening_hours && loc.hours_confidence !== "verified" && loc.hours_confidence !== "approximate") {
        article.appendChild(el("p", "hours-note", t.unconfirmed));
      }

      var dl = el("dl");
      var a = loc.address || {};
      var accuracy = loc.coordinates && loc.coordinates.accuracy;
      if (a.street) row(dl, t.address, a.street + (a.postal_code ? ", " + a.postal_code : "") + (a.post_office ? " " + a.post_office : ""));
      else if (accuracy === "municipality") row(dl, t.address, t.posMunicipality);
      else if (accuracy === "postal_area") row(dl, t.address, t.posPostal);
      if (typeof loc.distance_m === "number") row(dl, t.distance, distance(t, lang, loc));
      if (loc.topics && loc.topics.length) row(dl, t.topics, loc.topics.map(function (c) { return TOPICS[lang][c] || c.replace(/_/g, " "); }).join(", "));
      if (loc.languages && loc.languages.length) row(dl, t.languages, loc.languages.map(function (c) { return languageName(lang, c); }).join(", "));
      var modes = [], bookings = el("ul");
      bookings.style.cssText = "list-style:none;margin:0;padding:0";
      // The summary view (view=summary): delivery modes and bookings gathered per place.
      (loc.delivery_modes || []).forEach(function (m) { var label = t.modes[m] || m; if (modes.indexOf(label) < 0) modes.push(label); });
      (loc.bookings || []).forEach(function (s) {
        var ap = s.appointment;
        if (ap && (ap.by_appointment || ap.phone || ap.url)) {
          var b = el("li", null, s.name + ": " + (ap.text ? ap.text + " " : "") + (ap.phone ? t.phone + " " + ap.phone + " " : ""));
          var bu = safeUrl(ap.url);
          if (bu) { var ba = el("a", null, t.booking); ba.href = bu; ba.rel = "noopener"; ba.target = "_blank"; b.appendChild(ba); }
          bookings.appendChild(b);
        }
      });
      if (modes.length) row(dl, t.how, modes.join(", "));
      if (bookings.childNodes.length) row(dl, t.booking, bookings);
      if (loc.phone) row(dl, t.phone, loc.phone);
      if (loc.email) row(dl, t.email, loc.email);
      if (loc.accessibility) row(dl, t.accessibility, loc.accessibility);
      article.appendChild(dl);

      var links = el("p");
      var site = safeUrl(loc.website);
      if (site) {
        var w = el("a", null, t.website);
        w.href = site; w.rel = "noopener"; w.target = "_blank";
        w.appendChild(el("span", "vh", ": " + loc.name));
        links.appendChild(w);
      }
      var d = el("a", null, t.details);
      d.href = API + "/v1/locations/" + encodeURIComponent(loc.id) + "/referral?lang=" + lang;
      d.target = "_blank";
      d.appendChild(el("span", "vh", ": " + loc.name));
      links.appendChild(d);
      article.appendChild(links);
      li.appendChild(article);
      return li;
    }
  }

  // Topic labels, filled once from the API (the codes show until they arrive).
  var TOPICS = { fi: {}, sv: {}, en: {} };
  var topicsLoaded = Promise.all(["fi", "sv", "en"].map(function (l) {
    return fetch(API + "/v1/topics?lang=" + l, { credentials: "omit" })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (d) { (d.items || []).forEach(function (tp) { TOPICS[l][tp.code] = tp.label; }); })
      .catch(function () {});
  }));

  if (!customElements.get("digituki-directory")) {
    topicsLoaded.then(function () { customElements.define("digituki-directory", DigitukiDirectory); });
  }
})();
