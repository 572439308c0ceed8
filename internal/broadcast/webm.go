package broadcast

// WebM elements the live relay needs to find: a late listener receives
// the stream's header (everything before the first Cluster) and then the
// stream from the start of the latest Cluster, which a decoder accepts as
// a continuation.
const (
	ebmlHeaderID = 0x1A45DFA3
	segmentID    = 0x18538067
	clusterID    = 0x1F43B675
)

// webmScanner finds Cluster boundaries in a growing WebM byte stream
// (MediaRecorder's live output: a Segment and Clusters of unknown size).
// It walks the elements without nesting: Segment and Cluster are entered,
// every other element is skipped by its size.
type webmScanner struct {
	pos       int64 // offset of the next element header
	headerEnd int64 // offset of the first Cluster (0: none yet)
	last      int64 // offset of the latest Cluster
	broken    bool  // not WebM as expected: listeners start at the beginning
}

// scan reads the element headers that lie entirely within data (the
// whole stream so far).
func (w *webmScanner) scan(data []byte) {
	for !w.broken && w.pos < int64(len(data)) {
		id, idLen, ok := ebmlID(data[w.pos:])
		if !ok {
			return
		}
		size, sizeLen, unknown, ok := ebmlSize(data[w.pos+int64(idLen):])
		if !ok {
			return
		}
		if idLen == 0 || sizeLen == 0 {
			w.broken = true
			return
		}
		if w.pos == 0 && id != ebmlHeaderID {
			w.broken = true
			return
		}
		hdr := int64(idLen + sizeLen)
		switch id {
		case segmentID:
			w.pos += hdr
		case clusterID:
			if w.headerEnd == 0 {
				w.headerEnd = w.pos
			}
			w.last = w.pos
			w.pos += hdr
		default:
			if unknown {
				w.broken = true
				return
			}
			w.pos += hdr + size
		}
	}
}

// joinAt returns the offset a late listener continues from after the
// header (data[:headerEnd]); ok is false when the stream must be sent
// from its beginning.
func (w *webmScanner) joinAt() (headerEnd, from int64, ok bool) {
	if w.broken || w.headerEnd == 0 {
		return 0, 0, false
	}
	return w.headerEnd, w.last, true
}

// ebmlID reads an element id (1–4 bytes, marker bits kept); ok is false
// when data is too short; n is 0 for an invalid id.
func ebmlID(data []byte) (id uint32, n int, ok bool) {
	if len(data) == 0 {
		return 0, 0, false
	}
	b := data[0]
	switch {
	case b&0x80 != 0:
		n = 1
	case b&0x40 != 0:
		n = 2
	case b&0x20 != 0:
		n = 3
	case b&0x10 != 0:
		n = 4
	default:
		return 0, 0, true
	}
	if len(data) < n {
		return 0, 0, false
	}
	for i := range n {
		id = id<<8 | uint32(data[i])
	}
	return id, n, true
}

// ebmlSize reads an element size (a variable-length integer of 1–8
// bytes); unknown is set for the all-ones value ("until the parent
// ends", used by live streams).
func ebmlSize(data []byte) (size int64, n int, unknown, ok bool) {
	if len(data) == 0 {
		return 0, 0, false, false
	}
	b := data[0]
	n = 1
	for mask := byte(0x80); n <= 8 && b&mask == 0; mask >>= 1 {
		n++
	}
	if n > 8 {
		return 0, 0, false, true
	}
	if len(data) < n {
		return 0, 0, false, false
	}
	v := uint64(b & (0xFF >> n))
	allOnes := v == uint64(0xFF>>n)
	for i := 1; i < n; i++ {
		v = v<<8 | uint64(data[i])
		allOnes = allOnes && data[i] == 0xFF
	}
	if allOnes {
		return 0, n, true, true
	}
	if v > 1<<40 {
		return 0, 0, false, true
	}
	return int64(v), n, false, true
}
