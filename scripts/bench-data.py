#!/usr/bin/env python3
"""Synthetic national-scale data for scripts/bench: N locations spread over Finland.

Writes one SQL stream (COPY ... FROM STDIN blocks, loaded by psql in one transaction) to stdout:
organizations (one per 100 locations, like municipal library and service-point networks),
services with realistic topic sets, 1-3 services at each location, an opening-hours document
for every location (library-, service-point- and association-style weeks, a summer period,
an exception) and narrower hours for about one service at location in ten. Deterministic
(seeded), so every run measures the same data.
"""
import json
import random
import sys

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
rng = random.Random(20261129)

# Population centres of Finland (lat, lon, weight ~ population in thousands).
TOWNS = [
    ("helsinki", 60.17, 24.94, 660), ("espoo", 60.21, 24.66, 300), ("tampere", 61.50, 23.76, 250),
    ("vantaa", 60.29, 25.04, 240), ("oulu", 65.01, 25.47, 210), ("turku", 60.45, 22.27, 200),
    ("jyvaskyla", 62.24, 25.75, 145), ("kuopio", 62.89, 27.68, 125), ("lahti", 60.98, 25.66, 120),
    ("pori", 61.49, 21.80, 84), ("kouvola", 60.87, 26.70, 80), ("joensuu", 62.60, 29.76, 77),
    ("lappeenranta", 61.06, 28.19, 73), ("hameenlinna", 61.00, 24.46, 68), ("vaasa", 63.10, 21.62, 68),
    ("seinajoki", 62.79, 22.84, 65), ("rovaniemi", 66.50, 25.73, 64), ("mikkeli", 61.69, 27.27, 52),
    ("kotka", 60.47, 26.95, 51), ("salo", 60.38, 23.13, 51), ("porvoo", 60.39, 25.66, 51),
    ("kokkola", 63.84, 23.13, 48), ("lohja", 60.25, 24.07, 46), ("hyvinkaa", 60.63, 24.86, 46),
    ("rauma", 61.13, 21.51, 39), ("kajaani", 64.23, 27.73, 36), ("savonlinna", 61.87, 28.88, 32),
    ("kemi", 65.74, 24.56, 20), ("tornio", 65.85, 24.15, 21), ("iisalmi", 63.56, 27.19, 21),
    ("nurmes", 63.54, 29.14, 7), ("lieksa", 63.32, 30.02, 11), ("kuusamo", 65.97, 29.19, 15),
    ("sodankyla", 67.42, 26.59, 8), ("inari", 68.91, 27.03, 7), ("ivalo", 68.66, 27.55, 4),
    ("kittila", 67.65, 24.91, 6), ("enontekio", 68.38, 23.64, 2), ("utsjoki", 69.91, 27.03, 1),
    ("maarianhamina", 60.10, 19.94, 12),
]
WEIGHTS = [t[3] for t in TOWNS]
KINDS = ["library", "library", "municipal_service_point", "association", "adult_education_college",
         "public_authority_service_point", "parish", "other"]
TOPIC_SETS = [
    ["online_public_services", "strong_identification", "computer_basics"],
    ["library_devices", "e_library", "information_search", "photos_files"],
    ["phone_tablet_basics", "email_messaging", "video_calls"],
    ["online_safety", "online_banking", "online_public_services"],
    ["health_services_online", "online_public_services"],
    ["job_seeking_online", "computer_basics", "email_messaging"],
]
SERVICE_NAMES = ["Digiopastus", "Laitetuki", "Älylaiteapu", "Verkkoasiointituki", "Terveyspalvelut verkossa", "Työnhakuklinikka"]
ASSIST = ["guidance", "guidance", "information_only", "authorized_assistance"]


def r(a, b):
    return {"start": a, "end": b, "kind": "staffed"}


def ss(a, b):
    return {"start": a, "end": b, "kind": "self_service"}


def library_week(late):
    wk = {d: [ss("07:00", "10:00"), r("10:00", late), ss(late, "21:00")] for d in ["mon", "tue", "wed", "thu"]}
    wk["fri"] = [ss("07:00", "10:00"), r("10:00", "17:00"), ss("17:00", "21:00")]
    wk["sat"] = [r("10:00", "15:00")]
    return wk


WEEKS = [
    lambda: library_week(rng.choice(["18:00", "19:00", "20:00"])),
    lambda: {d: [r("09:00", "16:00")] for d in ["mon", "tue", "wed", "thu", "fri"]},
    lambda: {d: [r("09:00", "11:30"), r("12:30", "15:00")] for d in ["mon", "tue", "wed", "thu"]},
    lambda: {"tue": [r("12:00", "19:00")], "wed": [r("10:00", "16:00")], "thu": [r("12:00", "19:00")]},
]


def hours_document():
    week = rng.choice(WEEKS)()
    doc = {"periods": [{"week": week}], "exceptions": [], "open_on_holidays": False}
    if rng.random() < 0.5:
        summer = {d: [r("10:00", "16:00")] for d in ["mon", "tue", "wed", "thu"]}
        doc["periods"].append({"valid_from": "2027-06-01", "valid_to": "2027-08-15",
                               "name": {"fi": "Kesäaukiolo", "sv": "Sommaröppettider", "en": "Summer hours"},
                               "week": summer})
    if rng.random() < 0.2:
        doc["exceptions"].append({"date": "2026-12-31", "ranges": [],
                                  "reason": {"fi": "Uudenvuodenaatto", "sv": "Nyårsafton", "en": "New Year's Eve"}})
    return doc


def service_hours():
    day = rng.choice(["mon", "tue", "wed", "thu", "fri"])
    return {"periods": [{"week": {day: [r("10:00", "12:00")]}}], "exceptions": [], "open_on_holidays": False}


def esc(v):
    if v is None:
        return "\\N"
    return str(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def copy(table, cols, rows):
    out = sys.stdout
    out.write(f"COPY {table} ({', '.join(cols)}) FROM STDIN;\n")
    for row in rows:
        out.write("\t".join(esc(v) for v in row) + "\n")
    out.write("\\.\n")


n_orgs = max(1, N // 100)
orgs, services, service_topics, locations, sal, hours = [], [], [], [], [], []
for o in range(n_orgs):
    town = rng.choices(TOWNS, WEIGHTS)[0]
    oid = f"bench-org-{o:05d}"
    orgs.append((oid, rng.choice(["municipality", "association", "library_network"]), f"{town[0].capitalize()} digituki {o}",
                 f"https://example.org/{oid}", "bench"))
    for s in range(3):
        sid = f"{oid}-s{s}"
        topics = rng.choice(TOPIC_SETS)
        services.append((sid, oid, f"{rng.choice(SERVICE_NAMES)} {o}-{s}", "{drop_in}", "{everyone}", rng.choice(ASSIST), "bench"))
        service_topics.extend((sid, t) for t in topics)

for i in range(N):
    o = i % n_orgs
    town = rng.choices(TOWNS, WEIGHTS)[0]
    spread = 0.05 + 0.25 * rng.random()
    lat = min(69.9, max(59.8, rng.gauss(town[1], spread)))
    lon = min(31.5, max(20.0, rng.gauss(town[2], spread * 2)))
    lid = f"bench-{i:06d}"
    oid = f"bench-org-{o:05d}"
    locations.append((lid, oid, rng.choice(KINDS), f"{town[0].capitalize()} digitukipiste {i}",
                      f"Digikatu {1 + i % 200}", f"{rng.randint(0, 99999):05d}", town[0].capitalize(),
                      f"{lat:.6f}", f"{lon:.6f}", "bench", "approximate"))
    hours.append((lid, None, json.dumps(hours_document(), ensure_ascii=False), "assumed"))
    for s in rng.sample(range(3), rng.randint(1, 3)):
        said = f"{lid}-s{s}"
        sal.append((said, f"{oid}-s{s}", lid, "bench"))
        if rng.random() < 0.1:
            hours.append((None, said, json.dumps(service_hours()), "assumed"))

sys.stdout.write("BEGIN;\n")
copy("organizations", ["id", "kind", "name_fi", "website", "source"], orgs)
copy("services", ["id", "organization_id", "name_fi", "delivery_modes", "audience", "assistance_level", "source"], services)
copy("service_topics", ["service_id", "topic_code"], service_topics)
copy("locations", ["id", "organization_id", "kind", "name_fi", "street_address", "postal_code", "post_office",
                   "latitude", "longitude", "source", "confidence"], locations)
copy("services_at_locations", ["id", "service_id", "location_id", "source"], sal)
copy("opening_hours", ["location_id", "service_at_location_id", "document", "confidence"], hours)
sys.stdout.write("COMMIT;\n")
print(f"generated {len(orgs)} organizations, {len(services)} services, {len(locations)} locations, "
      f"{len(sal)} services at locations, {len(hours)} hours documents", file=sys.stderr)
