"""Conformance checks run with Python reference tools (scripts/conformance runs them).

    python check.py jsonld BASE_URL   schema.org JSON-LD of /embed/list and the referral slips
    python check.py csv BASE_URL      /v1/export/locations.csv and the CSVs of /v1/export/hsds.zip
    python check.py hsds BASE_URL     the HSDS data package, with `frictionless validate`

Each prints a JSON summary line last ({format, tool, items, failures}); failures go to stderr.
"""

import csv
import io
import os
import json
import re
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCHEMAORG = ROOT / "vendor" / "schemaorg"
FAILURES: list[str] = []


def fail(message: str) -> None:
    FAILURES.append(message)
    if len(FAILURES) <= int(os.environ.get("CONFORMANCE_SHOW", "60")):
        print("FAIL " + message, file=sys.stderr)


def get(base: str, path: str) -> tuple[bytes, dict]:
    with urllib.request.urlopen(base + path, timeout=60) as resp:
        return resp.read(), {k.lower(): v for k, v in resp.headers.items()}


def get_json(base: str, path: str):
    return json.loads(get(base, path)[0])


def all_locations(base: str) -> list[dict]:
    out, page = [], 1
    while True:
        body = get_json(base, f"/v1/locations?per_page=100&page={page}")
        out += body["items"]
        if not body["items"] or len(out) >= body["total"]:
            return out
        page += 1


def summary(fmt: str, tool: str, items: str) -> None:
    print(json.dumps({"format": fmt, "tool": tool, "items": items, "failures": len(FAILURES)}))


# --------------------------------------------------------------------------------------------
# schema.org JSON-LD


class LdScripts(HTMLParser):
    """Collects the text of every <script type="application/ld+json">."""

    def __init__(self):
        super().__init__()
        self.scripts: list[str] = []
        self._in = False

    def handle_starttag(self, tag, attrs):
        if tag == "script" and dict(attrs).get("type") == "application/ld+json":
            self._in = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in = False

    def handle_data(self, data):
        if self._in:
            self.scripts[-1] += data


SDO = "https://schema.org/"
TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Literal JSON-LD values a schema.org data type accepts.
LITERAL_TYPES = {"Text", "URL", "Date", "DateTime", "Time", "Number", "Integer", "Float", "Boolean", "XPathType",
                 "CssSelectorType", "PronounceableText"}


class Vocabulary:
    """The schema.org release file: classes, properties with domains and ranges, enumeration members."""

    def __init__(self, path: Path):
        graph = json.loads(path.read_text(encoding="utf-8"))["@graph"]
        self.version = None
        self.supers: dict[str, set[str]] = {}
        self.properties: dict[str, dict] = {}
        self.members: dict[str, set[str]] = {}  # member -> its enumeration types
        self.pending: set[str] = set()

        def ids(v):
            if v is None:
                return []
            return [x["@id"].removeprefix("schema:") for x in (v if isinstance(v, list) else [v])]

        for node in graph:
            name = node["@id"]
            if not name.startswith("schema:"):
                continue
            name = name.removeprefix("schema:")
            types = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
            if "https://pending.schema.org" in [x for x in [node.get("schema:isPartOf", {}).get("@id")] if x]:
                self.pending.add(name)
            if "rdfs:Class" in types:
                self.supers[name] = set(ids(node.get("rdfs:subClassOf")))
            elif "rdf:Property" in types:
                self.properties[name] = {
                    "domain": set(ids(node.get("schema:domainIncludes"))),
                    "range": set(ids(node.get("schema:rangeIncludes"))),
                }
            else:
                self.members[name] = {t.removeprefix("schema:") for t in types}
        # Data types are classes too.
        for name in ("Text", "URL", "Date", "DateTime", "Time", "Number", "Integer", "Float", "Boolean"):
            self.supers.setdefault(name, set())

    def ancestors(self, cls: str) -> set[str]:
        out, todo = {cls}, [cls]
        while todo:
            for sup in self.supers.get(todo.pop(), ()):
                if sup not in out:
                    out.add(sup)
                    todo.append(sup)
        return out

    def is_a(self, cls: str, wanted: set[str]) -> bool:
        return bool(self.ancestors(cls) & wanted)


def schema_term(iri: str) -> str | None:
    for prefix in ("https://schema.org/", "http://schema.org/"):
        if iri.startswith(prefix):
            return iri[len(prefix):]
    return None


def document_loader():
    """Serves the vendored schema.org context for every spelling of schema.org's context URL:
    no network access, and the context of the vendored release."""
    context = json.loads((SCHEMAORG / "schemaorgcontext.jsonld").read_text(encoding="utf-8"))

    def load(url, options=None):
        if url.rstrip("/") in ("https://schema.org", "http://schema.org") or "schema.org/docs/jsonldcontext" in url:
            return {"contextUrl": None, "documentUrl": url, "document": context}
        raise RuntimeError(f"JSON-LD document {url} is not vendored (no network access in the check)")

    return load


def check_node(vocab: Vocabulary, node: dict, where: str, counts: dict) -> None:
    """Every type and property of an expanded node object, recursively."""
    types = []
    for t in node.get("@type", []):
        term = schema_term(t)
        if term is None or term not in vocab.supers:
            fail(f"{where}: type {t} is not a schema.org class")
        else:
            types.append(term)
    counts["nodes"] += 1
    for key, values in node.items():
        if key.startswith("@"):
            continue
        prop = schema_term(key)
        if prop is None or prop not in vocab.properties:
            fail(f"{where}: property {key} is not a schema.org property")
            continue
        counts["properties"] += 1
        spec = vocab.properties[prop]
        if types and not any(vocab.is_a(t, spec["domain"]) for t in types):
            fail(f"{where}: {prop} is not a property of {'/'.join(types)} (domain {sorted(spec['domain'])})")
        for value in values:
            check_value(vocab, prop, spec["range"], value, f"{where}.{prop}", counts)


def check_value(vocab: Vocabulary, prop: str, rng: set[str], value: dict, where: str, counts: dict) -> None:
    if "@value" in value:
        literal = value["@value"]
        accepted = {r for r in rng if vocab.is_a(r, LITERAL_TYPES)}
        if not accepted:
            # An enumeration member may be given as its URL in a string (Google's examples do
            # this for dayOfWeek).
            member = schema_term(literal) if isinstance(literal, str) else None
            if member and any(t in rng or vocab.is_a(t, rng) for t in vocab.members.get(member, ())):
                return
            fail(f"{where}: literal {literal!r} where schema.org expects {sorted(rng)}")
            return
        if isinstance(literal, bool):
            ok = "Boolean" in accepted
        elif isinstance(literal, (int, float)):
            ok = bool(accepted & {"Number", "Integer", "Float", "Text"})
        else:
            ok = bool(accepted & {"Text", "URL", "Date", "DateTime", "Time"})
            if accepted == {"Time"} and not TIME.match(literal):
                fail(f"{where}: {literal!r} is not a time (HH:MM)")
            if accepted <= {"Date", "DateTime"} and not DATE.match(literal[:10]):
                fail(f"{where}: {literal!r} is not a date")
            if accepted == {"URL"} and not re.match(r"^https?://", literal):
                fail(f"{where}: {literal!r} is not an absolute http(s) URL")
        if not ok:
            fail(f"{where}: literal {literal!r} does not fit {sorted(rng)}")
        return
    if "@list" in value:
        for v in value["@list"]:
            check_value(vocab, prop, rng, v, where, counts)
        return
    # A node (with or without properties) or an IRI reference.
    iri = value.get("@id")
    member = schema_term(iri) if iri else None
    if member and member in vocab.members:
        if not any(vocab.is_a(t, rng) for t in vocab.members[member]):
            fail(f"{where}: {member} is not one of {sorted(rng)}")
        return
    vtypes = [schema_term(t) for t in value.get("@type", [])]
    if vtypes and not any(t and vocab.is_a(t, rng) for t in vtypes):
        fail(f"{where}: a {'/'.join(str(t) for t in vtypes)} where schema.org expects {sorted(rng)}")
    if not vtypes and len(value) == 1 and not ("URL" in rng or any(vocab.supers.get(r) is not None for r in rng)):
        fail(f"{where}: an IRI reference where schema.org expects {sorted(rng)}")
    check_node(vocab, value, where, counts)


# The profile the service promises (docs/interchange.md): required properties per type, on the
# compact form as published.
PLACE_TYPES = {"Place"}
DAYS = {f"{SDO}{d}" for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")}


def check_profile(vocab: Vocabulary, node, where: str) -> None:
    if isinstance(node, list):
        for i, n in enumerate(node):
            check_profile(vocab, n, f"{where}[{i}]")
        return
    if not isinstance(node, dict):
        return
    t = node.get("@type")
    types = t if isinstance(t, list) else [t] if t else []

    def need(*props):
        for p in props:
            if node.get(p) in (None, "", []):
                fail(f"{where}: a {'/'.join(types)} needs {p}")

    for ty in types:
        if ty in vocab.supers and vocab.is_a(ty, PLACE_TYPES):
            need("@id", "name")
            if not node.get("address") and not node.get("geo"):
                fail(f"{where}: a {ty} needs an address or geo")
            if "openingHours" in node and not node.get("openingHoursSpecification"):
                fail(f"{where}: openingHours without openingHoursSpecification")
        if ty in ("LibrarySystem", "Organization", "GovernmentOrganization") or (
            ty in vocab.supers and vocab.is_a(ty, {"Organization"}) and not vocab.is_a(ty, PLACE_TYPES)
        ):
            need("name")
        if ty == "OpeningHoursSpecification":
            need("dayOfWeek", "opens", "closes")
            days = node.get("dayOfWeek")
            for d in days if isinstance(days, list) else [days]:
                if d not in DAYS:
                    fail(f"{where}: dayOfWeek {d!r} is not a schema.org DayOfWeek URL ({SDO}Monday ...)")
            for p in ("opens", "closes"):
                v = node.get(p)
                if not isinstance(v, str) or not re.match(r"^([01][0-9]|2[0-3]):[0-5][0-9]$", v):
                    fail(f"{where}: {p} {v!r} is not HH:MM")
            for p in ("validFrom", "validThrough"):
                if p in node and not (isinstance(node[p], str) and DATE.match(node[p])):
                    fail(f"{where}: {p} {node[p]!r} is not YYYY-MM-DD")
        if ty == "PostalAddress":
            need("addressCountry")
        if ty == "GeoCoordinates":
            need("latitude", "longitude")
            if not all(isinstance(node.get(p), (int, float)) for p in ("latitude", "longitude")):
                fail(f"{where}: latitude and longitude must be numbers")
        if ty == "ListItem":
            need("position", "item")
    for key, value in node.items():
        if not key.startswith("@"):
            check_profile(vocab, value, f"{where}.{key}")


def run_jsonld(base: str) -> None:
    from pyld import jsonld

    vocab = Vocabulary(SCHEMAORG / "schemaorg-current-https.jsonld")
    version = (SCHEMAORG / "VERSION").read_text().split()[0]
    loader = document_loader()
    ids = [loc["id"] for loc in all_locations(base)]
    pages = ["/embed/list", "/embed/list?lang=sv", "/embed/list?lang=en", "/embed/list?limit=100",
             "/embed/list?topic=online_public_services&limit=100", "/embed/list?at=2027-06-25T12:00:00Z&limit=100"]
    pages += [f"/v1/locations/{i}/referral" for i in ids]
    counts = {"nodes": 0, "properties": 0, "documents": 0}
    for page in pages:
        html, _ = get(base, page)
        parser = LdScripts()
        parser.feed(html.decode("utf-8"))
        if len(parser.scripts) != 1:
            fail(f"{page}: {len(parser.scripts)} JSON-LD scripts, want 1")
            continue
        try:
            doc = json.loads(parser.scripts[0])
        except json.JSONDecodeError as e:
            fail(f"{page}: JSON-LD is not JSON: {e}")
            continue
        counts["documents"] += 1
        if doc.get("@context") != "https://schema.org":
            fail(f"{page}: @context {doc.get('@context')!r}, want \"https://schema.org\"")
        try:
            expanded = jsonld.expand(doc, {"documentLoader": loader, "base": base + page})
        except Exception as e:  # noqa: BLE001 - any processor error is a finding
            fail(f"{page}: pyld cannot expand the JSON-LD: {e}")
            continue
        if not expanded:
            fail(f"{page}: the JSON-LD expands to nothing")
        for node in expanded:
            check_node(vocab, node, page, counts)
        check_profile(vocab, doc, page)
        # Nothing dropped by expansion: every key of the compact form is a known term.
        dropped = compact_keys(doc) - expanded_terms(expanded)
        for key in sorted(dropped):
            fail(f"{page}: {key!r} is not a schema.org term and was dropped by JSON-LD expansion")
    summary("schema.org JSON-LD", f"pyld {metadata.version('PyLD')} + schema.org {version}",
            f"{counts['documents']} documents, {counts['nodes']} nodes, {counts['properties']} properties")


def compact_keys(node) -> set[str]:
    out = set()
    if isinstance(node, list):
        for n in node:
            out |= compact_keys(n)
    elif isinstance(node, dict):
        for k, v in node.items():
            # A null value means "no value" in JSON-LD and is dropped by design.
            if not k.startswith("@") and v is not None:
                out.add(k)
            out |= compact_keys(v)
    return out


def expanded_terms(node) -> set[str]:
    out = set()
    if isinstance(node, list):
        for n in node:
            out |= expanded_terms(n)
    elif isinstance(node, dict):
        for k, v in node.items():
            if not k.startswith("@"):
                out.add(schema_term(k) or k)
            out |= expanded_terms(v)
    return out


# --------------------------------------------------------------------------------------------
# CSV

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMERIC = re.compile(r"^[+-][0-9][0-9 ().-]*$")


def documented_columns() -> list[str]:
    """The column order of locations.csv as docs/interchange.md documents it."""
    text = (ROOT / "docs" / "interchange.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- locations\.csv columns -->(.*?)<!-- end -->", text, re.S)
    if not m:
        fail("docs/interchange.md does not list the locations.csv columns")
        return []
    return re.findall(r"^\|\s*\d+\s*\|\s*`([^`]+)`", m.group(1), re.M)


def check_csv(name: str, data: bytes, want_header: list[str], counts: dict) -> None:
    import pandas as pd

    if data.startswith(b"\xef\xbb\xbf"):
        fail(f"{name}: starts with a byte order mark")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        fail(f"{name}: not UTF-8: {e}")
        return
    if text and not text.endswith("\r\n"):
        fail(f"{name}: the last record does not end in CRLF")
    if re.search(r"(?<!\r)\n", _outside_quotes(text)):
        fail(f"{name}: a record ends in a bare LF, not CRLF (RFC 4180 2.1)")
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), dialect="excel", strict=True))
    except csv.Error as e:
        fail(f"{name}: Python csv (strict) cannot read it: {e}")
        return
    if not rows:
        fail(f"{name}: empty, no header row")
        return
    header, body = rows[0], rows[1:]
    if header != want_header:
        fail(f"{name}: header {header}, want {want_header}")
    for n, row in enumerate(body, start=2):
        if len(row) != len(header):
            fail(f"{name} line {n}: {len(row)} fields, the header has {len(header)}")
        for col, cell in zip(header, row):
            if cell.startswith(FORMULA_START) and not NUMERIC.match(cell):
                fail(f"{name} line {n}: {col} = {cell!r} would run as a spreadsheet formula")
    # A spreadsheet-oriented reader gets the same table.
    try:
        frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8")
    except Exception as e:  # noqa: BLE001 - any reader error is a finding
        fail(f"{name}: pandas cannot read it: {e}")
        return
    if list(frame.columns) != header:
        fail(f"{name}: pandas reads the header as {list(frame.columns)}")
    if frame.values.tolist() != body:
        fail(f"{name}: pandas reads different cells from Python's csv")
    counts["files"] += 1
    counts["rows"] += len(body)
    counts["cells"] += sum(len(r) for r in body)


def _outside_quotes(text: str) -> str:
    """The text with quoted fields removed (newlines inside quotes are data, not record ends)."""
    return re.sub(r'"(?:[^"]|"")*"', '""', text)


def run_csv(base: str) -> None:
    import pandas as pd

    counts = {"files": 0, "rows": 0, "cells": 0}
    data, headers = get(base, "/v1/export/locations.csv")
    ctype = headers.get("content-type", "")
    if not re.match(r"^text/csv\s*;\s*charset=utf-8", ctype, re.I):
        fail(f"locations.csv: Content-Type {ctype!r}, want text/csv; charset=utf-8")
    check_csv("locations.csv", data, documented_columns(), counts)
    total = get_json(base, "/v1/locations?per_page=1")["total"]
    if counts["rows"] != total:
        fail(f"locations.csv: {counts['rows']} rows, the API has {total} locations")
    archive = zipfile.ZipFile(io.BytesIO(get(base, "/v1/export/hsds.zip")[0]))
    package = json.loads(archive.read("datapackage.json"))
    for resource in package["resources"]:
        fields = [f["name"] for f in resource["schema"]["fields"]]
        check_csv(f"hsds.zip/{resource['path']}", archive.read(resource["path"]), fields, counts)
    summary("CSV (RFC 4180, UTF-8)", f"Python {sys.version.split()[0]} csv (strict) + pandas {pd.__version__}",
            f"{counts['files']} files, {counts['rows']} rows, {counts['cells']} cells")


# --------------------------------------------------------------------------------------------
# HSDS data package


def run_hsds(base: str) -> None:
    version = metadata.version("frictionless")
    with tempfile.TemporaryDirectory() as tmp:
        zipfile.ZipFile(io.BytesIO(get(base, "/v1/export/hsds.zip")[0])).extractall(tmp)
        exe = Path(sys.executable).parent / "frictionless"
        proc = subprocess.run([str(exe), "validate", "--json", "datapackage.json"], cwd=tmp,
                              capture_output=True, text=True)
        try:
            report = json.loads(proc.stdout)
        except json.JSONDecodeError:
            fail(f"frictionless gave no JSON report (exit {proc.returncode}): {proc.stderr[-2000:]}")
            summary("HSDS 3.0 data package", f"frictionless {version}", "0 tables")
            return
        rows = 0
        for task in report.get("tasks", []):
            rows += task.get("stats", {}).get("rows") or 0
            for err in task.get("errors", []):
                fail(f"{task.get('name')}: {err.get('type')}: {err.get('message')}")
        for err in report.get("errors", []):
            fail(f"package: {err.get('type')}: {err.get('message')}")
        if not report.get("valid") and not FAILURES:
            fail("frictionless reports the package invalid")
        summary("HSDS 3.0 data package", f"frictionless {version}",
                f"{len(report.get('tasks', []))} tables, {rows} rows")


if __name__ == "__main__":
    what, base = sys.argv[1], sys.argv[2].rstrip("/")
    try:
        {"jsonld": run_jsonld, "csv": run_csv, "hsds": run_hsds}[what](base)
    except Exception as e:  # noqa: BLE001 - report a crash as a failure, not as a pass
        fail(f"{what}: {type(e).__name__}: {e}")
        summary(what, "-", "error")
    sys.exit(1 if FAILURES else 0)
