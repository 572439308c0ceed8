// Command scangen wraps page images (JPEG) into an image-only PDF, the
// way a scanner's "scan to PDF" does: no text layer, one A4 page per
// image. It makes the committed OCR fixtures (see make.sh beside it).
//
//	go run ./internal/docparse/testdata/scangen OUT.pdf PAGE1.jpg [PAGE2.jpg ...]
package main

import (
	"fmt"
	"os"

	"github.com/go-pdf/fpdf"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: scangen OUT.pdf PAGE.jpg...")
		os.Exit(2)
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(false)
	for _, img := range os.Args[2:] {
		pdf.AddPage()
		pdf.ImageOptions(img, 0, 0, 210, 297, false, fpdf.ImageOptions{ImageType: "JPG"}, 0, "")
	}
	if err := pdf.OutputFileAndClose(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "scangen:", err)
		os.Exit(1)
	}
}
