DROP TABLE opening_hours;
ALTER TABLE services_at_locations DROP COLUMN appointment;
