"""Write → visible over HTTP, for scripts/bench: N partner PATCHes of one location's phone
number through the writing instance, timing until the new value is in a GET answer of the
writing instance and of a second instance on the same database (each polled every 2 ms).

Usage: python3 bench/writes.py WRITER_BASE SECOND_BASE TOKEN LOCATION_ID N
Prints one line: writer_p50_ms=.. writer_max_ms=.. second_p50_ms=.. second_max_ms=.. patch_p50_ms=..
"""
import json
import statistics
import sys
import time
import urllib.request

writer, second, token, location, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
path = f"/v1/locations/{location}"


def get(base):
    with urllib.request.urlopen(base + path + "?lang=fi") as r:
        return r.headers["ETag"], json.load(r)


def wait_for(base, phone, t0, limit_s=30):
    while time.monotonic() - t0 < limit_s:
        if get(base)[1].get("phone") == phone:
            return (time.monotonic() - t0) * 1000
        time.sleep(0.002)
    raise SystemExit(f"{phone} not visible on {base} after {limit_s} s")


writer_ms, second_ms, patch_ms = [], [], []
for i in range(n):
    etag, _ = get(writer)
    phone = f"+358 40 {int(time.time() * 1000) % 10_000_000:07d}"
    body = json.dumps({"phone": phone}).encode()
    req = urllib.request.Request(writer + path, data=body, method="PATCH", headers={
        "Authorization": f"Bearer {token}", "If-Match": etag, "Content-Type": "application/merge-patch+json"})
    t0 = time.monotonic()
    with urllib.request.urlopen(req) as r:
        assert r.status == 200, r.status
    patch_ms.append((time.monotonic() - t0) * 1000)
    writer_ms.append(wait_for(writer, phone, t0))
    second_ms.append(wait_for(second, phone, t0))
    time.sleep(0.1)

print(f"writer_p50_ms={statistics.median(writer_ms):.1f} writer_max_ms={max(writer_ms):.1f} "
      f"second_p50_ms={statistics.median(second_ms):.1f} second_max_ms={max(second_ms):.1f} "
      f"patch_p50_ms={statistics.median(patch_ms):.1f}")
