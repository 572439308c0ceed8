-- +goose Up
-- Play-log ingestion: the started_at index is kept per device. A device's
-- upload of hours of plays (after an outage, or a day's batch) inserted
-- one entry into every minute of the global started_at index, so each
-- upload dirtied hundreds of index pages that the commit writes to the
-- WAL; per device, an upload's plays are adjacent entries. Plays of a
-- subtree between two times (PlaysBetween) are found through the subtree's
-- devices, one range per device. The name stays (bulk loads drop and
-- recreate the play-log indexes by name).
DROP INDEX play_logs_started;
CREATE INDEX play_logs_started ON play_logs(device_id, started_at);

-- +goose Down
DROP INDEX play_logs_started;
CREATE INDEX play_logs_started ON play_logs(started_at);
