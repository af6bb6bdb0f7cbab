// A typed client generated from openapi/openapi.json (openapi-typescript writes the types to
// generated/api.d.ts, openapi-fetch makes the calls) calls three endpoints of a running service
// at $BASE. `tsc --strict` checks every field used here against the generated types, and the
// run checks the answers' values. Run by typed-client.sh.
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/api.js";

// Node's `process`, declared here instead of installing @types/node.
declare const process: { env: Record<string, string | undefined> };

type Text = components["schemas"]["Text"];
type Location = components["schemas"]["LocationOut"];
type Summary = components["schemas"]["LocationSummary"];
// A listing's items are full records, or summaries with `view=summary`: the full ones have
// `services`.
const isFull = (p: Location | Summary): p is Location => "services" in p;

const base = process.env.BASE;
if (!base) throw new Error("set BASE to the service, e.g. http://127.0.0.1:8080");
const api = createClient<paths>({ baseUrl: base });

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`typed client: ${what}`);
}

// A text in one language (`lang` given) is a string; without `lang` it is {fi, sv, en}.
function english(t: Text): string {
  return typeof t === "string" ? t : (t.en ?? t.fi);
}

const topics = await api.GET("/v1/topics", { params: { query: { lang: "en" } } });
check(topics.response.status === 200 && topics.data !== undefined, `GET /v1/topics answered ${topics.response.status}`);
const online = topics.data!.items.find((t) => t.code === "online_public_services");
check(online !== undefined, "topic online_public_services is listed");
const count: number = online!.location_count;
check(english(online!.label) === "Online public services" && count > 0, `topic label and count: ${JSON.stringify(online)}`);

const nearest = await api.GET("/v1/locations/nearest", {
  // From a point (a postal-code origin ranks its own area first, see same_postal_area).
  params: { query: { lat: 62.6, lon: 29.76, limit: 3, topic: ["online_public_services"] } },
});
check(nearest.response.status === 200 && nearest.data !== undefined, `nearest answered ${nearest.response.status}`);
const places: Location[] = nearest.data!.items.filter(isFull);
check(places.length === 3, `three nearest places (full records by default), got ${places.length}`);
const distances = places.map((p) => p.distance_m ?? Number.NaN);
check(distances.every((d, i) => Number.isFinite(d) && (i === 0 || d >= distances[i - 1])), `distances ascend: ${distances}`);
check(places.every((p) => p.topics.includes("online_public_services")), "every place offers the topic asked for");

const first = places[0];
const one = await api.GET("/v1/locations/{id}", { params: { path: { id: first.id } } });
check(one.response.status === 200 && one.data !== undefined, `GET /v1/locations/{id} answered ${one.response.status}`);
const loc: Location = one.data!;
check(loc.id === first.id, "the same location");
check(typeof english(loc.name) === "string" && english(loc.name).length > 0, "a name");
const lat: number | undefined = loc.coordinates?.lat;
const lon: number | undefined = loc.coordinates?.lon;
check(lat !== undefined && lon !== undefined && lat > 59 && lat < 70 && lon > 20 && lon < 32, `coordinates in Finland: ${lat}, ${lon}`);
check(typeof loc.verified === "boolean" && typeof loc.stale === "boolean", "verified and stale are booleans");

console.log(
  JSON.stringify({
    topics: topics.data!.items.length,
    nearest: places.map((p) => ({ id: p.id, distance_m: p.distance_m })),
    location: { id: loc.id, name: english(loc.name), lat, lon },
  }),
);
