-- +goose Up
-- Former names of units: a unit renamed (or carried into a new unit by
-- an administrative reform, e.g. Nghị quyết 202/2025/QH15) keeps the
-- names it had, each valid from valid_from (inclusive, '' = since ever)
-- to valid_to (exclusive, YYYY-MM-DD), with the act that changed it.
-- Documents and deliveries of a past day show the name of that day.
CREATE TABLE unit_names (
    id         INTEGER PRIMARY KEY,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    name       TEXT NOT NULL,
    short_name TEXT NOT NULL DEFAULT '',
    valid_from TEXT NOT NULL DEFAULT '',
    valid_to   TEXT NOT NULL,
    basis      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX unit_names_unit ON unit_names(unit_id, valid_to);

-- +goose Down
DROP TABLE unit_names;
