package archive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/storage"
)

// Problem kinds reported by Fsck.
const (
	ProblemMissing   = "missing"   // a referenced file is not in the blob store
	ProblemCorrupt   = "corrupt"   // a stored file does not match its hash
	ProblemOrphan    = "orphan"    // a stored file nothing refers to
	ProblemGap       = "gap"       // a register number was skipped
	ProblemDuplicate = "duplicate" // a register number was used twice
	ProblemCounter   = "counter"   // a register counter is behind its last number
	ProblemNoPDF     = "no-pdf"    // an issued document has no stored PDF
)

// Problem is one finding of Fsck.
type Problem struct {
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

// FsckOptions tunes a check.
type FsckOptions struct {
	// RemoveOrphans deletes stored files nothing refers to that are older
	// than OrphanGrace (a file just stored for a transaction that has not
	// committed yet is not an orphan).
	RemoveOrphans bool
	OrphanGrace   time.Duration
}

// FsckReport is the result of a check.
type FsckReport struct {
	Problems       []Problem `json:"problems"`
	Blobs          int       `json:"blobs"`      // files in the store
	References     int       `json:"references"` // records referring to files
	Registers      int       `json:"registers"`  // register series checked
	Issued         int       `json:"issued"`     // issued documents checked
	OrphansRemoved int       `json:"orphans_removed"`
}

// Failed reports whether the check found a problem (orphans that were
// removed are not problems any more).
func (r *FsckReport) Failed() bool {
	for _, p := range r.Problems {
		if p.Kind != ProblemOrphan || !strings.HasSuffix(p.Detail, "(removed)") {
			return true
		}
	}
	return false
}

// Fsck checks the blob store under dataDir/blobs against the database:
// every referenced file exists and matches its hash, orphans are listed
// (and removed on request), register numbering has no gaps or duplicates
// per unit, year and series, and every issued document has its PDF.
func Fsck(ctx context.Context, st *storage.Store, dataDir string, o FsckOptions) (*FsckReport, error) {
	blobs := filepath.Join(dataDir, "blobs")
	rep := &FsckReport{}
	refs := map[string][]string{}
	err := st.Archive().BlobRefs(ctx, func(r storage.BlobRef) {
		refs[r.SHA256] = append(refs[r.SHA256], r.Where)
		rep.References++
	})
	if err != nil {
		return nil, err
	}
	// Every file in the store: hash it, compare with its name.
	present := map[string]bool{}
	corrupt := map[string]bool{}
	err = filepath.WalkDir(blobs, func(p string, e iofs.DirEntry, werr error) error {
		if werr != nil {
			if errors.Is(werr, iofs.ErrNotExist) && p == blobs {
				return nil
			}
			return werr
		}
		if e.IsDir() {
			if e.Name() == "tmp" && filepath.Dir(p) == blobs {
				return iofs.SkipDir
			}
			return ctx.Err()
		}
		rel, _ := filepath.Rel(blobs, p)
		name := blobsPrefix + filepath.ToSlash(rel)
		if !blobName.MatchString(name) {
			rep.Problems = append(rep.Problems, Problem{ProblemOrphan, fmt.Sprintf("%s: not a stored file name", p)})
			return nil
		}
		sha := strings.ReplaceAll(filepath.ToSlash(rel), "/", "")
		rep.Blobs++
		present[sha] = true
		got, err := hashFile(p)
		if err != nil {
			return err
		}
		if got != sha {
			corrupt[sha] = true
		}
		if _, ok := refs[sha]; !ok {
			detail := fmt.Sprintf("%s: no record refers to it", sha)
			if o.RemoveOrphans {
				st, err := e.Info()
				if err == nil && time.Since(st.ModTime()) >= o.OrphanGrace {
					if err := os.Remove(p); err != nil {
						return fmt.Errorf("remove orphan %s: %w", p, err)
					}
					rep.OrphansRemoved++
					detail += " (removed)"
				} else {
					detail += " (kept: newer than the grace period)"
				}
			}
			rep.Problems = append(rep.Problems, Problem{ProblemOrphan, detail})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("fsck: read %s: %w", blobs, err)
	}
	shas := make([]string, 0, len(refs))
	for sha := range refs {
		shas = append(shas, sha)
	}
	sort.Strings(shas)
	for _, sha := range shas {
		where := strings.Join(uniq(refs[sha]), ", ")
		switch {
		case !present[sha]:
			rep.Problems = append(rep.Problems, Problem{ProblemMissing, fmt.Sprintf("%s (%s): the file is not in the store", sha, where)})
		case corrupt[sha]:
			rep.Problems = append(rep.Problems, Problem{ProblemCorrupt, fmt.Sprintf("%s (%s): the content does not match its SHA-256", sha, where)})
		}
	}
	// Register numbering.
	regs, err := st.Archive().RegisterNumberings(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range regs {
		rep.Registers++
		name := fmt.Sprintf("register %s %d of unit %d", r.Series, r.Year, r.UnitID)
		var gaps, dups []string
		for i := 1; i < len(r.Numbers); i++ {
			prev, n := r.Numbers[i-1], r.Numbers[i]
			switch {
			case n == prev:
				dups = append(dups, fmt.Sprint(n))
			case n > prev+1:
				if n == prev+2 {
					gaps = append(gaps, fmt.Sprint(prev+1))
				} else {
					gaps = append(gaps, fmt.Sprintf("%d–%d", prev+1, n-1))
				}
			}
		}
		if len(dups) > 0 {
			rep.Problems = append(rep.Problems, Problem{ProblemDuplicate, fmt.Sprintf("%s: numbers used twice: %s", name, strings.Join(dups, ", "))})
		}
		if len(gaps) > 0 {
			rep.Problems = append(rep.Problems, Problem{ProblemGap, fmt.Sprintf("%s: numbers missing: %s", name, strings.Join(gaps, ", "))})
		}
		if last := r.Numbers[len(r.Numbers)-1]; r.Counter < last {
			rep.Problems = append(rep.Problems, Problem{ProblemCounter, fmt.Sprintf("%s: the counter is at %d but number %d is used (the next number would be a duplicate)", name, r.Counter, last)})
		}
	}
	// Issued documents and their PDFs.
	issued, err := st.Archive().IssuedDocuments(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range issued {
		rep.Issued++
		switch {
		case d.PDFSHA == "":
			rep.Problems = append(rep.Problems, Problem{ProblemNoPDF, fmt.Sprintf("directive %d (%s): issued without a stored PDF", d.DirectiveID, d.Code)})
		case !present[d.PDFSHA]:
			rep.Problems = append(rep.Problems, Problem{ProblemNoPDF, fmt.Sprintf("directive %d (%s): its PDF %s is not in the store", d.DirectiveID, d.Code, d.PDFSHA)})
		}
	}
	return rep, nil
}

func hashFile(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", fmt.Errorf("fsck: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("fsck: read %s: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func uniq(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
