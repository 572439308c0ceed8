-- +goose Up
-- Search at a million documents (issue #16, fourth round); see the SQLite
-- migration of the same number. The table exists in both engines, but only
-- SQLite fills and reads it: PostgreSQL's GIN index already skips through a
-- frequent lexeme's postings with the rarer ones of an AND (fast scan),
-- where FTS5 reads a frequent word's whole position list.
CREATE TABLE search_common_tokens (
    token TEXT PRIMARY KEY,
    docs  BIGINT NOT NULL
);

-- +goose Down
DROP TABLE search_common_tokens;
