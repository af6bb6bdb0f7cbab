-- pgbench: the PostGIS k-nearest baseline. Same origins (box over populated Finland), same
-- topic filter through the real services tables, GiST index on geography, 10 nearest.
\set lat random(600000, 660000)
\set lon random(220000, 300000)
SELECT g.id, ST_Distance(g.geog, ST_SetSRID(ST_MakePoint(:lon / 10000.0, :lat / 10000.0), 4326)::geography) AS distance_m
FROM bench_geo g
WHERE EXISTS (
  SELECT 1 FROM services_at_locations sal JOIN service_topics st ON st.service_id = sal.service_id
  WHERE sal.location_id = g.id AND sal.deleted_at IS NULL AND st.topic_code = 'online_public_services')
ORDER BY g.geog <-> ST_SetSRID(ST_MakePoint(:lon / 10000.0, :lat / 10000.0), 4326)::geography
LIMIT 10;
