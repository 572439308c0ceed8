package web

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"sync"

	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
)

const (
	// MaxUploadsPerUser is how many uploads (multipart forms and large API
	// bodies) one user may send at once; more are refused with 429.
	MaxUploadsPerUser = 3
	// formMaxMemory is how much of a multipart form is held in memory:
	// file parts beyond it are streamed to temporary files.
	formMaxMemory = 1 << 20
	// maxPreCSRFForm bounds an urlencoded form body read to find its
	// csrf field (the token was not sent in a header or the URL).
	maxPreCSRFForm = MaxJSONBody
)

// uploadLimiter counts the uploads in progress per user.
type uploadLimiter struct {
	mu     sync.Mutex
	active map[int64]int
	max    int
}

func newUploadLimiter(max int) *uploadLimiter {
	return &uploadLimiter{active: map[int64]int{}, max: max}
}

// acquire takes one of the user's upload slots; release gives it back.
func (l *uploadLimiter) acquire(user int64) (release func(), ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.active[user] >= l.max {
		return nil, false
	}
	l.active[user]++
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			if l.active[user]--; l.active[user] <= 0 {
				delete(l.active, user)
			}
		})
	}, true
}

// requestCSRF is the CSRF token a request carries outside its body: the
// X-CSRF-Token header (scripts) or the csrf query parameter (the action
// URL of multipart forms).
func requestCSRF(r *http.Request) string {
	if h := r.Header.Get("X-CSRF-Token"); h != "" {
		return h
	}
	return r.URL.Query().Get("csrf")
}

func isMultipart(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "multipart/form-data"
}

func isUpload(r *http.Request, limit int64) bool {
	return unsafeMethod(r.Method) && (limit > MaxJSONBody || isMultipart(r))
}

var errFormCSRF = errors.New("the form expired or came from another site; reload the page and try again")

// readForm checks an unsafe request of a signed-in session before its
// body is read, then reads the form within limits. A multipart form (an
// upload) must carry its CSRF token in the URL or a header, so a forged
// or stale upload is refused before a byte of it is read; it takes one of
// the user's upload slots and its file parts go to temporary files. An
// urlencoded form may carry the token in its (small) body. The caller
// runs cleanup when done (it removes the temporary files and frees the
// slot); ok false means the response has been written.
func (s *Server) readForm(w http.ResponseWriter, r *http.Request, p *principal, limit int64) (cleanup func(), ok bool) {
	noop := func() {}
	if !unsafeMethod(r.Method) {
		return noop, true
	}
	if r.ContentLength > limit {
		s.renderError(w, r, p, &http.MaxBytesError{Limit: limit})
		return nil, false
	}
	multipart := isMultipart(r)
	token := requestCSRF(r)
	switch {
	case token != "":
		if !csrfOK(p.Session.CSRF, token) {
			s.renderError(w, r, p, fmt.Errorf("%w: %w", errFormCSRF, model.ErrForbidden))
			return nil, false
		}
	case multipart:
		s.renderError(w, r, p, fmt.Errorf("%w (an upload must send its csrf token in the form's URL or the X-CSRF-Token header): %w", errFormCSRF, model.ErrForbidden))
		return nil, false
	default:
		r.Body = http.MaxBytesReader(w, r.Body, min(limit, maxPreCSRFForm))
		if err := r.ParseForm(); err != nil {
			s.renderError(w, r, p, toFormError(err))
			return nil, false
		}
		if !csrfOK(p.Session.CSRF, r.PostFormValue("csrf")) {
			s.renderError(w, r, p, fmt.Errorf("%w: %w", errFormCSRF, model.ErrForbidden))
			return nil, false
		}
		return noop, true
	}
	if !multipart {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if err := r.ParseForm(); err != nil {
			s.renderError(w, r, p, toFormError(err))
			return nil, false
		}
		return noop, true
	}
	release, ok := s.uploads.acquire(p.User.ID)
	if !ok {
		s.renderBusy(w, r, p)
		return nil, false
	}
	cleanup = func() {
		if r.MultipartForm != nil {
			_ = r.MultipartForm.RemoveAll()
		}
		release()
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseMultipartForm(formMaxMemory); err != nil {
		cleanup()
		s.renderError(w, r, p, toFormError(err))
		return nil, false
	}
	return cleanup, true
}

// uploadSlot takes one of the caller's upload slots for an API upload (an
// unsafe request with a large body limit or a multipart form), after the
// caller was authenticated and its CSRF token checked and before the body
// is read. release frees the slot and removes the form's temporary files;
// ok false means a 429 has been written.
func (s *Server) uploadSlot(w http.ResponseWriter, r *http.Request, p *principal, limit int64) (release func(), ok bool) {
	if !isUpload(r, limit) {
		return func() {}, true
	}
	free, ok := s.uploads.acquire(p.User.ID)
	if !ok {
		lang := i18n.FromRequest(r, p.User.Lang)
		w.Header().Set("Retry-After", "5")
		writeJSON(w, http.StatusTooManyRequests, apiError{Error: apiErrorBody{Code: "throttled",
			Message: s.msgs.T(lang, "upload.busy", MaxUploadsPerUser)}})
		return nil, false
	}
	return func() {
		if r.MultipartForm != nil {
			_ = r.MultipartForm.RemoveAll()
		}
		free()
	}, true
}

// renderBusy answers a page upload beyond the user's concurrent uploads.
func (s *Server) renderBusy(w http.ResponseWriter, r *http.Request, p *principal) {
	pd := s.newPage(r, p, "error.title", "")
	_ = s.withDirectory(r, pd)
	pd.Data = map[string]string{"Title": pd.T("error.429"), "Message": pd.T("upload.busy", MaxUploadsPerUser)}
	w.Header().Set("Retry-After", strconv.Itoa(5))
	s.render(w, r, "error", pd, http.StatusTooManyRequests)
}
