-- +goose Up
-- Search at a million documents (issue #16, fourth round): the candidate
-- search (storage.candidateRows) reads, for up to a few thousand found
-- documents by id, only their scope and filter columns. In the table each
-- of them is on its own page (a document row holds its fields and text);
-- this covering index holds about fifty to a page, in id order, so the
-- newest candidates are a few dozen pages.
CREATE INDEX documents_search_keys ON documents(id, unit_id, doc_type, issuer, year, direction, doc_date);

-- +goose Down
DROP INDEX documents_search_keys;
