-- +goose Up
-- SQLite's FTS5 index holds documents under their negated id, newest
-- first (see the SQLite migration of the same number); PostgreSQL's GIN
-- index has no order to change.
SELECT 1;

-- +goose Down
SELECT 1;
