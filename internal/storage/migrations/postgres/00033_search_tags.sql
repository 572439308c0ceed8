-- +goose Up
-- Search at a million documents (issue #16); see the SQLite migration of
-- the same number for the tags. In PostgreSQL they join the stored
-- tsvector as lexemes prefixed with '#', which the text of a document
-- never produces (its tokens are letters and digits), and are queried as
-- '#a12'::tsquery next to the words, under the same GIN index.
ALTER TABLE document_search ADD COLUMN tags TEXT NOT NULL DEFAULT '';
DROP INDEX document_search_tsv;
ALTER TABLE document_search DROP COLUMN tsv;
ALTER TABLE document_search ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, code), 'A') ||
    setweight(to_tsvector('simple'::regconfig, subject), 'B') ||
    setweight(to_tsvector('simple'::regconfig, parties), 'C') ||
    setweight(to_tsvector('simple'::regconfig, body), 'D') ||
    array_to_tsvector(string_to_array(CASE WHEN tags = '' THEN '' ELSE '#' || replace(tags, ' ', ' #') END, ' '))) STORED;
CREATE INDEX document_search_tsv ON document_search USING gin (tsv);

-- +goose Down
DROP INDEX document_search_tsv;
ALTER TABLE document_search DROP COLUMN tsv;
ALTER TABLE document_search DROP COLUMN tags;
ALTER TABLE document_search ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, code), 'A') ||
    setweight(to_tsvector('simple'::regconfig, subject), 'B') ||
    setweight(to_tsvector('simple'::regconfig, parties), 'C') ||
    setweight(to_tsvector('simple'::regconfig, body), 'D')) STORED;
CREATE INDEX document_search_tsv ON document_search USING gin (tsv);
