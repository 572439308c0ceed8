package media

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// AMR storage format (RFC 4867 section 5): a magic line, then frames of
// one table-of-contents byte (frame type in bits 3–6) and a payload whose
// size depends on the frame type.
var (
	amrNBMagic = []byte("#!AMR\n")
	amrWBMagic = []byte("#!AMR-WB\n")
	// Payload bytes per frame type; -1 marks reserved types.
	amrNBSizes = [16]int{12, 13, 15, 17, 19, 20, 26, 31, 5, -1, -1, -1, -1, -1, -1, 0}
	amrWBSizes = [16]int{17, 23, 32, 36, 40, 46, 50, 58, 60, 5, -1, -1, -1, -1, 0, 0}
)

// amrStats counts the frames of an AMR file.
type amrStats struct {
	speech int // frames carrying speech
	dtx    int // comfort-noise (SID), no-data and lost frames written during pauses
}

// checkAMR walks the frames of an AMR-NB or AMR-WB file. ffmpeg's native
// decoders report an error for every comfort-noise and no-data frame,
// which phones write during pauses (discontinuous transmission); knowing
// how many such frames the file holds lets the decode check tell these
// harmless messages from real damage. A reserved frame type or a file
// ending inside a frame is refused as ErrCorrupt.
func checkAMR(path string) (amrStats, error) {
	f, err := os.Open(path)
	if err != nil {
		return amrStats{}, fmt.Errorf("check AMR frames: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	head, err := r.Peek(len(amrWBMagic))
	if err != nil && !errors.Is(err, io.EOF) {
		return amrStats{}, fmt.Errorf("check AMR frames: %w", err)
	}
	var (
		sizes    *[16]int
		speechFT int // frame types below this carry speech
	)
	switch {
	case bytes.HasPrefix(head, amrWBMagic):
		sizes, speechFT = &amrWBSizes, 9
		r.Discard(len(amrWBMagic))
	case bytes.HasPrefix(head, amrNBMagic):
		sizes, speechFT = &amrNBSizes, 8
		r.Discard(len(amrNBMagic))
	default:
		return amrStats{}, &Error{Kind: ErrNotAudio, Path: path,
			Reason: "only single-channel AMR files with the standard \"#!AMR\" header are accepted", Hint: hintFormats}
	}
	var st amrStats
	for n := 0; ; n++ {
		toc, err := r.ReadByte()
		if errors.Is(err, io.EOF) {
			return st, nil
		}
		if err != nil {
			return amrStats{}, fmt.Errorf("check AMR frames: %w", err)
		}
		ft := int(toc>>3) & 0x0f
		size := sizes[ft]
		if size < 0 {
			return amrStats{}, &Error{Kind: ErrCorrupt, Path: path,
				Reason: fmt.Sprintf("AMR frame %d has the invalid frame type %d", n+1, ft), Hint: hintReexport}
		}
		if ft < speechFT {
			st.speech++
		} else {
			st.dtx++
		}
		if _, err := r.Discard(size); err != nil {
			if errors.Is(err, io.EOF) {
				return amrStats{}, &Error{Kind: ErrCorrupt, Path: path,
					Reason: fmt.Sprintf("truncated: the file ends inside AMR frame %d", n+1), Hint: hintReexport}
			}
			return amrStats{}, fmt.Errorf("check AMR frames: %w", err)
		}
	}
}
