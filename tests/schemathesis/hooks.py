"""Schemathesis hooks for the write phases of scripts/schemathesis (loaded via SCHEMATHESIS_HOOKS).

What they do around every generated write request (POST, PATCH, PUT, DELETE):

* Aim part of the requests at real records, so that they get past 404 and reach the checks
  behind it: the `{id}` path parameter is replaced, for a share of the cases, by the id of a
  stored record of the right kind (for a partner token mostly its own organization's, sometimes
  another's), read from the database.
* Fill `If-Match` (only when the generated request has one: a missing header is itself a test
  case) for a share of the cases with the record's current ETag (GET first) or with `*`, so that
  enough requests get past the preconditions (412/428) and exercise the validation.
* Never revoke the tokens the run itself uses (DELETE /v1/admin/tokens/{id} is pointed elsewhere).
* Fingerprint the database before and after each write: the directory version (every committed
  write of directory data bumps it, see migrations/*_transactional_version), the history table
  and the token table. A request answered 4xx must leave the fingerprint unchanged; the custom
  check `refused_write_changed_nothing` fails the run otherwise, and every such case is also
  written to the stats file, which scripts/schemathesis checks as well.
* Count the write requests sent, per status class, into the stats file (JSON).

Environment (set by scripts/schemathesis):
  DIGITUKI_BASE_URL        e.g. http://127.0.0.1:8080
  DIGITUKI_PG_SOCKET_DIR   the embedded cluster's socket directory (<data-dir>/run)
  DIGITUKI_WRITE_STATS     path of the JSON stats file written at exit
  DIGITUKI_ORGANIZATION    the organization of the token in use (absent for an admin token)
  DIGITUKI_PROTECTED_TOKEN_IDS  comma-separated ids of tokens that must not be revoked
  DIGITUKI_SACRIFICE_TOKEN_ID   a token id a DELETE may revoke instead
  DIGITUKI_HOOK_SEED       seed of the hooks' own random choices
"""

from __future__ import annotations

import atexit
import collections
import json
import os
import random
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request

import schemathesis

BASE = os.environ["DIGITUKI_BASE_URL"].rstrip("/")
SOCKET_DIR = os.environ["DIGITUKI_PG_SOCKET_DIR"]
STATS_PATH = os.environ["DIGITUKI_WRITE_STATS"]
ORGANIZATION = os.environ.get("DIGITUKI_ORGANIZATION") or None
PROTECTED_TOKENS = {t for t in os.environ.get("DIGITUKI_PROTECTED_TOKEN_IDS", "").split(",") if t}
SACRIFICE_TOKEN = os.environ.get("DIGITUKI_SACRIFICE_TOKEN_ID", "999999999")
RNG = random.Random(int(os.environ.get("DIGITUKI_HOOK_SEED", "20261201")))

WRITE_METHODS = {"POST", "PATCH", "PUT", "DELETE"}

# Which kind of record the `{id}` of a path template names, and where its ETag is read.
KINDS = [
    ("/v1/organizations/{id}", "organization", "/v1/organizations/{id}"),
    ("/v1/locations/{id}", "location", "/v1/locations/{id}"),
    ("/v1/services-at-locations/{id}", "service_at_location", "/v1/services-at-locations/{id}"),
    ("/v1/services/{id}", "service", "/v1/services/{id}"),
]

FINGERPRINT_SQL = (
    "SELECT (SELECT version FROM directory_state)"
    " || ' history=' || (SELECT count(*) || ':' || coalesce(max(id), 0) FROM history)"
    " || ' tokens=' || (SELECT count(*) || ':' || coalesce(max(id), 0) || ':' || count(revoked_at) FROM api_tokens);"
)

RECORDS_SQL = (
    "SELECT 'organization', id, id, deleted_at IS NOT NULL FROM organizations"
    " UNION ALL SELECT 'location', id, organization_id, deleted_at IS NOT NULL FROM locations"
    " UNION ALL SELECT 'service', id, organization_id, deleted_at IS NOT NULL FROM services"
    " UNION ALL SELECT 'service_at_location', sal.id, s.organization_id, sal.deleted_at IS NOT NULL"
    " FROM services_at_locations sal JOIN services s ON s.id = sal.service_id;"
)


class Database:
    """One long-lived psql session over the cluster's Unix socket (a query costs about a millisecond)."""

    END = "__digituki_end__"

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            ["psql", "-X", "-q", "-A", "-t", "-F", "\t", "-h", SOCKET_DIR, "-U", "postgres", "-d", "digituki"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )

    def query(self, sql: str) -> list[list[str]]:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(sql + "\n\\echo " + self.END + "\n")
        self.proc.stdin.flush()
        rows = []
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("psql ended: is the embedded cluster still running?")
            line = line.rstrip("\n")
            if line == self.END:
                return rows
            if line.startswith(("ERROR:", "psql:", "FATAL:")):
                raise RuntimeError(f"psql: {line}")
            rows.append(line.split("\t"))


LOCK = threading.Lock()
DB: Database | None = None
RECORDS: dict[str, list[tuple[str, str, bool]]] = {}
RECORDS_AGE = 0
BEFORE: dict[int, str] = {}
STATS: dict = {
    "write_requests": 0,
    "by_status": collections.Counter(),
    "by_operation": collections.Counter(),
    "by_phase": collections.Counter(),
    "refused_checked": 0,
    "aimed_at_real_records": 0,
    "valid_create_bodies": 0,
    "if_match_current_etag": 0,
    "if_match_star": 0,
    "violations": [],
}
VIOLATING_CASES: dict[int, str] = {}


def db() -> Database:
    global DB
    if DB is None:
        DB = Database()
    return DB


def fingerprint() -> str:
    return db().query(FINGERPRINT_SQL)[0][0]


def records(kind: str) -> list[tuple[str, str, bool]]:
    """(id, organization, deleted) of every stored record of `kind`, re-read every 50 writes."""
    global RECORDS_AGE
    if not RECORDS or RECORDS_AGE >= 50:
        RECORDS.clear()
        for k, rid, org, deleted in db().query(RECORDS_SQL):
            RECORDS.setdefault(k, []).append((rid, org, deleted == "t"))
        RECORDS_AGE = 0
    RECORDS_AGE += 1
    return RECORDS.get(kind, [])


def kind_of(template: str) -> tuple[str, str] | None:
    for prefix, kind, etag_path in KINDS:
        if template == prefix or template.startswith(prefix + "/"):
            return kind, etag_path
    return None


def pick_record(kind: str, method: str, template: str) -> str | None:
    pool = records(kind)
    if not pool:
        return None
    wants_deleted = template.endswith("/restore")
    live = [r for r in pool if r[2] == wants_deleted] or pool
    if ORGANIZATION is not None:
        own = [r for r in live if r[1] == ORGANIZATION]
        # Mostly its own records (to reach validation), sometimes another's (must be 403).
        if own and RNG.random() < 0.8:
            live = own
    return RNG.choice(live)[0]


def current_etag(path: str) -> str | None:
    try:
        with urllib.request.urlopen(BASE + path, timeout=10) as resp:
            return resp.headers.get("ETag")
    except (urllib.error.URLError, TimeoutError):
        return None


def phase_of(case) -> str:
    phase = getattr(getattr(case, "_meta", None), "phase", None)
    return str(getattr(phase, "name", "unknown"))


CREATED = 0


def valid_create_body(template: str):
    """A body that passes validation for a create operation, or None: in the stateful phase
    half of the creations use one, so that the records they create feed the linked operations
    (PATCH, DELETE, hours ...) instead of nearly every generated creation ending in 422."""
    global CREATED
    CREATED += 1
    org = ORGANIZATION or "pksotu"
    name = {"fi": f"Schemathesis {CREATED}", "en": f"Schemathesis {CREATED}"}
    if template == "/v1/locations":
        return {"organization_id": org, "kind": "association", "name": name, "municipality_code": "167"}
    if template == "/v1/organizations":
        return {"kind": "association", "name": name}
    if template == "/v1/services":
        return {"organization_id": org, "name": name, "assistance_level": "guidance", "delivery_modes": ["drop_in"]}
    if template == "/v1/services-at-locations":
        services = [r for r in records("service") if r[1] == org and not r[2]]
        locations = [r for r in records("location") if r[1] == org and not r[2]]
        if services and locations:
            return {"service_id": RNG.choice(services)[0], "location_id": RNG.choice(locations)[0]}
    return None


def aim(case) -> None:
    """Points part of the cases at real records and fills part of the If-Match headers."""
    template = case.operation.path
    params = case.path_parameters or {}
    if case.method.upper() == "POST" and phase_of(case) == "stateful" and RNG.random() < 0.5:
        body = valid_create_body(template)
        if body is not None:
            case.body = body
            STATS["valid_create_bodies"] += 1
    if template == "/v1/admin/tokens/{id}" and str(params.get("id", "")).strip() in PROTECTED_TOKENS:
        params["id"] = SACRIFICE_TOKEN
        return
    found = kind_of(template)
    if found is None or "id" not in params:
        return
    kind, etag_path = found
    # DELETE is destructive: aim it less often, so that the other operations keep records to work on.
    # In the stateful phase the ids come from earlier answers (links): keep them.
    share = 0.35 if case.method.upper() == "DELETE" else 0.75
    if phase_of(case) != "stateful" and RNG.random() < share:
        rid = pick_record(kind, case.method.upper(), template)
        if rid is not None:
            params["id"] = rid
            case.path_parameters = params
            STATS["aimed_at_real_records"] += 1
    headers = case.headers
    if headers is None or "If-Match" not in headers:
        return  # a request without If-Match is a test case of its own (428)
    roll = RNG.random()
    if roll < 0.5:
        tag = current_etag(etag_path.replace("{id}", urllib.parse.quote(str(params["id"]), safe="")))
        if tag is not None:
            headers["If-Match"] = tag
            STATS["if_match_current_etag"] += 1
    elif roll < 0.75:
        headers["If-Match"] = "*"
        STATS["if_match_star"] += 1


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.method.upper() not in WRITE_METHODS:
        return
    with LOCK:
        aim(case)
        BEFORE[id(case)] = fingerprint()


@schemathesis.hook
def after_call(context, case, response):
    method = case.method.upper()
    if method not in WRITE_METHODS:
        return
    with LOCK:
        before = BEFORE.pop(id(case), None)
        status = response.status_code
        STATS["write_requests"] += 1
        STATS["by_status"][str(status)] += 1
        STATS["by_operation"][f"{method} {case.operation.path}"] += 1
        STATS["by_phase"][phase_of(case)] += 1
        if 400 <= status < 500 and before is not None:
            STATS["refused_checked"] += 1
            after = fingerprint()
            if after != before:
                message = (
                    f"{method} {case.formatted_path} was refused with {status} but the database changed: "
                    f"before [{before}], after [{after}]"
                )
                VIOLATING_CASES[id(case)] = message
                STATS["violations"].append(
                    {
                        "request": f"{method} {case.formatted_path}",
                        "status": status,
                        "before": before,
                        "after": after,
                        "body": repr(case.body)[:500],
                        "answer": response.text[:500] if hasattr(response, "text") else "",
                    }
                )


def _resolve(schema, root):
    while isinstance(schema, dict) and "$ref" in schema:
        node = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def only_null_unknown_members(value, schema, root) -> tuple[bool, int]:
    """(every member of `value` that `schema` does not know is null, how many such members).

    Nested objects are followed through `properties`, `$ref` and the object branch of `oneOf`."""
    schema = _resolve(schema, root)
    if isinstance(schema, dict) and "properties" not in schema:
        for branch in schema.get("oneOf", []) + schema.get("anyOf", []):
            branch = _resolve(branch, root)
            if isinstance(branch, dict) and "properties" in branch:
                schema = branch
                break
    if not isinstance(value, dict) or not isinstance(schema, dict) or "properties" not in schema:
        return True, 0
    unknown = 0
    for key, member in value.items():
        if key not in schema["properties"]:
            if member is not None:
                return False, unknown
            unknown += 1
        else:
            ok, n = only_null_unknown_members(member, schema["properties"][key], root)
            if not ok:
                return False, unknown
            unknown += n
    return True, unknown


# KNOWN FINDING (reported for the service, see the report of issue 14 point 7): a merge patch
# that sets an unknown member to null, e.g. PATCH {"thur": null}, is accepted as a no-op (200,
# and a new version and history entry) instead of 422 naming the member: json_patch::merge
# removes the absent member and the result deserializes. Until merge_patch rejects such
# members, this one kind of ST201 failure is counted (stats "known_null_unknown_patches",
# printed by scripts/schemathesis) instead of failing the run; any other ST201 still fails.
# DIGITUKI_STRICT_MERGE_PATCH=1 turns the exception off.
STRICT_MERGE_PATCH = os.environ.get("DIGITUKI_STRICT_MERGE_PATCH", "1") == "1"  # fixed in merge_patch: strict by default
STATS["known_null_unknown_patches"] = []


@schemathesis.hook
def filter_failure(context, failure, case, response):
    if STRICT_MERGE_PATCH or case.method.upper() != "PATCH" or type(failure).__name__ != "AcceptedNegativeData":
        return True
    operation = case.operation
    root = operation.schema.raw_schema
    body_schema = (
        root["paths"][operation.path][case.method.lower()]
        .get("requestBody", {})
        .get("content", {})
        .get("application/merge-patch+json", {})
        .get("schema")
    )
    if body_schema is None:
        return True
    only_null, unknown = only_null_unknown_members(case.body, body_schema, root)
    if only_null and unknown > 0:
        with LOCK:
            STATS["known_null_unknown_patches"].append(
                {"request": f"PATCH {case.formatted_path}", "body": repr(case.body)[:300], "status": response.status_code}
            )
        return False
    return True


@schemathesis.check
def refused_write_changed_nothing(ctx, response, case):
    """A write answered 4xx must not have changed the database (see after_call)."""
    message = VIOLATING_CASES.pop(id(case), None)
    if message is not None:
        raise AssertionError(message)


@atexit.register
def write_stats() -> None:
    out = dict(STATS)
    out["by_status"] = dict(sorted(STATS["by_status"].items()))
    out["by_operation"] = dict(sorted(STATS["by_operation"].items()))
    out["by_phase"] = dict(sorted(STATS["by_phase"].items()))
    with open(STATS_PATH, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1)
