package intake

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Bulk imports a whole archive (loa import DIR): a progress line with the
// rate and the time left, resumable after an interruption (every file's
// outcome is appended to a state file as it is done, and a file already
// recorded there with the same size and modification time is not read
// again), duplicates skipped, and a summary of the failures with reasons.
type Bulk struct {
	Pipeline *Pipeline
	// State is the state file (JSON lines); "" keeps no state.
	State string
	// Progress receives the progress line (a terminal: redrawn with \r);
	// nil draws none.
	Progress io.Writer
	// Every is the least time between two progress lines (default 200 ms).
	Every time.Duration
}

// stateLine is one done file in the state file.
type stateLine struct {
	File   string    `json:"file"`
	Size   int64     `json:"size"`
	MTime  time.Time `json:"mtime"`
	Status string    `json:"status"`
	Doc    int64     `json:"document_id,omitempty"`
	Code   string    `json:"code,omitempty"`
	Copy   bool      `json:"copy,omitempty"`
	Reason string    `json:"reason,omitempty"`
}

// Summary counts what a bulk import did.
type Summary struct {
	Files       int
	Imported    int
	Copies      int
	Already     int
	SameLetter  []Outcome
	Failed      []Outcome
	Resumed     int // files done by an earlier, interrupted run
	Interrupted bool
	Elapsed     time.Duration
}

// readState loads the files already done.
func readState(path string) (map[string]stateLine, error) {
	done := map[string]stateLine{}
	if path == "" {
		return done, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return done, nil
	}
	if err != nil {
		return nil, fmt.Errorf("state file: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var l stateLine
		if json.Unmarshal(sc.Bytes(), &l) != nil {
			continue // a line cut by a crash: that file is done again
		}
		done[l.File] = l
	}
	return done, sc.Err()
}

// Run imports files (paths) in order. It stops early, with
// Summary.Interrupted, when ctx ends; the same call later goes on where it
// stopped. The error is for failures of Loa (database, state file), not of
// files.
func (b *Bulk) Run(ctx context.Context, files []string) (*Summary, error) {
	sum := &Summary{Files: len(files)}
	start := time.Now()
	done, err := readState(b.State)
	if err != nil {
		return sum, err
	}
	var state *os.File
	if b.State != "" {
		if state, err = os.OpenFile(b.State, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o640); err != nil {
			return sum, fmt.Errorf("state file: %w", err)
		}
		defer state.Close()
	}
	every := b.Every
	if every <= 0 {
		every = 200 * time.Millisecond
	}
	var last time.Time
	processed := 0 // read in this run
	count := func(l stateLine) {
		o := Outcome{Name: l.File, Status: l.Status, Reason: l.Reason, DocumentID: l.Doc, Code: l.Code, Copy: l.Copy}
		switch l.Status {
		case Imported:
			if l.Copy {
				sum.Copies++
			} else {
				sum.Imported++
			}
		case Already:
			sum.Already++
		case SameLetter:
			sum.SameLetter = append(sum.SameLetter, o)
		case Failed:
			sum.Failed = append(sum.Failed, o)
		}
	}
	for i, path := range files {
		if ctx.Err() != nil {
			sum.Interrupted = true
			break
		}
		info, statErr := os.Stat(path)
		if statErr == nil {
			if l, ok := done[path]; ok && l.Size == info.Size() && l.MTime.Equal(info.ModTime()) {
				sum.Resumed++
				count(l)
				continue
			}
		}
		l := stateLine{File: path}
		if statErr != nil {
			l.Status, l.Reason = Failed, statErr.Error()
		} else {
			l.Size, l.MTime = info.Size(), info.ModTime()
			data, err := readLimited(path)
			if err != nil {
				l.Status, l.Reason = Failed, err.Error()
			} else {
				out, err := b.Pipeline.File(ctx, path, data)
				if err != nil {
					if ctx.Err() != nil {
						sum.Interrupted = true
						break
					}
					return sum, err
				}
				l.Status, l.Reason, l.Doc, l.Code, l.Copy = out.Status, out.Reason, out.DocumentID, out.Code, out.Copy
			}
		}
		processed++
		count(l)
		if state != nil {
			line, _ := json.Marshal(l)
			if _, err := state.Write(append(line, '\n')); err != nil {
				return sum, fmt.Errorf("state file: %w", err)
			}
		}
		if b.Progress != nil && (time.Since(last) >= every || i == len(files)-1) {
			last = time.Now()
			b.progress(i+1, processed, len(files), start, sum)
		}
	}
	if b.Progress != nil {
		fmt.Fprintln(b.Progress)
	}
	sum.Elapsed = time.Since(start)
	return sum, nil
}

// progress draws: [#####     ] 1.234/20.000 6,2 % · 45,3 files/s · 7m05s left · 3 failed
func (b *Bulk) progress(at, processed, total int, start time.Time, sum *Summary) {
	const width = 24
	filled := width * at / max(total, 1)
	el := time.Since(start).Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(processed) / el
	}
	eta := "?"
	if rate > 0 {
		eta = (time.Duration(float64(total-at)/rate) * time.Second).Round(time.Second).String()
	}
	pct := strings.Replace(fmt.Sprintf("%.1f", 100*float64(at)/float64(max(total, 1))), ".", ",", 1)
	fmt.Fprintf(b.Progress, "\r[%s%s] %d/%d %s %% · %s files/s · %s left · %d failed ",
		strings.Repeat("#", filled), strings.Repeat(" ", width-filled), at, total, pct,
		strings.Replace(fmt.Sprintf("%.1f", rate), ".", ",", 1), eta, len(sum.Failed))
}
