-- +goose Up
-- Search at a million documents (issue #16, fourth round). A word found in
-- most documents ("xa", "thuc", "cac", "giao": syllables of the forms every
-- letter uses) costs the full-text engine a read of its whole position
-- list, page after page, whenever a search has fewer matches than it keeps
-- (2,000): 20 ms of CPU per such word at 1,000,000 documents. The candidate
-- search (storage.searchCandidates) leaves such words out of the FTS5
-- query and checks them in the candidates' folded text instead.
-- search_common_tokens holds the tokens found in at least a tenth of the
-- documents, with how many documents hold them, and under the empty token
-- the number of documents when they were counted (only counted from 10,000
-- documents; storage.RefreshSearchStats counts again when the archive has
-- doubled). Counts only choose what the engine reads first: every word
-- of a query is still required, a stale count costs time, never results.
-- document_fts_vocab reads the counts from the FTS5 index.
--
-- The index is first merged into one segment (FTS5 'optimize'): a rebuild
-- or a bulk load leaves a dozen segments, each one looked up per word.
INSERT INTO document_fts(document_fts) VALUES ('optimize');
CREATE VIRTUAL TABLE document_fts_vocab USING fts5vocab(document_fts, row);
CREATE TABLE search_common_tokens (
    token TEXT PRIMARY KEY,
    docs  INTEGER NOT NULL
);
INSERT INTO search_common_tokens (token, docs) SELECT '', COUNT(*) FROM documents;
INSERT INTO search_common_tokens (token, docs)
    SELECT term, doc FROM document_fts_vocab
    WHERE term <> '' AND doc * 10 >= (SELECT docs FROM search_common_tokens WHERE token = '')
      AND (SELECT docs FROM search_common_tokens WHERE token = '') >= 10000;

-- +goose Down
DROP TABLE search_common_tokens;
DROP TABLE document_fts_vocab;
