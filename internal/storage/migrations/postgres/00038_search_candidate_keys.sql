-- +goose Up
-- Search at a million documents (issue #16, fourth round); see the SQLite
-- migration of the same number: the candidates' scope and filter columns
-- by id, readable without the document rows (index-only scans).
CREATE INDEX documents_search_keys ON documents(id, unit_id, doc_type, issuer, year, direction, doc_date);

-- +goose Down
DROP INDEX documents_search_keys;
