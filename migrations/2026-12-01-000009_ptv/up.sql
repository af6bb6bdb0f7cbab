-- One location per PTV (Suomi.fi Palvelutietovaranto) service channel: `digituki import ptv`
-- matches its records by (source = 'ptv', external_id = the channel's PTV id).
CREATE UNIQUE INDEX locations_ptv_external_id ON locations (external_id) WHERE source = 'ptv';
-- One organization per PTV organization, when the import creates it.
CREATE UNIQUE INDEX organizations_ptv_external_id ON organizations (external_id) WHERE source = 'ptv';
