package docparse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// format is a detected input format.
type format int

const (
	formatText format = iota
	formatPDF
	formatZip
	formatImage
)

// Extract returns the text of a document as NFC Unicode, with warnings
// about conversions it made. The format is detected from the content
// first (magic bytes) and from the file name extension second:
//
//   - PDF: the text layer via poppler's pdftotext -layout (columns of the
//     header and signature block stay side by side, separated by spaces);
//     encrypted PDFs that need a password give ErrEncrypted; PDFs without
//     text (scans) are read by OCR, see ExtractDetailed.
//   - PNG, JPEG and TIFF page images: OCR with Tesseract (Vietnamese).
//   - DOCX: paragraphs end with "\n", w:tab gives "\t", w:br a newline;
//     a table row gives one line per paragraph of its tallest cell, with
//     the cells' paragraphs side by side separated by " | ".
//   - text: UTF-8 (BOM dropped), UTF-16 LE/BE, TCVN3 (ABC) or VNI,
//     detected by scoring the Vietnamese syllables each decoding yields.
//
// Other images, other zip formats, legacy .doc files and binary data give
// ErrNotDocument; inputs over MaxInputSize give ErrTooLarge.
func Extract(ctx context.Context, data []byte, filename string) (text string, warnings []string, err error) {
	x, err := ExtractDetailed(ctx, data, filename)
	if err != nil {
		return "", nil, err
	}
	return x.Text, x.Warnings, nil
}

// Extraction is the text of a document with how it was obtained.
type Extraction struct {
	Text     string
	Warnings []string
	// OCR is set when the text was read from a scan (an image, or a PDF
	// without a text layer) by Tesseract.
	OCR *OCRResult
}

// ExtractDetailed is Extract that also reports the OCR reading: scanned
// PDFs and page images (PNG, JPEG, TIFF) are read by Tesseract with its
// Vietnamese model instead of being refused.
func ExtractDetailed(ctx context.Context, data []byte, filename string) (Extraction, error) {
	if len(data) > MaxInputSize {
		return Extraction{}, fmt.Errorf("%w: %s is %d bytes, the limit is %d bytes (%d MiB)",
			ErrTooLarge, displayName(filename), len(data), MaxInputSize, MaxInputSize>>20)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return Extraction{}, fmt.Errorf("%s: %w: the file has no content", displayName(filename), ErrEmpty)
	}
	if err := ctx.Err(); err != nil {
		return Extraction{}, fmt.Errorf("extract %s: %w", displayName(filename), err)
	}
	f, err := sniffFormat(data, filename)
	if err != nil {
		return Extraction{}, fmt.Errorf("%s: %w", displayName(filename), err)
	}
	var x Extraction
	switch f {
	case formatPDF:
		x.Text, x.Warnings, err = extractPDF(ctx, data)
		if errors.Is(err, ErrNoTextLayer) {
			x.Text, x.OCR, x.Warnings, err = extractOCR(ctx, data, true, ".pdf")
		}
	case formatImage:
		if err = checkImageSize(data); err == nil {
			x.Text, x.OCR, x.Warnings, err = extractOCR(ctx, data, false, imageExt(data))
		}
	case formatZip:
		x.Text, x.Warnings, err = extractDOCX(data)
	default:
		x.Text, x.Warnings, err = decodeText(data)
	}
	if err != nil {
		return Extraction{}, fmt.Errorf("%s: %w", displayName(filename), err)
	}
	return x, nil
}

func displayName(filename string) string {
	if filename == "" {
		return "input"
	}
	return filepath.Base(filename)
}

// magicSignature is a known binary file signature that is not a document
// Loa can read.
type magicSignature struct {
	prefix string
	what   string
}

var nonDocumentSignatures = []magicSignature{
	{"GIF87a", "a GIF image"},
	{"GIF89a", "a GIF image"},
	{"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Word/Excel (.doc/.xls) file; save it as DOCX or PDF"},
	{"{\\rtf", "an RTF file; save it as DOCX or PDF"},
	{"\x1f\x8b", "a gzip archive"},
	{"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"},
	{"Rar!", "a RAR archive"},
	{"\x00\x00\x00", "binary data"},
	{"ID3", "an MP3 audio file"},
	{"OggS", "an Ogg audio file"},
}

// sniffFormat detects the format by content, then by extension.
func sniffFormat(data []byte, filename string) (format, error) {
	head := data
	if len(head) > 1024 {
		head = head[:1024]
	}
	ext := strings.ToLower(filepath.Ext(filename))
	switch {
	case bytes.Contains(head, []byte("%PDF-")):
		return formatPDF, nil
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return formatZip, nil
	case imageExt(data) != "":
		return formatImage, nil
	case bytes.HasPrefix(data, []byte("RIFF")) && len(data) >= 12:
		return 0, fmt.Errorf("%w: the file is a RIFF container (%q: WAV audio or WebP image), not a document",
			ErrNotDocument, data[8:12])
	}
	for _, sig := range nonDocumentSignatures {
		if bytes.HasPrefix(data, []byte(sig.prefix)) {
			return 0, fmt.Errorf("%w: the file is %s", ErrNotDocument, sig.what)
		}
	}
	switch ext {
	case ".pdf":
		return 0, fmt.Errorf("%w: the name ends in .pdf but the content is not a PDF (no %%PDF- header)", ErrNotDocument)
	case ".docx":
		return 0, fmt.Errorf("%w: the name ends in .docx but the content is not a zip archive", ErrNotDocument)
	case ".doc":
		return 0, fmt.Errorf("%w: .doc files are not supported; save the document as DOCX or PDF", ErrNotDocument)
	case ".png", ".jpg", ".jpeg", ".tif", ".tiff":
		return 0, fmt.Errorf("%w: the name ends in %s but the content is not a readable image", ErrNotDocument, ext)
	case ".gif", ".bmp", ".webp":
		return 0, fmt.Errorf("%w: %s images are not read; scan letters as PDF, PNG, JPEG or TIFF", ErrNotDocument, ext)
	}
	return formatText, nil
}
