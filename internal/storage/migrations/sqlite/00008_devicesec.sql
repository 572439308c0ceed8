-- +goose Up
-- Device security: a completed play counts once per device and scheduled
-- occurrence (item ids name the order and the slot), enrolment keys get a
-- maximum number of devices and a use counter, and enrolment attempts are
-- recorded per client address for rate limiting (shared by replicas).

DELETE FROM play_logs WHERE status = 'completed' AND id NOT IN (
    SELECT min(id) FROM play_logs WHERE status = 'completed' GROUP BY device_id, item_id);
CREATE UNIQUE INDEX play_logs_completed_once ON play_logs(device_id, item_id) WHERE status = 'completed';

ALTER TABLE enrolment_keys ADD COLUMN max_devices INTEGER;
ALTER TABLE enrolment_keys ADD COLUMN uses INTEGER NOT NULL DEFAULT 0;
UPDATE enrolment_keys SET uses = (SELECT count(*) FROM devices d WHERE d.enrolment_key_id = enrolment_keys.id);

CREATE TABLE enrolment_attempts (
    id      INTEGER PRIMARY KEY,
    client  TEXT NOT NULL,
    at      TIMESTAMP NOT NULL,
    success BOOLEAN NOT NULL
);
CREATE INDEX enrolment_attempts_client ON enrolment_attempts(client, at) WHERE NOT success;
CREATE INDEX enrolment_attempts_at ON enrolment_attempts(at);

-- +goose Down
DROP TABLE enrolment_attempts;
ALTER TABLE enrolment_keys DROP COLUMN uses;
ALTER TABLE enrolment_keys DROP COLUMN max_devices;
DROP INDEX play_logs_completed_once;
