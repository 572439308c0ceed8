package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/feedback"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
)

// MaxPublicForm bounds the body of the public feedback form.
const MaxPublicForm = 16 << 10

// publicCommuneData is what public_commune.html shows.
type publicCommuneData struct {
	Lang, Other string
	Page        *feedback.PublicPage
	Sent        bool
	Error       string
	Form        publicForm
	Kinds       []string
	Problems    []string
	msgs        i18n.Catalog
}

// publicForm is the form as sent, to show it again after an error.
type publicForm struct {
	Kind, Problem, Body, Name, Phone string
	OrderID, DeviceID                int64
	Consent                          bool
}

// T translates for the page's language.
func (d *publicCommuneData) T(key string, args ...any) string { return d.msgs.T(d.Lang, key, args...) }

// publicLang is the language of a public page: ?lang=en|vi, else the
// reader's cookie, else Vietnamese.
func publicLang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == i18n.VI || l == i18n.EN {
		return l
	}
	return i18n.FromRequest(r, "")
}

var publicCommuneTmpl = template.Must(template.New("public_commune.html").Funcs(template.FuncMap{
	"dmy": i18n.ISODate,
	"day": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return i18n.Date(*t, i18n.Zone())
	},
	"dur": func(d time.Duration) string { return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60) },
}).ParseFS(assets, "templates/public_commune.html"))

func (h feedbackHandlers) publicPage(w http.ResponseWriter, r *http.Request) {
	d := &publicCommuneData{Sent: r.URL.Query().Get("sent") == "1", Form: publicForm{Kind: "feedback"}}
	if id, err := strconv.ParseInt(r.URL.Query().Get("order"), 10, 64); err == nil {
		d.Form.OrderID = id
	}
	if r.URL.Query().Get("kind") == model.FeedbackSpeaker {
		d.Form.Kind = model.FeedbackSpeaker
	}
	h.renderPublic(w, r, d, http.StatusOK)
}

func (h feedbackHandlers) renderPublic(w http.ResponseWriter, r *http.Request, d *publicCommuneData, code int) {
	d.Lang, d.msgs, d.Kinds, d.Problems = publicLang(r), h.msgs, feedback.Kinds, feedback.Problems
	d.Other = i18n.EN
	if d.Lang == i18n.EN {
		d.Other = i18n.VI
	}
	page, err := h.svc.Page(r.Context(), r.PathValue("code"))
	if err != nil {
		h.renderError(w, r, nil, err)
		return
	}
	d.Page = page
	var buf bytes.Buffer
	if err := publicCommuneTmpl.Execute(&buf, d); err != nil {
		h.renderError(w, r, nil, fmt.Errorf("render public page: %w", err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// No scripts at all; the form posts to this page only.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; media-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'self'; base-uri 'none'")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

// sameOrigin reports whether a form post comes from a page of this
// server: its Origin (or, without one, its Referer) names the host the
// request was sent to or the configured public URL. Browsers send Origin
// with every form post, so another site cannot post in a visitor's name.
func (h feedbackHandlers) sameOrigin(r *http.Request) bool {
	src := r.Header.Get("Origin")
	if src == "" || src == "null" {
		src = r.Header.Get("Referer")
	}
	if src == "" {
		return false
	}
	u, err := url.Parse(src)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	if h.publicURL != "" {
		if pub, err := url.Parse(h.publicURL); err == nil && strings.EqualFold(pub.Host, u.Host) && pub.Scheme == u.Scheme {
			return true
		}
	}
	return false
}

func (h feedbackHandlers) publicSubmit(w http.ResponseWriter, r *http.Request) {
	d := &publicCommuneData{}
	lang := publicLang(r)
	if !h.sameOrigin(r) {
		d.Error = h.msgs.T(lang, "fb.public.origin")
		h.renderPublic(w, r, d, http.StatusForbidden)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxPublicForm)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			d.Error = h.msgs.T(lang, "fb.err.body_long")
			h.renderPublic(w, r, d, http.StatusRequestEntityTooLarge)
			return
		}
		d.Error = err.Error()
		h.renderPublic(w, r, d, http.StatusBadRequest)
		return
	}
	num := func(name string) int64 {
		n, _ := strconv.ParseInt(r.PostFormValue(name), 10, 64)
		return n
	}
	d.Form = publicForm{Kind: r.PostFormValue("kind"), Problem: r.PostFormValue("problem"), Body: r.PostFormValue("body"),
		Name: r.PostFormValue("name"), Phone: r.PostFormValue("phone"), OrderID: num("order_id"), DeviceID: num("device_id"),
		Consent: r.PostFormValue("consent") == "1"}
	_, err := h.svc.Submit(r.Context(), feedback.SubmitInput{UnitCode: r.PathValue("code"), Kind: d.Form.Kind, Problem: d.Form.Problem,
		OrderID: d.Form.OrderID, DeviceID: d.Form.DeviceID, Body: d.Form.Body, Name: d.Form.Name, Phone: d.Form.Phone,
		Consent: d.Form.Consent, Honeypot: r.PostFormValue("website"), ClientAddr: h.clientAddr(r)})
	if err != nil {
		code, body := h.publicError(lang, err)
		if code >= 500 {
			h.renderError(w, r, nil, err)
			return
		}
		d.Error = body.Message
		if code == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "600")
		}
		h.renderPublic(w, r, d, code)
		return
	}
	http.Redirect(w, r, "/xa/"+url.PathEscape(r.PathValue("code"))+"?sent=1&lang="+lang+"#gui", http.StatusSeeOther)
}
