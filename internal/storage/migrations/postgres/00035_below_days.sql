-- +goose Up
-- Plays and seconds aired per unit and local day by the devices of the
-- units BELOW it (its whole subtree but itself): a unit's subtree total is
-- its play_day_totals row plus its play_below_days row, so a dashboard row
-- (a district, a province) reads two rows per day instead of one per
-- commune and day. Kept per ingested batch with play_day_totals (each
-- strict ancestor of the unit owning the device); a unit's move recomputes
-- the rows of its old and new ancestors (OrgStore.MoveUnit).
CREATE TABLE play_below_days (
    unit_id BIGINT NOT NULL REFERENCES units(id),
    day     TEXT NOT NULL,
    -- Rows of a unit two or more levels above the devices' units are
    -- spread over shards (0–15, one per writing transaction on
    -- PostgreSQL) so that concurrent play writers do not all wait for
    -- one province row; readers sum them.
    shard   BIGINT NOT NULL DEFAULT 0,
    plays   BIGINT NOT NULL DEFAULT 0,
    seconds BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, day, shard)
);
-- Backfill: every unit with each of its strict ancestors (by parent_id),
-- then play_day_totals summed per ancestor and day.
INSERT INTO play_below_days (unit_id, day, plays, seconds)
WITH RECURSIVE anc(unit_id, anc_id) AS (
    SELECT id, parent_id FROM units WHERE parent_id IS NOT NULL
    UNION ALL
    SELECT anc.unit_id, u.parent_id FROM anc JOIN units u ON u.id = anc.anc_id WHERE u.parent_id IS NOT NULL
)
SELECT anc.anc_id, t.day, SUM(t.plays), SUM(t.seconds)
FROM play_day_totals t JOIN anc ON anc.unit_id = t.unit_id
GROUP BY anc.anc_id, t.day;

-- +goose Down
DROP TABLE play_below_days;
