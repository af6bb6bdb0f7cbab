#!/usr/bin/env python3
"""Records the OpenAPI examples (openapi/examples.json) from a running service with the demo
data: every operation is called once with the request shown, and its answer (lists cut to
their first items) becomes the example response. src/openapi.rs puts them into the document,
and scripts/openapi-lint checks each against its schema. Run again after an API change:

    BASE=http://127.0.0.1:8080 ADMIN_TOKEN=dtk_... tests/openapi-lint/capture-examples.py

ADMIN_TOKEN: `digituki token create --admin --organization <any> --name examples`. The run
creates an organization `esimerkkiyhdistys` with a location and a service, so use a
throwaway data dir.
"""
import json
import os
import sys
import urllib.error
import urllib.request

BASE = os.environ["BASE"].rstrip("/")
ADMIN = os.environ["ADMIN_TOKEN"]
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "openapi", "examples.json")
examples = {}


def call(method, path, body=None, token=None, etag=None, content_type="application/json"):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", content_type)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if etag:
        req.add_header("If-Match", etag)
    try:
        with urllib.request.urlopen(req) as resp:
            raw = resp.read()
            return resp.status, resp.headers, raw
    except urllib.error.HTTPError as e:
        sys.exit(f"{method} {path}: {e.code} {e.read().decode()[:500]}")


def trim(value, key, n):
    if isinstance(value, dict) and isinstance(value.get(key), list):
        value[key] = value[key][:n]
    return value


def record(op, path, method="GET", body=None, token=None, etag=None, cut=None, content_type="application/json"):
    """Calls the operation `op` ("GET /v1/x/{id}") and stores its example request and response."""
    status, headers, raw = call(method, path, body, token, etag, content_type)
    entry = {}
    if body is not None:
        entry["request"] = body
    if raw:
        ct = headers.get("Content-Type", "")
        if "json" in ct:
            value = json.loads(raw)
            if cut:
                value = trim(value, *cut)
            entry["response"] = value
        elif ct.startswith("text/"):
            text = raw.decode()
            if "calendar" in ct:
                # The calendar with its first event only (still a complete iCalendar object).
                lines = text.split("\r\n")
                if "END:VEVENT" in lines:
                    lines = lines[:lines.index("END:VEVENT") + 1] + ["END:VCALENDAR", ""]
                text = "\r\n".join(lines)
            elif "plain" in ct:
                text = "\n".join(text.splitlines()[:12]) + "\n"
            entry["response"] = text
    examples[op] = entry
    return headers.get("ETag"), entry.get("response")


def etag(path):
    return call("GET", path)[1]["ETag"]


# Public reads.
record("GET /v1/locations", "/v1/locations?municipality=Joensuu&per_page=1&lang=en", cut=("items", 1))
record("GET /v1/locations/nearest", "/v1/locations/nearest?postal_code=80100&limit=1&lang=en", cut=("items", 1))
record("GET /v1/locations/{id}", "/v1/locations/jns-paakirjasto")
record("GET /v1/locations.geojson", "/v1/locations.geojson?municipality=Joensuu&lang=en", cut=("features", 1))
record("GET /v1/locations/{id}/schedule", "/v1/locations/jns-paakirjasto/schedule?from=2027-03-29&to=2027-03-31&lang=en")
record("GET /v1/locations/{id}/hours", "/v1/locations/jns-paakirjasto/hours")
record("GET /v1/organizations", "/v1/organizations?per_page=1&lang=en", cut=("items", 1))
record("GET /v1/organizations/{id}", "/v1/organizations/joensuun-kaupunginkirjasto")
record("GET /v1/topics", "/v1/topics?lang=en", cut=("items", 2))
record("GET /v1/municipalities", "/v1/municipalities?lang=en", cut=("items", 2))
record("GET /v1/postal-codes/{code}", "/v1/postal-codes/80100")
_, services = record("GET /v1/services", "/v1/services?per_page=1&lang=en", cut=("items", 1))
record("GET /v1/services/{id}", f"/v1/services/{services['items'][0]['id']}")
record("GET /readyz", "/readyz")
record("GET /metrics", "/metrics")
for op, path, cut in [
    ("GET /hsds/", "/hsds/", None),
    ("GET /hsds/services", "/hsds/services?per_page=1", ("contents", 1)),
    ("GET /hsds/service_at_locations", "/hsds/service_at_locations?per_page=1", ("contents", 1)),
    ("GET /hsds/organizations", "/hsds/organizations?per_page=1", ("contents", 1)),
    ("GET /hsds/taxonomies", "/hsds/taxonomies", ("contents", 1)),
    ("GET /hsds/taxonomy_terms", "/hsds/taxonomy_terms?per_page=1", ("contents", 1)),
]:
    _, value = record(op, path, cut=cut)
    if op == "GET /hsds/services":
        record("GET /hsds/services/{id}", f"/hsds/services/{value['contents'][0]['id']}")
    if op == "GET /hsds/service_at_locations":
        record("GET /hsds/service_at_locations/{id}", f"/hsds/service_at_locations/{value['contents'][0]['id']}")
    if op == "GET /hsds/organizations":
        record("GET /hsds/organizations/{id}", f"/hsds/organizations/{value['contents'][0]['id']}")

# The coordinator: an organization and its partner token.
record("POST /v1/organizations", "/v1/organizations", "POST",
       {"id": "esimerkkiyhdistys", "kind": "association", "name": {"fi": "Esimerkkiyhdistys ry", "en": "Example association"},
        "website": "https://esimerkkiyhdistys.example"}, ADMIN)
_, new_token = record("POST /v1/admin/tokens", "/v1/admin/tokens", "POST",
                      {"organization_id": "esimerkkiyhdistys", "name": "Esimerkkiyhdistyksen verkkosivut"}, ADMIN)
token = new_token["token"]
record("GET /v1/admin/tokens", "/v1/admin/tokens", token=ADMIN, cut=("items", 2))
record("GET /v1/admin/stale", "/v1/admin/stale", token=ADMIN, cut=("items", 1))

# The partner: organization, location, hours, service, service at the location.
org = "/v1/organizations/esimerkkiyhdistys"
record("PATCH /v1/organizations/{id}", org, "PATCH", {"email": "info@esimerkkiyhdistys.example"}, token, etag(org),
       content_type="application/merge-patch+json")
record("GET /v1/organizations/{id}/history", org + "/history", token=token)
_, loc_out = record("POST /v1/locations", "/v1/locations", "POST",
                    {"kind": "association", "name": {"fi": "Digituen olohuone", "en": "Digital help living room"},
                     "street_address": "Torikatu 1", "postal_code": "80100", "languages": ["fi", "uk"]}, token)
loc = "/v1/locations/" + loc_out["id"]
record("PATCH /v1/locations/{id}", loc, "PATCH", {"phone": "+358 40 123 4567"}, token, etag(loc),
       content_type="application/merge-patch+json")
record("PUT /v1/locations/{id}/hours", loc + "/hours", "PUT",
       {"periods": [{"week": {"tue": [{"start": "10:00", "end": "14:00", "kind": "staffed"}]}}], "exceptions": [],
        "open_on_holidays": False}, token, etag(loc))
record("PUT /v1/locations/{id}/exceptions/{date}", loc + "/exceptions/2027-12-28", "PUT",
       {"ranges": [], "reason": {"fi": "Suljettu välipäivänä", "en": "Closed between the holidays"}}, token, etag(loc))
record("DELETE /v1/locations/{id}/exceptions/{date}", loc + "/exceptions/2027-12-28", "DELETE", None, token, etag(loc))
record("POST /v1/locations/{id}/verify", loc + "/verify", "POST", None, token)
_, svc_out = record("POST /v1/services", "/v1/services", "POST",
                    {"name": {"fi": "Digiopastus", "en": "Digital guidance"}, "topics": ["online_public_services"],
                     "delivery_modes": ["drop_in"], "languages": ["fi"], "assistance_level": "guidance"}, token)
svc = "/v1/services/" + svc_out["id"]
record("PATCH /v1/services/{id}", svc, "PATCH", {"languages": ["fi", "en"]}, token, etag(svc),
       content_type="application/merge-patch+json")
_, sal_out = record("POST /v1/services-at-locations", "/v1/services-at-locations", "POST",
                    {"service_id": svc_out["id"], "location_id": loc_out["id"],
                     "note": {"fi": "Ota oma puhelin mukaan", "en": "Bring your own phone"}}, token)
sal = "/v1/services-at-locations/" + sal_out["id"]
record("GET /v1/services-at-locations/{id}", sal)
record("PATCH /v1/services-at-locations/{id}", sal, "PATCH", {"note": {"fi": "Ota oma laite mukaan"}}, token,
       etag(sal), content_type="application/merge-patch+json")
# Events: a weekly digital café at the location, one session cancelled.
_, ev_out = record("POST /v1/events", "/v1/events", "POST",
                   {"organization_id": "esimerkkiyhdistys", "title": {"fi": "Digikahvila", "en": "Digital café"},
                    "description": {"fi": "Apua puhelimen ja tietokoneen käyttöön, ilman ajanvarausta."},
                    "location_id": loc_out["id"], "start": "2027-01-12T10:00", "end": "2027-01-12T12:00",
                    "rrule": "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270427T210000Z", "topics": ["online_public_services"],
                    "languages": ["fi"], "delivery_mode": "drop_in", "assistance_level": "guidance"}, token)
ev = "/v1/events/" + ev_out["id"]
record("PATCH /v1/events/{id}", ev, "PATCH", {"capacity": 12}, token, etag(ev),
       content_type="application/merge-patch+json")
record("PUT /v1/events/{id}/occurrences/{date}", ev + "/occurrences/2027-02-16", "PUT",
       {"status": "cancelled", "note": {"fi": "Ohjaaja sairastunut", "en": "The instructor is ill"}}, token, etag(ev))
record("GET /v1/events", "/v1/events?lang=en", cut=("items", 1))
record("GET /v1/events/occurrences", "/v1/events/occurrences?from=2027-02-01&to=2027-02-28&lang=en", cut=("items", 3))
record("GET /v1/events/{id}", ev + "?lang=en")
record("GET /v1/events.ics", "/v1/events.ics?lang=en")
record("GET /v1/locations/{id}/events.ics", f"{loc}/events.ics?lang=en")
record("GET /v1/organizations/{id}/events.ics", f"{org}/events.ics?lang=en")
record("GET /v1/municipalities/{code}/events.ics", "/v1/municipalities/167/events.ics?lang=en")
record("GET /v1/events/{id}/history", ev + "/history", token=token, cut=("items", 2))
record("DELETE /v1/events/{id}", ev, "DELETE", None, token, etag(ev))

record("DELETE /v1/services-at-locations/{id}", sal, "DELETE", None, token, etag(sal))
record("DELETE /v1/services/{id}", svc, "DELETE", None, token, etag(svc))
record("POST /v1/services/{id}/restore", svc + "/restore", "POST", None, ADMIN)
record("GET /v1/services/{id}/history", svc + "/history", token=token, cut=("items", 2))
record("DELETE /v1/locations/{id}", loc, "DELETE", None, token, etag(loc))
record("POST /v1/locations/{id}/restore", loc + "/restore", "POST", None, ADMIN)
record("GET /v1/locations/{id}/history", loc + "/history", token=token, cut=("items", 2))
record("DELETE /v1/admin/tokens/{id}", f"/v1/admin/tokens/{new_token['id']}", "DELETE", None, ADMIN)

with open(OUT, "w") as f:
    json.dump(examples, f, indent=2, ensure_ascii=False, sort_keys=True)
    f.write("\n")
print(f"{len(examples)} operations recorded in {os.path.normpath(OUT)}", file=sys.stderr)
