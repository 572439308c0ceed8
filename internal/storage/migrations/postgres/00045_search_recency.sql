-- +goose Up
-- Search at a million documents (issue #16, round 7). A candidate search
-- (storage.searchCandidates) wants the newest few hundred matches, but a
-- GIN index returns every match of a query as a bitmap: a query whose
-- words are in a tenth of the archive made PostgreSQL read 100,000 heap
-- rows to keep 500 (p95 ≈ 200 ms at 1,000,000 documents). Each document's
-- vector now also holds recency lexemes: '#r<k>_<id >> k>' for k = 10, 12,
-- …, 22, the aligned blocks of 1,024, 4,096, … 4,194,304 document ids it
-- falls in. The candidate search asks for the newest block first and for
-- blocks four times larger after each one it has read: GIN intersects the
-- block's short posting list with the words' (its "fast scan" skips
-- through the longer lists), so a search reads about the rows it keeps.
-- The lexemes start with '#' like the tags (00033): a document's text
-- never produces them.
DROP INDEX document_search_tsv;
ALTER TABLE document_search DROP COLUMN tsv;
ALTER TABLE document_search ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, code), 'A') ||
    setweight(to_tsvector('simple'::regconfig, subject), 'B') ||
    setweight(to_tsvector('simple'::regconfig, parties), 'C') ||
    setweight(to_tsvector('simple'::regconfig, body), 'D') ||
    array_to_tsvector(string_to_array(CASE WHEN tags = '' THEN '' ELSE '#' || replace(tags, ' ', ' #') END, ' ')) ||
    array_to_tsvector(ARRAY[
        '#r10_' || (document_id >> 10)::text, '#r12_' || (document_id >> 12)::text,
        '#r14_' || (document_id >> 14)::text, '#r16_' || (document_id >> 16)::text,
        '#r18_' || (document_id >> 18)::text, '#r20_' || (document_id >> 20)::text,
        '#r22_' || (document_id >> 22)::text])) STORED;
CREATE INDEX document_search_tsv ON document_search USING gin (tsv);

-- +goose Down
DROP INDEX document_search_tsv;
ALTER TABLE document_search DROP COLUMN tsv;
ALTER TABLE document_search ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, code), 'A') ||
    setweight(to_tsvector('simple'::regconfig, subject), 'B') ||
    setweight(to_tsvector('simple'::regconfig, parties), 'C') ||
    setweight(to_tsvector('simple'::regconfig, body), 'D') ||
    array_to_tsvector(string_to_array(CASE WHEN tags = '' THEN '' ELSE '#' || replace(tags, ' ', ' #') END, ' '))) STORED;
CREATE INDEX document_search_tsv ON document_search USING gin (tsv);
