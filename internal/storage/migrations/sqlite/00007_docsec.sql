-- +goose Up
-- A letter is identified by its issuer, number, notation and issue date:
-- imports look up candidates by unit, date and number (the issuer and
-- notation are compared normalised in Go), so the same letter sent as
-- TXT, DOCX or in another text encoding is stored once. A file the clerk
-- chose to keep anyway is stored as a copy of the first document.
CREATE INDEX documents_ident ON documents(unit_id, doc_date, number);
ALTER TABLE documents ADD COLUMN copy_of INTEGER REFERENCES documents(id);

-- +goose Down
ALTER TABLE documents DROP COLUMN copy_of;
DROP INDEX documents_ident;
