// Checks the GeoJSON answers with @placemarkio/check-geojson, an RFC 7946 validator (it
// reports structural errors, wrong member types, bad positions and bbox, duplicate keys),
// plus what a validator cannot know: coordinate order ([longitude, latitude], so every
// point must fall in Finland's lon 19-32 / lat 59-71 box), the media type, every located
// place present exactly once, and a consistent `bbox` if one is given.
//
// Usage: node geojson.js BASE_URL   (run by scripts/conformance; prints a JSON summary last)
'use strict';

const { check, getIssues } = require('@placemarkio/check-geojson');
const version = require('@placemarkio/check-geojson/package.json').version;

const base = (process.argv[2] || '').replace(/\/$/, '');
const QUERIES = ['', '?lang=fi', '?lang=sv', '?lang=en', '?topic=online_public_services', '?at=2027-06-25T12:00:00Z'];

async function main() {
  const failures = [];
  const fail = (m) => {
    failures.push(m);
    console.error('FAIL ' + m);
  };
  let features = 0;

  // The places with coordinates, from the JSON API, to compare with the unfiltered answer.
  const located = new Map();
  for (let page = 1; ; page++) {
    const body = await (await fetch(`${base}/v1/locations?per_page=100&page=${page}`)).json();
    for (const l of body.items) if (l.coordinates) located.set(l.id, l.coordinates);
    if (!body.items.length || page * 100 >= body.total) break;
  }

  for (const q of QUERIES) {
    const url = `${base}/v1/locations.geojson${q}`;
    const res = await fetch(url);
    const type = res.headers.get('content-type') || '';
    if (!type.startsWith('application/geo+json')) fail(`${url}: Content-Type ${type}, want application/geo+json (RFC 7946 section 12)`);
    const text = await res.text();
    const issues = getIssues(text);
    for (const i of issues) fail(`${url}: ${i.message} (at ${i.from}-${i.to}, ${i.severity || 'error'})`);
    let gj;
    try {
      gj = check(text);
    } catch (e) {
      if (!issues.length) fail(`${url}: ${e.message || e}`);
      continue;
    }
    if (gj.type !== 'FeatureCollection') {
      fail(`${url}: a ${gj.type}, want a FeatureCollection`);
      continue;
    }
    const seen = new Set();
    let minLon = Infinity, minLat = Infinity, maxLon = -Infinity, maxLat = -Infinity;
    for (const f of gj.features) {
      features++;
      const id = f.id ?? f.properties?.id;
      if (seen.has(id)) fail(`${url}: feature ${id} twice`);
      seen.add(id);
      if (f.properties === null || typeof f.properties !== 'object' || Array.isArray(f.properties)) {
        fail(`${url}: feature ${id}: properties must be a JSON object`);
      }
      if (!f.geometry || f.geometry.type !== 'Point') {
        fail(`${url}: feature ${id}: geometry ${f.geometry && f.geometry.type}, want Point`);
        continue;
      }
      const [lon, lat, ...rest] = f.geometry.coordinates;
      if (rest.length) fail(`${url}: feature ${id}: ${rest.length} extra coordinate members`);
      if (!(lon >= 19 && lon <= 32 && lat >= 59 && lat <= 71)) {
        fail(`${url}: feature ${id}: [${lon}, ${lat}] is not [longitude, latitude] in Finland`);
      }
      minLon = Math.min(minLon, lon); maxLon = Math.max(maxLon, lon);
      minLat = Math.min(minLat, lat); maxLat = Math.max(maxLat, lat);
      if (q === '' && located.has(id)) {
        const c = located.get(id);
        if (c.lat !== lat || c.lon !== lon) fail(`${url}: feature ${id} at [${lon}, ${lat}], the API says lat ${c.lat} lon ${c.lon}`);
      }
    }
    if (gj.bbox) {
      const [w, s, e, n] = gj.bbox;
      if (gj.bbox.length !== 4 || w > minLon || s > minLat || e < maxLon || n < maxLat) {
        fail(`${url}: bbox ${JSON.stringify(gj.bbox)} does not contain every feature`);
      }
    }
    if (q === '') {
      for (const id of located.keys()) if (!seen.has(id)) fail(`${url}: located place ${id} missing`);
      for (const id of seen) if (!located.has(id)) fail(`${url}: feature ${id} is not a located place of /v1/locations`);
    }
  }
  console.log(JSON.stringify({
    format: 'GeoJSON (RFC 7946)',
    tool: `@placemarkio/check-geojson ${version}`,
    items: `${QUERIES.length} answers, ${features} features`,
    failures: failures.length,
  }));
}

main().catch((e) => {
  console.error(e);
  console.log(JSON.stringify({ format: 'GeoJSON (RFC 7946)', tool: `@placemarkio/check-geojson ${version}`, items: 0, failures: 1, error: String(e) }));
  process.exit(1);
});
