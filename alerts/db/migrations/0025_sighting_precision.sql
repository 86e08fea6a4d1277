-- How precise each sighting's point is, so that triage compares only points that can bear it:
-- `exact` (a map pin, the device's position, a location shared on Telegram), `street` (a place
-- text a geocoder found to a street, an address or a landmark), `municipality` (a place text
-- found only to its municipality's centre), `unknown` (no point yet). Existing rows: a point
-- given as a point is exact; a geocoded one came from the offline gazetteer or an answer whose
-- type was not kept, so it is taken as the municipality only.
ALTER TABLE sightings
    ADD COLUMN point_precision text NOT NULL DEFAULT 'unknown'
        CHECK (point_precision IN ('exact', 'street', 'municipality', 'unknown'));

UPDATE sightings
SET point_precision = CASE WHEN point_source = 'geocoded' THEN 'municipality' ELSE 'exact' END
WHERE lat IS NOT NULL;

ALTER TABLE sightings
    ADD CONSTRAINT sightings_precision_point CHECK ((point_precision = 'unknown') = (lat IS NULL));
