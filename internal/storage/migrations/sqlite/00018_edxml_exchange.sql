-- +goose Up
-- Every edXML package a unit received or sent, kept exactly as it travelled
-- (package_sha names the stored file): document packages (new, update,
-- replacement, revocation) and status packages. A document is found again
-- by the DocumentId of its packages; statuses are the history of its
-- exchange, both ways.
CREATE TABLE edxml_packages (
    id                INTEGER PRIMARY KEY,
    unit_id           INTEGER NOT NULL REFERENCES units(id),
    document_id       INTEGER REFERENCES documents(id),
    direction         TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    kind              TEXT NOT NULL CHECK (kind IN ('document', 'status')),
    edxml_document_id TEXT NOT NULL DEFAULT '',
    business_type     INTEGER NOT NULL DEFAULT 0,
    status_code       TEXT NOT NULL DEFAULT '',
    organ_id          TEXT NOT NULL DEFAULT '',
    organ_name        TEXT NOT NULL DEFAULT '',
    description       TEXT NOT NULL DEFAULT '',
    warnings          TEXT NOT NULL DEFAULT '',
    package_sha       TEXT NOT NULL,
    at                TIMESTAMP NOT NULL,
    created_at        TIMESTAMP NOT NULL
);
CREATE INDEX edxml_packages_docid ON edxml_packages(unit_id, edxml_document_id);
CREATE INDEX edxml_packages_document ON edxml_packages(document_id, id);

ALTER TABLE documents ADD COLUMN revoked_at TIMESTAMP;

-- +goose Down
ALTER TABLE documents DROP COLUMN revoked_at;
DROP TABLE edxml_packages;
