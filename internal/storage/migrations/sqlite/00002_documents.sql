-- +goose Up
CREATE TABLE documents (
    id            INTEGER PRIMARY KEY,
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    direction     TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing', 'reference')),
    doc_type      TEXT NOT NULL DEFAULT '',
    number        TEXT NOT NULL DEFAULT '',
    notation      TEXT NOT NULL DEFAULT '',
    doc_date      TEXT NOT NULL DEFAULT '',
    year          INTEGER,
    issuer        TEXT NOT NULL DEFAULT '',
    subject       TEXT NOT NULL DEFAULT '',
    fields        TEXT NOT NULL,
    body_text     TEXT NOT NULL DEFAULT '',
    search_text   TEXT NOT NULL DEFAULT '',
    original_sha  TEXT,
    original_name TEXT NOT NULL DEFAULT '',
    original_type TEXT NOT NULL DEFAULT '',
    original_size BIGINT NOT NULL DEFAULT 0,
    version       INTEGER NOT NULL DEFAULT 1,
    created_by    INTEGER REFERENCES users(id),
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX documents_unit_original ON documents(unit_id, original_sha);
CREATE INDEX documents_code ON documents(notation, number, year);
CREATE INDEX documents_unit_date ON documents(unit_id, doc_date);

CREATE TABLE document_versions (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    version     INTEGER NOT NULL,
    fields      TEXT NOT NULL,
    edited_by   INTEGER REFERENCES users(id),
    edited_at   TIMESTAMP NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    UNIQUE (document_id, version)
);

CREATE TABLE document_refs (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    position    INTEGER NOT NULL,
    doc_type    TEXT NOT NULL DEFAULT '',
    number      TEXT NOT NULL DEFAULT '',
    notation    TEXT NOT NULL DEFAULT '',
    year        INTEGER,
    issuer      TEXT NOT NULL DEFAULT '',
    text        TEXT NOT NULL DEFAULT '',
    resolved_id INTEGER REFERENCES documents(id)
);
CREATE INDEX document_refs_doc ON document_refs(document_id, position);
CREATE INDEX document_refs_code ON document_refs(notation, number, year);
CREATE INDEX document_refs_resolved ON document_refs(resolved_id);

CREATE TABLE register_counters (
    unit_id INTEGER NOT NULL REFERENCES units(id),
    year    INTEGER NOT NULL,
    series  TEXT NOT NULL,
    last    INTEGER NOT NULL,
    PRIMARY KEY (unit_id, year, series)
);

CREATE TABLE register_entries (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    year        INTEGER NOT NULL,
    series      TEXT NOT NULL,
    number      INTEGER NOT NULL,
    document_id INTEGER REFERENCES documents(id),
    entry_date  TEXT NOT NULL,
    doc_type    TEXT NOT NULL DEFAULT '',
    code        TEXT NOT NULL DEFAULT '',
    doc_date    TEXT NOT NULL DEFAULT '',
    subject     TEXT NOT NULL DEFAULT '',
    party       TEXT NOT NULL DEFAULT '',
    handler     TEXT NOT NULL DEFAULT '',
    copies      INTEGER NOT NULL DEFAULT 0,
    notes       TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (unit_id, year, series, number)
);

CREATE TABLE register_settings (
    unit_id        INTEGER PRIMARY KEY REFERENCES units(id),
    letter_pattern TEXT NOT NULL DEFAULT '',
    other_pattern  TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE register_settings;
DROP TABLE register_entries;
DROP TABLE register_counters;
DROP TABLE document_refs;
DROP TABLE document_versions;
DROP TABLE documents;
