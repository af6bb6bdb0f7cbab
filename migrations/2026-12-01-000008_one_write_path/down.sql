DROP TRIGGER organizations_bump_version ON organizations;
DROP TRIGGER locations_bump_version ON locations;
DROP TRIGGER services_bump_version ON services;
DROP TRIGGER services_at_locations_bump_version ON services_at_locations;
DROP FUNCTION bump_row_version();
ALTER TABLE history DROP COLUMN actor;
