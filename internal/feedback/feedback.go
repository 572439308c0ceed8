// Package feedback is the citizens' side of two-way communication: the
// public page of a commune takes feedback and questions about its current
// bulletins and loudspeaker complaints (too loud, too early, broken,
// inaudible), and officials handle them in an inbox (new → assigned →
// answered → closed) with due times, escalation to the superior unit when
// overdue (a jobs queue), and answers that may be published on the page.
package feedback

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/jobs"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// Limits of a submission.
const (
	MaxBodyRunes   = 2000
	MaxNameRunes   = 100
	MaxPhoneRunes  = 20
	MaxAnswerRunes = 4000
)

// Defaults of Config.
const (
	DefaultDueFeedback = 5 * 24 * time.Hour // a question or comment is answered within 5 days
	DefaultDueSpeaker  = 2 * 24 * time.Hour // a loudspeaker complaint within 2 days
	DefaultRateWindow  = 10 * time.Minute
	DefaultRatePerAddr = 5  // submissions per address and window
	DefaultRatePerDay  = 30 // submissions per address and day
)

// Bulletins gives the current public bulletins of a unit (its feed).
type Bulletins interface {
	Feed(ctx context.Context, unitCode string) (*broadcast.Feed, error)
}

// Config configures the service.
type Config struct {
	Store     *storage.Store
	Policy    authz.Policy
	Bulletins Bulletins
	Clock     clock.Clock
	Log       *slog.Logger
	// Due times by kind (defaults above).
	DueFeedback, DueSpeaker time.Duration
	// Rate limits per client address (defaults above).
	RateWindow  time.Duration
	RatePerAddr int
	RatePerDay  int
}

// Service handles citizens' feedback.
type Service struct {
	cfg   Config
	store *storage.Store
	clock clock.Clock
	log   *slog.Logger
}

// New returns the service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("feedback: no store")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.DueFeedback <= 0 {
		cfg.DueFeedback = DefaultDueFeedback
	}
	if cfg.DueSpeaker <= 0 {
		cfg.DueSpeaker = DefaultDueSpeaker
	}
	if cfg.RateWindow <= 0 {
		cfg.RateWindow = DefaultRateWindow
	}
	if cfg.RatePerAddr <= 0 {
		cfg.RatePerAddr = DefaultRatePerAddr
	}
	if cfg.RatePerDay <= 0 {
		cfg.RatePerDay = DefaultRatePerDay
	}
	return &Service{cfg: cfg, store: cfg.Store, clock: clock.Or(cfg.Clock), log: cfg.Log}, nil
}

// Kinds and Problems list the accepted values, in display order.
var (
	Kinds    = []string{model.FeedbackComment, model.FeedbackQuestion, model.FeedbackSpeaker}
	Problems = []string{model.SpeakerTooLoud, model.SpeakerTooEarly, model.SpeakerBroken, model.SpeakerInaudible}
)

// SubmitInput is what a citizen sends from a public page.
type SubmitInput struct {
	UnitCode string
	Kind     string
	Problem  string // speaker complaints
	OrderID  int64  // the bulletin, 0: none
	DeviceID int64  // the loudspeaker cluster, required for speaker complaints
	Body     string
	Name     string
	Phone    string
	Consent  bool
	// Honeypot is the hidden field robots fill in; a filled one is
	// accepted without being stored.
	Honeypot   string
	ClientAddr string
}

// PublicPage is what the public page of a unit shows.
type PublicPage struct {
	Unit      *model.Unit
	Bulletins *broadcast.Feed
	Clusters  []*model.Device
	Answers   []*model.Feedback
}

// Page returns the public page of a unit: current bulletins, loudspeaker
// clusters and published answers.
func (s *Service) Page(ctx context.Context, unitCode string) (*PublicPage, error) {
	if unitCode == "" || len(unitCode) > 100 {
		return nil, model.Invalid("code", "give a unit code")
	}
	u, err := s.store.Orgs().UnitByCode(ctx, unitCode)
	if err != nil {
		return nil, err
	}
	p := &PublicPage{Unit: u, Bulletins: &broadcast.Feed{Unit: u}}
	if s.cfg.Bulletins != nil {
		if p.Bulletins, err = s.cfg.Bulletins.Feed(ctx, unitCode); err != nil {
			return nil, fmt.Errorf("bulletins of %s: %w", unitCode, err)
		}
	}
	if p.Clusters, err = s.store.Devices().ListDevices(ctx, u.Path, false); err != nil {
		return nil, err
	}
	if p.Answers, err = s.store.Feedback().PublicAnswers(ctx, u.ID, 20); err != nil {
		return nil, err
	}
	return p, nil
}

var phoneRe = regexp.MustCompile(`^\+?[0-9 .()-]{6,20}$`)

// plain cleans citizen text: valid UTF-8, no control characters but line
// breaks and tabs, trimmed. It is stored and shown as plain text (pages
// escape it).
func plain(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

func bad(field, key, format string, args ...any) error {
	return i18n.Localise(model.Invalid(field, format, args...), key)
}

// ErrRateLimited is returned (wrapping model.ErrThrottled) when an address
// sent too many messages.
var ErrRateLimited = fmt.Errorf("too many messages from this address; try again later: %w", model.ErrThrottled)

// Submit stores a citizen's message. A message whose honeypot field is
// filled is answered as if stored (nil, nil) but dropped. Rate limits are
// counted per client address in the database, so replicas share them.
func (s *Service) Submit(ctx context.Context, in SubmitInput) (*model.Feedback, error) {
	now := s.clock.Now()
	if err := s.limit(ctx, in.ClientAddr, now); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Honeypot) != "" {
		s.log.Info("feedback dropped: honeypot filled", "client", in.ClientAddr)
		return nil, nil
	}
	page, err := s.Page(ctx, in.UnitCode)
	if err != nil {
		return nil, err
	}
	f := &model.Feedback{UnitID: page.Unit.ID, Kind: in.Kind, Body: plain(in.Body), SenderName: plain(in.Name), SenderPhone: plain(in.Phone),
		Consent: in.Consent, ClientAddr: in.ClientAddr, State: model.FeedbackNew, CreatedAt: now}
	if !slices.Contains(Kinds, in.Kind) {
		return nil, bad("kind", "fb.err.kind", "choose what you send: %s", strings.Join(Kinds, ", "))
	}
	if n := utf8.RuneCountInString(f.Body); n > MaxBodyRunes {
		return nil, bad("body", "fb.err.body_long", "the message has %d characters; at most %d are accepted", n, MaxBodyRunes)
	}
	if utf8.RuneCountInString(f.SenderName) > MaxNameRunes {
		return nil, bad("name", "fb.err.name", "the name is limited to %d characters", MaxNameRunes)
	}
	if f.SenderPhone != "" && !phoneRe.MatchString(f.SenderPhone) {
		return nil, bad("phone", "fb.err.phone", "write the phone number with digits only, e.g. 0912 345 678")
	}
	if (f.SenderName != "" || f.SenderPhone != "") && !in.Consent {
		return nil, bad("consent", "fb.err.consent", "tick the consent line to leave your name or phone number, or leave them empty")
	}
	due := s.cfg.DueFeedback
	if in.Kind == model.FeedbackSpeaker {
		due = s.cfg.DueSpeaker
		if !slices.Contains(Problems, in.Problem) {
			return nil, bad("problem", "fb.err.problem", "choose the problem: %s", strings.Join(Problems, ", "))
		}
		f.Problem = in.Problem
		i := slices.IndexFunc(page.Clusters, func(d *model.Device) bool { return d.ID == in.DeviceID })
		if i < 0 {
			return nil, bad("device_id", "fb.err.cluster", "choose the loudspeaker cluster from the list of this commune")
		}
		// The station that runs the cluster handles the complaint.
		d := page.Clusters[i]
		f.DeviceID, f.AssignedUnitID, f.State = &d.ID, &d.UnitID, model.FeedbackAssigned
	} else if f.Body == "" {
		return nil, bad("body", "fb.err.body", "write your message or question")
	}
	if in.OrderID != 0 {
		if !slices.ContainsFunc(page.Bulletins.Entries, func(e broadcast.FeedEntry) bool { return e.OrderID == in.OrderID }) {
			return nil, bad("order_id", "fb.err.bulletin", "the bulletin is not among the current bulletins of this commune")
		}
		id := in.OrderID
		f.OrderID = &id
	}
	f.DueAt = now.Add(due)
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Feedback().InsertFeedback(ctx, f); err != nil {
			return err
		}
		a := model.System("public")
		a.ClientAddr = in.ClientAddr
		return tx.Audit().AppendAudit(ctx, a, "feedback.submit", "feedback", fmt.Sprint(f.ID),
			fmt.Sprintf("unit=%d kind=%s problem=%s device=%d order=%d", f.UnitID, f.Kind, f.Problem, in.DeviceID, in.OrderID))
	})
	if err != nil {
		return nil, err
	}
	return s.store.Feedback().FeedbackByID(ctx, f.ID)
}

// limit counts a submission of the address and refuses it over the
// limits (per window and per day). Addresses are counted per /64 for IPv6.
func (s *Service) limit(ctx context.Context, addr string, now time.Time) error {
	key := addr
	if ip, err := netip.ParseAddr(addr); err == nil && ip.Is6() && !ip.Is4In6() {
		p, _ := ip.Prefix(64)
		key = p.String()
	}
	if key == "" {
		key = "unknown"
	}
	win := now.Truncate(s.cfg.RateWindow)
	day := now.Truncate(24 * time.Hour)
	var over bool
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		n, err := tx.Feedback().HitRate(ctx, "w:"+key, win)
		if err != nil {
			return err
		}
		d, err := tx.Feedback().HitRate(ctx, "d:"+key, day)
		if err != nil {
			return err
		}
		over = n > s.cfg.RatePerAddr || d > s.cfg.RatePerDay
		return nil
	})
	if err != nil {
		return err
	}
	if over {
		return i18n.Localise(ErrRateLimited, "fb.err.rate")
	}
	return nil
}

// unitPaths returns the paths of the units a feedback is with: the page,
// the assigned and the escalated unit.
func (s *Service) unitPaths(ctx context.Context, f *model.Feedback) ([]string, error) {
	var out []string
	for _, id := range []*int64{&f.UnitID, f.AssignedUnitID, f.EscalatedUnitID} {
		if id == nil {
			continue
		}
		u, err := s.store.Orgs().Unit(ctx, *id)
		if err != nil {
			return nil, err
		}
		out = append(out, u.Path)
	}
	return out, nil
}

// may reports whether a may read (write false) or handle (write true) f:
// staff who handle the inbox or run the broadcasts of the commune, of the
// assigned station or of the unit it was escalated to.
func (s *Service) may(ctx context.Context, a model.Actor, f *model.Feedback, write bool) (bool, error) {
	paths, err := s.unitPaths(ctx, f)
	if err != nil {
		return false, err
	}
	acts := []authz.Action{authz.DeliveryRead, authz.BroadcastRead}
	if write {
		acts = []authz.Action{authz.DeliveryHandle, authz.BroadcastWrite}
	}
	for _, p := range paths {
		for _, act := range acts {
			if s.cfg.Policy.Can(a, act, p) {
				return true, nil
			}
		}
	}
	return false, nil
}

// Inbox lists the feedback the actor may read, newest first; state ""
// means all states.
func (s *Service) Inbox(ctx context.Context, a model.Actor, state string) ([]*model.Feedback, error) {
	if state != "" && !slices.Contains([]string{model.FeedbackNew, model.FeedbackAssigned, model.FeedbackAnswered, model.FeedbackClosed}, state) {
		return nil, model.Invalid("state", "unknown state %q: use new, assigned, answered or closed", state)
	}
	root := a.UnitPath
	if a.IsSystem() {
		root = ""
	}
	list, err := s.store.Feedback().FeedbackUnder(ctx, root, state, 500)
	if err != nil {
		return nil, err
	}
	out := make([]*model.Feedback, 0, len(list))
	now := s.clock.Now()
	for _, f := range list {
		ok, err := s.may(ctx, a, f, false)
		if err != nil {
			return nil, err
		}
		if ok {
			f.IsOverdue = f.Overdue(now)
			out = append(out, f)
		}
	}
	return out, nil
}

// Get returns one feedback the actor may read.
func (s *Service) Get(ctx context.Context, a model.Actor, id int64) (*model.Feedback, error) {
	f, err := s.store.Feedback().FeedbackByID(ctx, id)
	if err != nil {
		return nil, err
	}
	ok, err := s.may(ctx, a, f, false)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("feedback %d: %w", id, model.ErrNotFound)
	}
	f.IsOverdue = f.Overdue(s.clock.Now())
	return f, nil
}

// handle loads a feedback the actor may handle and runs change in a
// transaction with its audit line.
func (s *Service) handle(ctx context.Context, a model.Actor, id int64, action, detail string, change func(tx *storage.Tx, f *model.Feedback, now time.Time) error) (*model.Feedback, error) {
	f, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	ok, err := s.may(ctx, a, f, true)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, i18n.Localise(fmt.Errorf("feedback %d: only the commune, the station it is assigned to or the unit it was escalated to may handle it: %w", id, model.ErrForbidden), "fb.err.forbidden")
	}
	now := s.clock.Now()
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := change(tx, f, now); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, action, "feedback", fmt.Sprint(id), detail)
	})
	if err != nil {
		if errors.Is(err, model.ErrConflict) {
			return nil, i18n.Localise(fmt.Errorf("feedback %d is %s; this step is not possible now: %w", id, f.State, model.ErrConflict), "fb.err.state")
		}
		return nil, err
	}
	return s.store.Feedback().FeedbackByID(ctx, id)
}

// AssignInput assigns a feedback to a unit.
type AssignInput struct {
	UnitID int64 `json:"unit_id"`
}

// Assign gives a feedback to a unit (the commune itself, its station, a
// department) with a new due time. The unit must lie under the commune
// or under the actor's unit.
func (s *Service) Assign(ctx context.Context, a model.Actor, id int64, in AssignInput) (*model.Feedback, error) {
	if in.UnitID <= 0 {
		return nil, model.Invalid("unit_id", "give the id of the unit that handles it")
	}
	to, err := s.store.Orgs().Unit(ctx, in.UnitID)
	if err != nil {
		return nil, model.Invalid("unit_id", "unit %d does not exist", in.UnitID)
	}
	return s.handle(ctx, a, id, "feedback.assign", fmt.Sprintf("unit=%d", to.ID), func(tx *storage.Tx, f *model.Feedback, now time.Time) error {
		page, err := tx.Orgs().Unit(ctx, f.UnitID)
		if err != nil {
			return err
		}
		if !strings.HasPrefix(to.Path, page.Path) && !(a.UnitPath != "" && strings.HasPrefix(to.Path, a.UnitPath)) {
			return bad("unit_id", "fb.err.assign_unit", "assign it to the commune, a unit below it or a unit below yours")
		}
		due := s.cfg.DueFeedback
		if f.Kind == model.FeedbackSpeaker {
			due = s.cfg.DueSpeaker
		}
		return tx.Feedback().AssignFeedback(ctx, f.ID, to.ID, now.Add(due), now)
	})
}

// AnswerInput answers a feedback.
type AnswerInput struct {
	Answer string `json:"answer"`
	// Publish shows the answer (with the question, without the sender's
	// name or phone) on the commune's public page.
	Publish bool `json:"publish"`
}

// Answer records the answer; answering again corrects it.
func (s *Service) Answer(ctx context.Context, a model.Actor, id int64, in AnswerInput) (*model.Feedback, error) {
	text := plain(in.Answer)
	if text == "" {
		return nil, bad("answer", "fb.err.answer", "write the answer")
	}
	if n := utf8.RuneCountInString(text); n > MaxAnswerRunes {
		return nil, bad("answer", "fb.err.answer_long", "the answer has %d characters; at most %d", n, MaxAnswerRunes)
	}
	return s.handle(ctx, a, id, "feedback.answer", fmt.Sprintf("publish=%t", in.Publish), func(tx *storage.Tx, f *model.Feedback, now time.Time) error {
		return tx.Feedback().AnswerFeedback(ctx, f.ID, text, in.Publish, a.Username, now)
	})
}

// Close closes a feedback (answered, or not needing an answer).
func (s *Service) Close(ctx context.Context, a model.Actor, id int64) (*model.Feedback, error) {
	return s.handle(ctx, a, id, "feedback.close", "", func(tx *storage.Tx, f *model.Feedback, now time.Time) error {
		return tx.Feedback().CloseFeedback(ctx, f.ID, now)
	})
}

// Figures returns the feedback figures of a unit's subtree over [from,
// to) for an actor who may read the unit's inbox or broadcasts.
func (s *Service) Figures(ctx context.Context, a model.Actor, unitID int64, from, to time.Time) (model.FeedbackFigures, error) {
	u, err := s.store.Orgs().Unit(ctx, unitID)
	if err != nil {
		return model.FeedbackFigures{}, err
	}
	if !s.cfg.Policy.Can(a, authz.DeliveryRead, u.Path) && !s.cfg.Policy.Can(a, authz.BroadcastRead, u.Path) {
		return model.FeedbackFigures{}, fmt.Errorf("feedback figures of %s: %w", u.Name, model.ErrForbidden)
	}
	return FiguresOf(ctx, s.store, u, from, to)
}

// FiguresOf is the feedback figures of a unit's subtree over [from, to)
// without access checks, for periodic reports: received, handled
// (answered) and open at the end, and the median handling time.
func FiguresOf(ctx context.Context, st *storage.Store, u *model.Unit, from, to time.Time) (model.FeedbackFigures, error) {
	if !from.Before(to) {
		return model.FeedbackFigures{}, model.Invalid("to", "the period must end after it starts")
	}
	fig, err := st.Feedback().FeedbackFigures(ctx, u.Path, from, to)
	fig.UnitID = u.ID
	return fig, err
}

// EscalationQueue is the jobs queue that escalates feedback not answered
// by its due time: the superior unit of the commune (and the unit it is
// assigned to) get an in-app notification, with an audit line. It runs in
// the claim's transaction, so each feedback escalates once.
func (s *Service) EscalationQueue() jobs.Queue {
	return jobs.Queue{Kind: "feedback_escalation", Table: storage.FeedbackEscalationQueue, InTx: true, MaxAttempts: 5,
		Backoff: jobs.Backoff{Base: time.Minute, Max: time.Hour}, Handler: s.escalate}
}

func (s *Service) escalate(ctx context.Context, job jobs.Job) error {
	tx := job.Tx
	f, err := tx.Feedback().FeedbackByID(ctx, job.ID)
	if err != nil {
		return err
	}
	page, err := tx.Orgs().Unit(ctx, f.UnitID)
	if err != nil {
		return err
	}
	up := page.ID
	if page.ParentID != nil {
		up = *page.ParentID
	}
	now := s.clock.Now()
	loc := i18n.Zone()
	msg := fmt.Sprintf("Phản ánh #%d của người dân (%s) chưa được trả lời, quá hạn %s. / Citizen feedback #%d (%s) is unanswered past its due time %s.",
		f.ID, page.Name, i18n.DateTime(f.DueAt, loc), f.ID, page.Name, i18n.DateTime(f.DueAt, loc))
	targets := []int64{up}
	if f.AssignedUnitID != nil && *f.AssignedUnitID != up {
		targets = append(targets, *f.AssignedUnitID)
	}
	for _, u := range targets {
		if err := tx.Deliveries().InsertNotification(ctx, &model.Notification{UnitID: u, Kind: "feedback_overdue", Message: msg, CreatedAt: now}); err != nil {
			return err
		}
	}
	if err := tx.Feedback().MarkFeedbackEscalated(ctx, f.ID, up, now); err != nil {
		return err
	}
	return tx.Audit().AppendAudit(ctx, model.System("feedback-escalation"), "feedback.escalate", "feedback", fmt.Sprint(f.ID), fmt.Sprintf("to_unit=%d", up))
}
