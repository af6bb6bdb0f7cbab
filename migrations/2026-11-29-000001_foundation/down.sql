DROP TABLE contacts, services_at_locations, service_languages, service_topics, services,
  location_languages, locations, organizations, languages, topics, sources, postal_codes,
  municipalities;
DROP FUNCTION directory_changed();
DROP SEQUENCE directory_version;
