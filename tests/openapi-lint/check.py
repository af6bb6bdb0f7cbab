#!/usr/bin/env python3
"""Checks of openapi/openapi.json that the linters' rule sets leave out (run by scripts/openapi-lint):

1. no loose schemas: every object schema names its properties or the type of its values, and
   every request body and response with content has a schema;
2. every operation has an example request body (when it takes one) and an example of each of
   its success responses with content, on the media type or its (referenced) schema, and each
   JSON example is valid against its schema (JSON Schema 2020-12, as OpenAPI 3.1 defines);
3. no internal names in descriptions (Rust paths such as `crate::...`, intra-doc links).

Usage: check.py openapi/openapi.json    Exit status 1 with a list of findings on failure.
"""
import json
import re
import sys

from jsonschema import Draft202012Validator

doc = json.load(open(sys.argv[1]))
schemas = doc.get("components", {}).get("schemas", {})
findings = []



def resolve(s):
    seen = 0
    while isinstance(s, dict) and "$ref" in s and seen < 50:
        s = schemas[s["$ref"].split("/")[-1]]
        seen += 1
    return s


def loose(s):
    if not isinstance(s, dict):
        return False
    t = s.get("type")
    is_object = t == "object" or (isinstance(t, list) and "object" in t)
    if not is_object:
        return False
    return not any(k in s for k in ("properties", "additionalProperties", "patternProperties", "$ref", "allOf",
                                    "oneOf", "anyOf"))


def walk(x, path):
    if isinstance(x, dict):
        if loose(x):
            findings.append(f"loose schema (an object without properties): {path}")
        for k, v in x.items():
            if k == "description" and isinstance(v, str):
                if re.search(r"crate::|super::|self::|\[`[A-Za-z_:]+`\](?!\()", v):
                    findings.append(f"internal name in a description: {path}: {v[:80]!r}")
            walk(v, f"{path}/{k}")
    elif isinstance(x, list):
        for i, v in enumerate(x):
            walk(v, f"{path}/{i}")


walk(doc, "#")

# Examples are validated against their schemas, with the components reachable by $ref.


def validator(schema):
    wrapped = dict(schema) if isinstance(schema, dict) else {}
    wrapped["components"] = doc.get("components", {})
    return Draft202012Validator(wrapped)


def examples_of(media):
    out = []
    if "example" in media:
        out.append(media["example"])
    for ex in (media.get("examples") or {}).values():
        if isinstance(ex, dict) and "value" in ex:
            out.append(ex["value"])
    s = resolve(media.get("schema"))
    if isinstance(s, dict):
        if "example" in s:
            out.append(s["example"])
        out.extend(s.get("examples") or [])
    return out


def check_media(where, ct, media):
    if "schema" not in media:
        findings.append(f"no schema: {where} {ct}")
        return
    exs = examples_of(media)
    binary = resolve(media["schema"]).get("contentMediaType", "").startswith("application/zip")
    if not exs and binary:
        return  # the bytes of an archive: its schema names the media type, an example would be noise
    if not exs:
        findings.append(f"no example: {where} {ct}")
        return
    if "json" in ct:
        v = validator(media["schema"])
        for ex in exs:
            errors = sorted(v.iter_errors(ex), key=lambda e: list(e.absolute_path))
            for e in errors[:3]:
                findings.append(f"example does not match its schema: {where} {ct} at /"
                                f"{'/'.join(map(str, e.absolute_path))}: {e.message[:160]}")


operations = 0
for path, item in doc["paths"].items():
    for method, op in item.items():
        if method not in ("get", "put", "post", "patch", "delete", "head", "options", "trace"):
            continue
        operations += 1
        where = f"{method.upper()} {path}"
        body = op.get("requestBody")
        if body:
            body = body if "$ref" not in body else doc["components"]["requestBodies"][body["$ref"].split("/")[-1]]
            for ct, media in body.get("content", {}).items():
                check_media(f"{where} request", ct, media)
        for code, resp in op.get("responses", {}).items():
            if "$ref" in resp:
                resp = doc["components"]["responses"][resp["$ref"].split("/")[-1]]
            for ct, media in (resp.get("content") or {}).items():
                if code.startswith("2"):
                    check_media(f"{where} {code}", ct, media)
                elif "schema" not in media:
                    findings.append(f"no schema: {where} {code} {ct}")

for f in findings:
    print(f)
print(f"check.py: {operations} operations, {len(findings)} findings", file=sys.stderr)
if any(f.startswith(("no example", "example does not match")) for f in findings):
    print("Examples come from openapi/examples.json: record them again with tests/openapi-lint/capture-examples.py "
          "(extend it for new operations), then UPDATE_OPENAPI=1 cargo test --test api openapi", file=sys.stderr)
sys.exit(1 if findings else 0)
