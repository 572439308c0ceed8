package web

import (
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode"
)

// inlineFileTypes are the types of user-supplied files a browser may show
// in place: none of them can run script. Everything else — HTML, SVG,
// XML, JavaScript, unknown types — is sent as an application/octet-stream
// download.
var inlineFileTypes = map[string]string{
	"application/pdf": "application/pdf",
	"image/png":       "image/png",
	"image/jpeg":      "image/jpeg",
	"image/gif":       "image/gif",
	"image/webp":      "image/webp",
	"text/plain":      "text/plain; charset=utf-8",
}

// fileType returns the Content-Type to send a user-supplied file with and
// whether it may be shown inline.
func fileType(uploaded string) (string, bool) {
	mt, _, err := mime.ParseMediaType(uploaded)
	if err != nil {
		return "application/octet-stream", false
	}
	mt = strings.ToLower(mt)
	if ct, ok := inlineFileTypes[mt]; ok {
		return ct, true
	}
	if sub, ok := strings.CutPrefix(mt, "audio/"); ok && sub != "" && !strings.ContainsAny(sub, "+;") {
		return mt, true
	}
	return "application/octet-stream", false
}

// contentDisposition encodes the disposition and file name safely (RFC
// 6266 with RFC 2231 encoding of non-ASCII names).
func contentDisposition(disposition, name string) string {
	name = strings.Map(func(c rune) rune {
		switch {
		case unicode.IsControl(c), c == unicode.ReplacementChar:
			return -1
		case c == '/', c == '\\':
			return '_'
		}
		return c
	}, name)
	name = strings.TrimSpace(name)
	if name == "" {
		return disposition
	}
	if v := mime.FormatMediaType(disposition, map[string]string{"filename": name}); v != "" {
		return v
	}
	return disposition
}

// serveUserFile serves a file a user (or an outside system) supplied so
// it can never run in Loa's origin: the Content-Type comes from a short
// allow-list of inert types (else application/octet-stream), anything not
// on it is a download, the browser may not sniff another type, and the
// response is sandboxed (an opaque origin without script) even if opened
// directly. Every handler that serves uploaded content uses it.
//
// PDFs are the one exception to the sandbox: Chromium refuses to start its
// PDF viewer in a sandboxed document ("blocked by Chrome"), which would
// break the preview beside the parsed fields. A PDF cannot run script in
// Loa's origin: its type is pinned to application/pdf with nosniff, and
// the browsers' viewers run PDF script in their own isolated origin.
func serveUserFile(w http.ResponseWriter, r *http.Request, f io.ReadSeeker, name, uploadedType string, modtime time.Time) {
	ct, inline := fileType(uploadedType)
	disposition := "attachment"
	if inline {
		disposition = "inline"
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", contentDisposition(disposition, name))
	h.Set("X-Content-Type-Options", "nosniff")
	if ct != "application/pdf" {
		h.Set("Content-Security-Policy", "sandbox")
	}
	http.ServeContent(w, r, "", modtime, f)
}
