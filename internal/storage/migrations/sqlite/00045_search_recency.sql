-- +goose Up
-- PostgreSQL's recency lexemes (see the PostgreSQL migration of the same
-- number). SQLite's FTS5 reads its doclists newest first and stops after
-- the candidates it keeps: nothing to add.
SELECT 1;

-- +goose Down
SELECT 1;
