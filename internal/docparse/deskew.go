package docparse

import (
	"bufio"
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// Deskew search range and step. A page fed by hand into a scanner or a
// photographed letter tilts by a degree or two; beyond five degrees the
// page is re-scanned rather than straightened.
const (
	deskewMaxDeg  = 5.0
	deskewStepDeg = 0.1
	// deskewMinDeg: smaller tilts are left alone (Tesseract copes, and
	// resampling blurs the glyphs).
	deskewMinDeg = 0.15
)

// estimateSkew returns the angle, in degrees, by which the text lines of a
// page image are tilted (positive: lines descend to the right). It is the
// angle whose shear makes the horizontal projection of dark pixels the
// most peaked: text lines then fall onto as few rows as possible.
func estimateSkew(src image.Image) float64 {
	img := toGray(src)
	b := img.Bounds()
	// Every row, every 4th column: the vertical profile keeps its full
	// resolution, which is what the projection measures.
	const xStep, bin = 4, 2
	type pt struct{ x, y float64 }
	var dark []pt
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := img.Pix[(y-b.Min.Y)*img.Stride:]
		for x := b.Min.X; x < b.Max.X; x += xStep {
			if row[x-b.Min.X] < 110 {
				dark = append(dark, pt{float64(x - b.Min.X), float64(y - b.Min.Y)})
			}
		}
	}
	if len(dark) < 200 {
		return 0
	}
	h, w := b.Dy(), b.Dx()
	off := float64(w) * math.Tan(deskewMaxDeg*math.Pi/180) // keeps indexes positive
	rows := make([]float64, int(float64(h)+2*off)/bin+2)
	score := func(deg float64) float64 {
		t := math.Tan(deg * math.Pi / 180)
		clear(rows)
		for _, p := range dark {
			r := int((p.y - p.x*t + off) / bin)
			if r >= 0 && r < len(rows) {
				rows[r]++
			}
		}
		var s float64
		for _, c := range rows {
			s += c * c
		}
		return s
	}
	// From level outwards, a tilt must score strictly better: a level page
	// stays level when neighbouring angles tie.
	best, bestScore := 0.0, score(0)
	steps := int(math.Round(deskewMaxDeg / deskewStepDeg))
	for i := 1; i <= steps; i++ {
		for _, deg := range []float64{float64(i) * deskewStepDeg, -float64(i) * deskewStepDeg} {
			if sc := score(deg); sc > bestScore {
				best, bestScore = deg, sc
			}
		}
	}
	return math.Round(best*10) / 10
}

// toGray returns img as an 8-bit grey image with its origin at (0, 0),
// without copying when it already is one (pdftoppm -gray and grey JPEG
// scans decode to *image.Gray).
func toGray(img image.Image) *image.Gray {
	if g, ok := img.(*image.Gray); ok && g.Rect.Min == (image.Point{}) {
		return g
	}
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			g.Pix[y*g.Stride+x] = color.GrayModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y
		}
	}
	return g
}

// rotateGray rotates img by -deg degrees about its centre (undoing a tilt
// of deg), filling uncovered corners with white, with bilinear sampling.
func rotateGray(img image.Image, deg float64) *image.Gray {
	src := toGray(img)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	dst := image.NewGray(image.Rect(0, 0, w, h))
	a := deg * math.Pi / 180
	sin, cos := math.Sin(a), math.Cos(a)
	cx, cy := float64(w)/2, float64(h)/2
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= w || y >= h {
			return 255
		}
		return float64(src.Pix[y*src.Stride+x])
	}
	for y := 0; y < h; y++ {
		dy := float64(y) - cy
		for x := 0; x < w; x++ {
			dx := float64(x) - cx
			// The source point that lands on (x, y) after the correction.
			sx := cos*dx - sin*dy + cx
			sy := sin*dx + cos*dy + cy
			x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
			fx, fy := sx-float64(x0), sy-float64(y0)
			v := at(x0, y0)*(1-fx)*(1-fy) + at(x0+1, y0)*fx*(1-fy) +
				at(x0, y0+1)*(1-fx)*fy + at(x0+1, y0+1)*fx*fy
			dst.Pix[y*dst.Stride+x] = uint8(math.Round(v))
		}
	}
	return dst
}

// deskewFile straightens the page image at path when it is tilted by more
// than deskewMinDeg. It returns the image to read (a new PNG beside the
// original when straightened) and the tilt found. Formats the standard
// library cannot decode (TIFF) are read as they are.
func deskewFile(path string) (string, float64, error) {
	var img image.Image
	if strings.HasSuffix(path, ".pgm") {
		g, err := readPGM(path)
		if err != nil {
			return "", 0, err
		}
		img = g
	} else {
		f, err := os.Open(path)
		if err != nil {
			return "", 0, fmt.Errorf("open page image: %w", err)
		}
		img, _, err = image.Decode(f)
		f.Close()
		if err != nil {
			return path, 0, nil // not decodable here: Tesseract reads it as it is
		}
	}
	deg := estimateSkew(img)
	if math.Abs(deg) < deskewMinDeg {
		return path, deg, nil
	}
	out := rotateGray(img, deg)
	dst := path + ".deskew.pgm"
	if err := writePGM(dst, out); err != nil {
		return "", 0, err
	}
	return dst, deg, nil
}

// readPGM reads a binary 8-bit PGM (P5) image, as pdftoppm -gray writes.
func readPGM(path string) (*image.Gray, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open page image: %w", err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var magic string
	var w, h, maxv int
	if _, err := fmt.Fscan(r, &magic, &w, &h, &maxv); err != nil || magic != "P5" || maxv != 255 {
		return nil, fmt.Errorf("%w: page image %s is not an 8-bit PGM (%v)", ErrNotDocument, filepath.Base(path), err)
	}
	if w <= 0 || h <= 0 || int64(w)*int64(h) > maxOCRImagePixels {
		return nil, fmt.Errorf("%w: page image is %d×%d pixels", ErrTooLarge, w, h)
	}
	if _, err := r.ReadByte(); err != nil { // the single white space after the header
		return nil, fmt.Errorf("read page image: %w", err)
	}
	g := image.NewGray(image.Rect(0, 0, w, h))
	if _, err := io.ReadFull(r, g.Pix); err != nil {
		return nil, fmt.Errorf("read page image: %w", err)
	}
	return g, nil
}

// writePGM writes an 8-bit grey image as binary PGM, which Tesseract reads.
func writePGM(path string, g *image.Gray) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write straightened page: %w", err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "P5\n%d %d\n255\n", g.Rect.Dx(), g.Rect.Dy())
	for y := 0; y < g.Rect.Dy(); y++ {
		w.Write(g.Pix[y*g.Stride : y*g.Stride+g.Rect.Dx()])
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write straightened page: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write straightened page: %w", err)
	}
	return nil
}
