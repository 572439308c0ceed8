package storage

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/loa-project/loa/internal/blob"
)

// DefaultBlobChunk is the size of the chunks a file is stored in by
// DBBlobs: small enough that a read holds little memory, large enough
// that a file of audio is a few rows.
const DefaultBlobChunk = 512 << 10

// DBBlobs is a blob.Store in the database (tables blob_contents and
// blob_chunks), so that every replica sharing one PostgreSQL database
// reaches every file. Files are content-addressed like blob.FS, streamed
// in and out chunk by chunk (never whole in memory), and a file is
// visible only once all its chunks are committed. Reads of a blob that is
// not in the database fall back to Fallback (the data directory of a
// server that stored its files locally before).
type DBBlobs struct {
	st       *Store
	chunk    int
	fallback blob.Store
}

// NewDBBlobs returns a database blob store; chunk <= 0 means
// DefaultBlobChunk. fallback may be nil.
func NewDBBlobs(st *Store, chunk int, fallback blob.Store) *DBBlobs {
	if chunk <= 0 {
		chunk = DefaultBlobChunk
	}
	return &DBBlobs{st: st, chunk: chunk, fallback: fallback}
}

// errBlobExisted rolls back a Put whose content was already stored.
var errBlobExisted = errors.New("blob already stored")

// Put stores the content of r in one transaction: the chunks go in under
// a temporary name while the content is hashed, and are renamed to the
// hash at the end, unless the same content is already stored (then
// nothing is kept and Info.Existed is set).
func (b *DBBlobs) Put(ctx context.Context, r io.Reader, maxBytes int64) (blob.Info, error) {
	var rnd [12]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return blob.Info{}, fmt.Errorf("blob: temporary name: %w", err)
	}
	tmp := "tmp-" + hex.EncodeToString(rnd[:])
	h := sha256.New()
	buf := make([]byte, b.chunk)
	var info blob.Info
	err := b.st.Tx(ctx, func(tx *Tx) error {
		lr := blob.CtxReader(ctx, io.LimitReader(r, maxBytes+1))
		var n int64
		for seq := 0; ; seq++ {
			k, rerr := io.ReadFull(lr, buf)
			if k > 0 {
				n += int64(k)
				if n > maxBytes {
					return fmt.Errorf("blob: more than %d bytes: %w", maxBytes, blob.ErrTooLarge)
				}
				h.Write(buf[:k])
				if _, err := tx.exec(ctx, `INSERT INTO blob_chunks (sha256, seq, data) VALUES (?, ?, ?)`, tmp, seq, buf[:k]); err != nil {
					return fmt.Errorf("blob: store chunk %d: %w", seq, err)
				}
			}
			if errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF) {
				break
			}
			if rerr != nil {
				return fmt.Errorf("blob: read: %w", rerr)
			}
		}
		info = blob.Info{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}
		// Concurrent puts of the same content: the second waits here for
		// the first to commit, then inserts nothing and rolls back.
		res, err := tx.exec(ctx, `INSERT INTO blob_contents (sha256, size, chunk_size, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`,
			info.SHA256, n, b.chunk, now())
		if err != nil {
			return fmt.Errorf("blob: record %s: %w", info.SHA256, err)
		}
		if k, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("blob: record %s: %w", info.SHA256, err)
		} else if k == 0 {
			return errBlobExisted
		}
		if _, err := tx.exec(ctx, `UPDATE blob_chunks SET sha256 = ? WHERE sha256 = ?`, info.SHA256, tmp); err != nil {
			return fmt.Errorf("blob: name chunks of %s: %w", info.SHA256, err)
		}
		return nil
	})
	if errors.Is(err, errBlobExisted) {
		info.Existed = true
		return info, nil
	}
	if err != nil {
		return blob.Info{}, err
	}
	return info, nil
}

// Open returns a reader over a stored blob. It holds no connection
// between reads: each chunk is fetched when the reader reaches it.
func (b *DBBlobs) Open(ctx context.Context, sha string) (io.ReadSeekCloser, int64, error) {
	if !blob.ValidSHA256(sha) {
		return nil, 0, fmt.Errorf("blob %q: not a sha256: %w", sha, blob.ErrNotFound)
	}
	var size int64
	var chunk int
	err := b.st.row(ctx, `SELECT size, chunk_size FROM blob_contents WHERE sha256 = ?`, sha).Scan(&size, &chunk)
	if errors.Is(err, sql.ErrNoRows) {
		if b.fallback != nil {
			return b.fallback.Open(ctx, sha)
		}
		return nil, 0, fmt.Errorf("blob %s: %w", sha, blob.ErrNotFound)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("blob %s: %w", sha, err)
	}
	if chunk <= 0 {
		return nil, 0, fmt.Errorf("blob %s: stored with chunk size %d", sha, chunk)
	}
	return &dbBlobReader{ctx: ctx, q: b.st.Q, sha: sha, size: size, chunk: int64(chunk), seq: -1}, size, nil
}

// Path reports that database blobs have no local file.
func (b *DBBlobs) Path(string) (string, bool) { return "", false }

type dbBlobReader struct {
	ctx   context.Context
	q     Q
	sha   string
	size  int64
	chunk int64
	off   int64
	seq   int64 // the chunk in buf, -1 for none
	buf   []byte
}

func (r *dbBlobReader) Read(p []byte) (int, error) {
	if r.off >= r.size {
		return 0, io.EOF
	}
	seq := r.off / r.chunk
	if seq != r.seq {
		var data []byte
		if err := r.q.row(r.ctx, `SELECT data FROM blob_chunks WHERE sha256 = ? AND seq = ?`, r.sha, seq).Scan(&data); err != nil {
			return 0, fmt.Errorf("blob %s: chunk %d: %w", r.sha, seq, err)
		}
		r.buf, r.seq = data, seq
	}
	start := r.off - seq*r.chunk
	if start >= int64(len(r.buf)) {
		return 0, fmt.Errorf("blob %s: chunk %d is %d bytes, shorter than recorded", r.sha, seq, len(r.buf))
	}
	n := copy(p, r.buf[start:])
	r.off += int64(n)
	return n, nil
}

func (r *dbBlobReader) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = r.off + offset
	case io.SeekEnd:
		abs = r.size + offset
	default:
		return 0, fmt.Errorf("blob %s: seek: bad whence %d", r.sha, whence)
	}
	if abs < 0 {
		return 0, fmt.Errorf("blob %s: seek to negative offset %d", r.sha, abs)
	}
	r.off = abs
	return abs, nil
}

func (r *dbBlobReader) Close() error {
	r.buf = nil
	return nil
}
