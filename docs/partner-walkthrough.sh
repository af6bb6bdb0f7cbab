#!/usr/bin/env bash
# A partner keeps one listing current through the write API, step by step:
# read the ETag -> change contact details (PATCH) -> weekly hours -> a closed day (exception)
# -> confirm the listing -> read the history.
#
#   BASE=http://127.0.0.1:8080 TOKEN=dtk_... docs/partner-walkthrough.sh
#
# BASE: the service; TOKEN: the organisation's token (`digituki token create ...`);
# LOCATION (optional): a location of that organisation (default pksotu-kansalaistalo);
# CLOSED_DAY (optional): the date to mark closed, YYYY-MM-DD (default 2027-12-27).
# Needs bash, curl and jq. A test runs this file as it is (tests/api/devex.rs).
set -euo pipefail
: "${BASE:?set BASE to the service, e.g. http://127.0.0.1:8080}"
: "${TOKEN:?set TOKEN to the organisation token (dtk_...)}"
LOCATION=${LOCATION:-pksotu-kansalaistalo}
CLOSED_DAY=${CLOSED_DAY:-2027-12-27}
URL=$BASE/v1/locations/$LOCATION
HEADERS=$(mktemp)
trap 'rm -f "$HEADERS"' EXIT

# The ETag of the last answer. Match the header named exactly `etag`: a plain `grep -i etag`
# also finds `access-control-expose-headers: ETag`.
etag_of_last_answer() {
  awk 'tolower($1) == "etag:" { sub(/\r$/, ""); print $2 }' "$HEADERS"
}

# curl that fails on HTTP errors and then prints the problem document it got.
call() {
  curl --silent --show-error --fail-with-body --dump-header "$HEADERS" "$@"
}

echo "1. Read the listing and its ETag"
call "$URL" | jq '{id, name, phone, languages}'
ETAG=$(etag_of_last_answer)
echo "   ETag: $ETAG"

echo "2. Change the phone number and the languages (JSON Merge Patch, If-Match: the ETag)"
call -X PATCH "$URL" -H "Authorization: Bearer $TOKEN" -H "If-Match: $ETAG" \
  -H 'Content-Type: application/merge-patch+json' \
  -d '{"phone": "+358 40 123 4567", "languages": ["fi", "uk"]}' | jq '{phone, languages}'
ETAG=$(etag_of_last_answer)

echo "3. Weekly hours: staffed help Tuesdays and Thursdays, self-service before it on Tuesdays"
call -X PUT "$URL/hours" -H "Authorization: Bearer $TOKEN" -H "If-Match: $ETAG" \
  -H 'Content-Type: application/json' -d @- <<'JSON' | jq '{opening_hours, confidence}'
{
  "periods": [
    {"week": {
      "tue": [{"start": "08:00", "end": "10:00", "kind": "self_service"},
              {"start": "10:00", "end": "14:00", "kind": "staffed"}],
      "thu": [{"start": "12:00", "end": "16:00", "kind": "staffed"}]
    }}
  ],
  "exceptions": [],
  "open_on_holidays": false
}
JSON
ETAG=$(etag_of_last_answer)

echo "4. Closed on $CLOSED_DAY (an exception with no ranges, and why)"
call -X PUT "$URL/exceptions/$CLOSED_DAY" -H "Authorization: Bearer $TOKEN" -H "If-Match: $ETAG" \
  -H 'Content-Type: application/json' \
  -d '{"ranges": [], "reason": {"fi": "Suljettu välipäivänä", "sv": "Stängt under mellandagarna", "en": "Closed between the holidays"}}' \
  | jq --arg day "$CLOSED_DAY" '.hours.exceptions[] | select(.date == $day)'

echo "5. Confirm that the listing is correct"
call -X POST "$URL/verify" -H "Authorization: Bearer $TOKEN" | jq '{verified_at, stale}'

echo "6. The history: who changed what and when, oldest first"
call "$URL/history" -H "Authorization: Bearer $TOKEN" | jq -r '.items[] | "\(.at)  \(.action)  \(.actor)"'
