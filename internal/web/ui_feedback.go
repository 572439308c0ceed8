package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/loa-project/loa/internal/feedback"
	"github.com/loa-project/loa/internal/model"
)

// HasFeedback reports whether the citizens' feedback inbox is served.
func (p *pageData) HasFeedback() bool { return p.s.deps.Feedback != nil }

// feedbackRow is one line of the officials' inbox.
type feedbackRow struct {
	F       *model.Feedback
	Overdue bool
	Assign  []*model.Unit // the commune and the units below it
}

// feedbackInbox is what feedback_inbox.html shows.
type feedbackInbox struct {
	State string
	Rows  []feedbackRow
}

func (h feedbackHandlers) parseInboxTemplate() error {
	t, err := template.New("feedback_inbox").Funcs(template.FuncMap{
		"deref": func(p *int64) int64 { return *p },
	}).ParseFS(assets, "templates/layout.html", "templates/feedback_inbox.html")
	if err != nil {
		return fmt.Errorf("parse template feedback_inbox: %w", err)
	}
	h.tmpl["feedback_inbox"] = t
	return nil
}

func (h feedbackHandlers) registerInboxUI() {
	pg := func(fn pageHandler) http.HandlerFunc { return h.page(MaxPublicForm, fn) }
	h.handle("GET /feedback", false, pg(h.uiInbox))
	h.handle("POST /feedback/{id}/{action}", false, pg(h.uiAct))
}

func (h feedbackHandlers) uiInbox(w http.ResponseWriter, r *http.Request, p *principal) {
	state := r.URL.Query().Get("state")
	list, err := h.svc.Inbox(r.Context(), p.Actor, state)
	if err != nil {
		h.renderError(w, r, p, err)
		return
	}
	pd := h.newPage(r, p, "fb.inbox", "feedback")
	if err := h.withDirectory(r, pd); err != nil {
		h.renderError(w, r, p, err)
		return
	}
	data := feedbackInbox{State: state}
	for _, f := range list {
		row := feedbackRow{F: f, Overdue: f.IsOverdue}
		if page, ok := pd.units[f.UnitID]; ok {
			for _, u := range pd.units {
				if strings.HasPrefix(u.Path, page.Path) && u.DissolvedOn == "" {
					row.Assign = append(row.Assign, u)
				}
			}
		}
		sortUnitsByPath(row.Assign)
		data.Rows = append(data.Rows, row)
	}
	pd.Data = data
	h.render(w, r, "feedback_inbox", pd, http.StatusOK)
}

func sortUnitsByPath(us []*model.Unit) {
	for i := 1; i < len(us); i++ {
		for j := i; j > 0 && us[j].Path < us[j-1].Path; j-- {
			us[j], us[j-1] = us[j-1], us[j]
		}
	}
}

func (h feedbackHandlers) uiAct(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		h.renderError(w, r, p, err)
		return
	}
	ctx := r.Context()
	var flash string
	switch r.PathValue("action") {
	case "answer":
		_, err = h.svc.Answer(ctx, p.Actor, id, feedback.AnswerInput{Answer: r.PostFormValue("answer"), Publish: r.PostFormValue("publish") == "1"})
		flash = "flash.fb_answered"
	case "assign":
		unit, perr := strconv.ParseInt(r.PostFormValue("unit_id"), 10, 64)
		if perr != nil {
			err = model.Invalid("unit_id", "choose the unit")
			break
		}
		_, err = h.svc.Assign(ctx, p.Actor, id, feedback.AssignInput{UnitID: unit})
		flash = "flash.fb_assigned"
	case "close":
		_, err = h.svc.Close(ctx, p.Actor, id)
		flash = "flash.fb_closed"
	default:
		err = fmt.Errorf("unknown action %q: %w", r.PathValue("action"), model.ErrNotFound)
	}
	if err != nil {
		h.renderError(w, r, p, err)
		return
	}
	redirectFlash(w, r, fmt.Sprintf("/feedback#f%d", id), flash)
}
