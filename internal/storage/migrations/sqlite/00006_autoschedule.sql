-- +goose Up
-- Automatic scheduling of received directives: a unit's broadcast
-- settings and the durable queue of deliveries whose priority and
-- emergency broadcast items are waiting to be put on the unit's devices.
-- A directive item is scheduled at most once per unit (the partial unique
-- index on orders), whoever schedules it: the queue worker of any
-- replica or an operator's button.

CREATE TABLE broadcast_settings (
    unit_id       INTEGER PRIMARY KEY REFERENCES units(id),
    auto_priority BOOLEAN NOT NULL DEFAULT 1,
    updated_by    TEXT NOT NULL DEFAULT '',
    updated_at    TIMESTAMP NOT NULL
);

CREATE TABLE broadcast_autoschedule (
    id              INTEGER PRIMARY KEY,
    delivery_id     INTEGER NOT NULL UNIQUE REFERENCES deliveries(id),
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    directive_id    INTEGER NOT NULL REFERENCES directives(id),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    done_at         TIMESTAMP,
    failed_at       TIMESTAMP,
    result          TEXT NOT NULL DEFAULT '',
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX broadcast_autoschedule_due ON broadcast_autoschedule(next_attempt_at, id) WHERE done_at IS NULL AND failed_at IS NULL;
CREATE INDEX broadcast_autoschedule_unit ON broadcast_autoschedule(unit_id, id);

-- A bulletin delivered to every commune is converted once: later copies
-- find the conversion by the original's hash.
CREATE INDEX media_original ON media(original_sha256);

CREATE UNIQUE INDEX broadcast_orders_source ON broadcast_orders(unit_id, source_ref) WHERE source_ref <> '';

-- +goose Down
DROP INDEX broadcast_orders_source;
DROP INDEX media_original;
DROP TABLE broadcast_autoschedule;
DROP TABLE broadcast_settings;
