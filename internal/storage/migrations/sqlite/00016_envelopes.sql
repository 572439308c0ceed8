-- +goose Up
-- The envelope a document arrived in (an e-mail of the mailbox intake),
-- kept in the blob store beside the document's original: one row per
-- document and envelope file.
CREATE TABLE document_envelopes (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    sha256      TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    size        BIGINT NOT NULL DEFAULT 0,
    source      TEXT NOT NULL DEFAULT '',
    message_id  TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (document_id, sha256)
);

-- +goose Down
DROP TABLE document_envelopes;
