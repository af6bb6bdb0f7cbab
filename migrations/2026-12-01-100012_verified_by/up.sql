-- Who confirmed a listing (POST /v1/locations/{id}/verify): the organization of the token that
-- did it, shown with `verified_at` as "Tarkistettu 1.12.2026 (PKSOTU)". Null when never
-- confirmed through the API (or confirmed before this column existed).
ALTER TABLE locations ADD COLUMN verified_by text REFERENCES organizations (id);
