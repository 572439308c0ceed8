package docparse

import (
	"errors"
	"time"
)

// Size limits applied to every input.
const (
	// MaxInputSize is the largest file Extract accepts.
	MaxInputSize = 50 << 20
	// maxDocumentXMLSize bounds the uncompressed word/document.xml of a DOCX.
	maxDocumentXMLSize = 20 << 20
	// maxZipEntries bounds the number of entries of a DOCX archive.
	maxZipEntries = 2000
	// maxExtractedText bounds the text a PDF may produce.
	maxExtractedText = 20 << 20
	// pdfToolTimeout bounds one run of pdftotext or pdfinfo.
	pdfToolTimeout = 60 * time.Second
)

// Sentinel errors, usable with errors.Is. Returned errors wrap them with
// details of what is wrong and how to fix it.
var (
	// ErrNotDocument: the bytes are not a text, DOCX or PDF document
	// (an image, another zip format, a legacy .doc, random bytes, ...).
	ErrNotDocument = errors.New("not a supported document")
	// ErrEncrypted: the PDF is password protected.
	ErrEncrypted = errors.New("document is encrypted")
	// ErrTooLarge: the input or a part of it exceeds a size limit.
	ErrTooLarge = errors.New("document too large")
	// ErrNoTextLayer: the PDF has no text layer (a scan that needs OCR).
	ErrNoTextLayer = errors.New("PDF has no text layer")
	// ErrToolMissing: an external tool (poppler's pdftotext) is not installed.
	ErrToolMissing = errors.New("external tool missing")
	// ErrEmpty: the document contains no text at all.
	ErrEmpty = errors.New("document is empty")
)
