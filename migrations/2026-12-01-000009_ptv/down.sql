DROP INDEX IF EXISTS organizations_ptv_external_id;
DROP INDEX IF EXISTS locations_ptv_external_id;
