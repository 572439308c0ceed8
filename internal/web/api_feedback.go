package web

import (
	"context"
	"net/http"
	"time"

	"github.com/loa-project/loa/internal/feedback"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
)

// Feedback is what the public commune page and the officials' feedback
// inbox need of the feedback service (package feedback).
type Feedback interface {
	Page(ctx context.Context, unitCode string) (*feedback.PublicPage, error)
	Submit(ctx context.Context, in feedback.SubmitInput) (*model.Feedback, error)
	Inbox(ctx context.Context, a model.Actor, state string) ([]*model.Feedback, error)
	Get(ctx context.Context, a model.Actor, id int64) (*model.Feedback, error)
	Assign(ctx context.Context, a model.Actor, id int64, in feedback.AssignInput) (*model.Feedback, error)
	Answer(ctx context.Context, a model.Actor, id int64, in feedback.AnswerInput) (*model.Feedback, error)
	Close(ctx context.Context, a model.Actor, id int64) (*model.Feedback, error)
	Figures(ctx context.Context, a model.Actor, unitID int64, from, to time.Time) (model.FeedbackFigures, error)
}

// feedbackHandlers is the handler group of citizens' feedback.
type feedbackHandlers struct {
	*Server
	svc Feedback
}

func (s *Server) registerFeedback() {
	h := feedbackHandlers{Server: s, svc: s.deps.Feedback}
	svc := h.svc
	if err := h.parseInboxTemplate(); err != nil {
		panic(err) // an embedded template: a build error
	}
	h.registerInboxUI()
	s.handle("GET /xa/{code}", false, h.publicPage)
	s.handle("POST /xa/{code}", false, h.publicSubmit)
	s.handle("GET /api/v1/feedback", true, s.api(MaxJSONBody, jsonList(s, "feedback", func(r *http.Request, p *principal) ([]*model.Feedback, error) {
		return svc.Inbox(r.Context(), p.Actor, r.URL.Query().Get("state"))
	})))
	s.handle("GET /api/v1/feedback/{id}", true, s.api(MaxJSONBody, jsonGetID(s, "id", http.StatusOK, bind(svc, Feedback.Get))))
	s.handle("POST /api/v1/feedback/{id}/assign", true, s.api(MaxJSONBody, jsonID(s, "id", http.StatusOK, bind4(svc, Feedback.Assign))))
	s.handle("POST /api/v1/feedback/{id}/answer", true, s.api(MaxJSONBody, jsonID(s, "id", http.StatusOK, bind4(svc, Feedback.Answer))))
	s.handle("POST /api/v1/feedback/{id}/close", true, s.api(MaxJSONBody, jsonGetID(s, "id", http.StatusOK, bind(svc, Feedback.Close))))
	s.handle("GET /api/v1/units/{id}/feedback-figures", true, s.api(MaxJSONBody, jsonCall(s, http.StatusOK,
		func(r *http.Request, p *principal, _ noBody) (model.FeedbackFigures, error) {
			id, err := pathID(r, "id")
			if err != nil {
				return model.FeedbackFigures{}, err
			}
			from, to, err := figuresPeriod(r, time.Now())
			if err != nil {
				return model.FeedbackFigures{}, err
			}
			return svc.Figures(r.Context(), p.Actor, id, from, to)
		})))
}

// figuresPeriod reads ?from=YYYY-MM-DD&to=YYYY-MM-DD (local days; to is
// inclusive), defaulting to the last 30 days.
func figuresPeriod(r *http.Request, now time.Time) (time.Time, time.Time, error) {
	loc := i18n.Zone()
	day := func(name string, def time.Time) (time.Time, error) {
		v := r.URL.Query().Get(name)
		if v == "" {
			return def, nil
		}
		t, err := time.ParseInLocation("2006-01-02", v, loc)
		if err != nil {
			return time.Time{}, model.Invalid(name, "write the day as YYYY-MM-DD (got %q)", v)
		}
		return t, nil
	}
	today := time.Date(now.In(loc).Year(), now.In(loc).Month(), now.In(loc).Day(), 0, 0, 0, 0, loc)
	from, err := day("from", today.AddDate(0, 0, -29))
	if err != nil {
		return from, from, err
	}
	to, err := day("to", today)
	if err != nil {
		return from, to, err
	}
	to = to.AddDate(0, 0, 1)
	if !from.Before(to) {
		return from, to, model.Invalid("to", "the period must end on or after its first day")
	}
	return from, to, nil
}
