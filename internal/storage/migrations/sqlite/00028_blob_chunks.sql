-- +goose Up
-- Files (audio, originals, PDFs) stored in the database, so that every
-- replica of `loa serve` on one PostgreSQL reaches them. A file is split
-- into chunks of at most chunk_size bytes; blob_contents is written in the
-- same transaction as the chunks, so a row there means the file is whole.
-- (On SQLite the files stay in the data directory; the tables exist for
-- schema parity and are empty.)
CREATE TABLE blob_contents (
    sha256     TEXT PRIMARY KEY,
    size       INTEGER NOT NULL,
    chunk_size INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE blob_chunks (
    sha256 TEXT NOT NULL,
    seq    INTEGER NOT NULL,
    data   BLOB NOT NULL,
    PRIMARY KEY (sha256, seq)
);

-- +goose Down
DROP TABLE blob_chunks;
DROP TABLE blob_contents;
