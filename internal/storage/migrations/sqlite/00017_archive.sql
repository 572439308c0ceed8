-- +goose Up
-- Files of a document besides its original: every attachment of an edXML
-- package (and the files unpacked from its zip attachments), in order.
CREATE TABLE document_files (
    id           INTEGER PRIMARY KEY,
    document_id  INTEGER NOT NULL REFERENCES documents(id),
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL DEFAULT '',
    sha256       TEXT NOT NULL,
    size         BIGINT NOT NULL,
    source       TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    UNIQUE (document_id, position)
);
CREATE INDEX document_files_sha ON document_files(sha256);

-- Retention period per document type (Thông tư 10/2022/TT-BNV); 0 years
-- means kept permanently. A type without a rule is never proposed for
-- disposal.
CREATE TABLE retention_rules (
    doc_type   TEXT PRIMARY KEY,
    years      INTEGER NOT NULL CHECK (years >= 0),
    basis      TEXT NOT NULL DEFAULT '',
    updated_by INTEGER REFERENCES users(id),
    updated_at TIMESTAMP NOT NULL
);

-- Default periods, conservative (a longer period never breaks the rule);
-- administrators adjust them to the agency's own list of files.
INSERT INTO retention_rules (doc_type, years, basis, updated_at) VALUES
 ('Nghị quyết', 0, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00'),
 ('Quyết định', 0, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00'),
 ('Chỉ thị', 0, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00'),
 ('Quy chế', 0, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00'),
 ('Quy định', 0, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00'),
 ('Thông cáo', 0, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00'),
 ('Đề án', 0, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00'),
 ('Chương trình', 20, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00'),
 ('Kế hoạch', 20, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00'),
 ('Báo cáo', 20, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00'),
 ('Phương án', 20, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00'),
 ('Dự án', 20, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00'),
 ('Hướng dẫn', 20, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00'),
 ('Tờ trình', 20, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00'),
 ('Biên bản', 20, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00'),
 ('Hợp đồng', 20, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00'),
 ('Bản ghi nhớ', 20, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00'),
 ('Bản thỏa thuận', 20, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00'),
 ('Thông báo', 10, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00'),
 ('Công văn', 10, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00'),
 ('Công điện', 10, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00'),
 ('Giấy ủy quyền', 10, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00'),
 ('Giấy mời', 5, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00'),
 ('Giấy giới thiệu', 5, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00'),
 ('Giấy nghỉ phép', 5, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00'),
 ('Phiếu gửi', 5, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00'),
 ('Phiếu chuyển', 5, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00'),
 ('Phiếu báo', 5, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00'),
 ('Thư công', 5, 'Thông tư 10/2022/TT-BNV ngày 19/12/2022 của Bộ Nội vụ (mặc định của Loa; đối chiếu Danh mục hồ sơ của cơ quan)', '2023-01-01 00:00:00');

-- A legal hold keeps a document whatever its retention: it cannot be put
-- on a disposal list nor disposed of while the hold is active.
CREATE TABLE legal_holds (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    reason      TEXT NOT NULL,
    placed_by   INTEGER REFERENCES users(id),
    placed_at   TIMESTAMP NOT NULL,
    released_by INTEGER REFERENCES users(id),
    released_at TIMESTAMP,
    release_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX legal_holds_document ON legal_holds(document_id, released_at);

-- Disposal is an act: a list (itself kept as a document file), approved or
-- rejected by a leader, then executed; every step is audited.
CREATE TABLE disposal_lists (
    id            INTEGER PRIMARY KEY,
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    title         TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('proposed', 'approved', 'rejected', 'executed')),
    list_sha      TEXT NOT NULL,
    created_by    INTEGER REFERENCES users(id),
    created_at    TIMESTAMP NOT NULL,
    decided_by    INTEGER REFERENCES users(id),
    decided_at    TIMESTAMP,
    decision_note TEXT NOT NULL DEFAULT '',
    executed_by   INTEGER REFERENCES users(id),
    executed_at   TIMESTAMP
);
CREATE INDEX disposal_lists_unit ON disposal_lists(unit_id, id);

CREATE TABLE disposal_items (
    list_id      INTEGER NOT NULL REFERENCES disposal_lists(id),
    document_id  INTEGER NOT NULL REFERENCES documents(id),
    code         TEXT NOT NULL DEFAULT '',
    doc_type     TEXT NOT NULL DEFAULT '',
    doc_date     TEXT NOT NULL DEFAULT '',
    subject      TEXT NOT NULL DEFAULT '',
    years        INTEGER NOT NULL,
    original_sha TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (list_id, document_id)
);
CREATE INDEX disposal_items_document ON disposal_items(document_id);

ALTER TABLE documents ADD COLUMN disposed_at TIMESTAMP;
ALTER TABLE documents ADD COLUMN disposal_list_id INTEGER REFERENCES disposal_lists(id);

-- +goose Down
ALTER TABLE documents DROP COLUMN disposal_list_id;
ALTER TABLE documents DROP COLUMN disposed_at;
DROP TABLE disposal_items;
DROP TABLE disposal_lists;
DROP TABLE legal_holds;
DROP TABLE retention_rules;
DROP TABLE document_files;
