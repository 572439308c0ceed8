-- +goose Up
-- The handling trail (luân chuyển, bút phê) of incoming documents and
-- deliveries: one row per step — received, registered, passed to a person
-- or sub-unit with an instruction and a deadline, read, acknowledged,
-- forwarded, reported, declined, closed. Rows are written in the
-- transaction of the step and never changed: a later instruction is a new
-- row, so the clerk's note and the leader's instruction both stay.
-- Names are kept as they were at the time of the step.
CREATE TABLE handling_trail (
    id            INTEGER PRIMARY KEY,
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    document_id   INTEGER REFERENCES documents(id),
    delivery_id   INTEGER REFERENCES deliveries(id),
    action        TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT '',
    actor_user_id INTEGER REFERENCES users(id),
    actor_name    TEXT NOT NULL DEFAULT '',
    to_user_id    INTEGER REFERENCES users(id),
    to_unit_id    INTEGER REFERENCES units(id),
    to_name       TEXT NOT NULL DEFAULT '',
    instruction   TEXT NOT NULL DEFAULT '',
    deadline      TEXT NOT NULL DEFAULT '',
    detail        TEXT NOT NULL DEFAULT '',
    at            TIMESTAMP NOT NULL
);
CREATE INDEX handling_trail_document ON handling_trail(document_id, id);
CREATE INDEX handling_trail_delivery ON handling_trail(delivery_id, id);

-- +goose StatementBegin
CREATE TRIGGER handling_trail_no_update BEFORE UPDATE ON handling_trail
BEGIN
    SELECT RAISE(ABORT, 'handling_trail is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER handling_trail_no_delete BEFORE DELETE ON handling_trail
BEGIN
    SELECT RAISE(ABORT, 'handling_trail is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER handling_trail_no_delete;
DROP TRIGGER handling_trail_no_update;
DROP TABLE handling_trail;
