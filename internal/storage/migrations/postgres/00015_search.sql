-- +goose Up
-- Full-text search over every document; see the SQLite migration of the
-- same number for the columns. PostgreSQL indexes the four folded columns
-- with its own text search: a stored tsvector (configuration 'simple':
-- the text is already folded and split into tokens in Go, so no unaccent
-- extension is needed), weighted A code, B subject, C parties, D body,
-- under a GIN index.
CREATE TABLE document_search (
    document_id BIGINT PRIMARY KEY REFERENCES documents(id),
    code        TEXT NOT NULL DEFAULT '',
    subject     TEXT NOT NULL DEFAULT '',
    parties     TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL DEFAULT '',
    recipients  TEXT NOT NULL DEFAULT '',
    exact       TEXT NOT NULL DEFAULT '',
    tsv         tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, code), 'A') ||
        setweight(to_tsvector('simple'::regconfig, subject), 'B') ||
        setweight(to_tsvector('simple'::regconfig, parties), 'C') ||
        setweight(to_tsvector('simple'::regconfig, body), 'D')) STORED
);
CREATE INDEX document_search_tsv ON document_search USING gin (tsv);
CREATE INDEX register_entries_document ON register_entries(document_id);
CREATE INDEX documents_doc_date ON documents(doc_date);

-- +goose Down
DROP INDEX documents_doc_date;
DROP INDEX register_entries_document;
DROP TABLE document_search;
