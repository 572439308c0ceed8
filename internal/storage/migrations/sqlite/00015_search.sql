-- +goose Up
-- Full-text search over every document (internal/search, storage
-- documents_search.go). One row per document holds its text in the
-- indexed form, written in the same transaction as the document:
-- code (number and notation), subject (type and subject), parties (issuer,
-- parent body, signer, recipients, distribution) and body (the extracted
-- text) are folded tokens (no diacritics, đ as d) joined by spaces;
-- recipients is the folded recipient list (the recipient filter); exact is
-- the lower-cased original (diacritics kept) used to rank documents that
-- contain the words exactly as typed first. FTS5 indexes the four folded
-- columns as an external-content table kept in step by triggers; existing
-- documents are indexed at start (storage.IndexMissingDocuments).
CREATE TABLE document_search (
    document_id INTEGER PRIMARY KEY REFERENCES documents(id),
    code        TEXT NOT NULL DEFAULT '',
    subject     TEXT NOT NULL DEFAULT '',
    parties     TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL DEFAULT '',
    recipients  TEXT NOT NULL DEFAULT '',
    exact       TEXT NOT NULL DEFAULT ''
);
CREATE VIRTUAL TABLE document_fts USING fts5(code, subject, parties, body,
    content='document_search', content_rowid='document_id', tokenize='unicode61 remove_diacritics 0');
-- +goose StatementBegin
CREATE TRIGGER document_search_ai AFTER INSERT ON document_search BEGIN
    INSERT INTO document_fts(rowid, code, subject, parties, body) VALUES (new.document_id, new.code, new.subject, new.parties, new.body);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER document_search_ad AFTER DELETE ON document_search BEGIN
    INSERT INTO document_fts(document_fts, rowid, code, subject, parties, body) VALUES ('delete', old.document_id, old.code, old.subject, old.parties, old.body);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER document_search_au AFTER UPDATE ON document_search BEGIN
    INSERT INTO document_fts(document_fts, rowid, code, subject, parties, body) VALUES ('delete', old.document_id, old.code, old.subject, old.parties, old.body);
    INSERT INTO document_fts(rowid, code, subject, parties, body) VALUES (new.document_id, new.code, new.subject, new.parties, new.body);
END;
-- +goose StatementEnd
-- Filters of the search page: register series and date range.
CREATE INDEX register_entries_document ON register_entries(document_id);
CREATE INDEX documents_doc_date ON documents(doc_date);

-- +goose Down
DROP INDEX documents_doc_date;
DROP INDEX register_entries_document;
DROP TRIGGER document_search_au;
DROP TRIGGER document_search_ad;
DROP TRIGGER document_search_ai;
DROP TABLE document_fts;
DROP TABLE document_search;
