package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/jobs"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/stats"
	"github.com/loa-project/loa/internal/storage"
)

// DraftMaker stores a directive draft in the caller's transaction
// (directives.Drafts).
type DraftMaker interface {
	CreateTx(ctx context.Context, tx *storage.Tx, a model.Actor, unitID int64, c directives.Content) (*model.Directive, error)
}

// Config configures the service.
type Config struct {
	Clock  clock.Clock
	Loc    *time.Location
	Log    *slog.Logger
	Policy authz.Policy
	Blobs  blob.Store
	Stats  Overviewer
	Drafts DraftMaker
	// Poll is how often the scheduler looks for periods that ended
	// (default 15 minutes).
	Poll time.Duration
}

// Service makes the periodic reports, the builder's tables and the JSON
// package.
type Service struct {
	store *storage.Store
	cfg   Config
}

// New returns the service.
func New(st *storage.Store, cfg Config) (*Service, error) {
	if cfg.Stats == nil || cfg.Drafts == nil || cfg.Blobs == nil || cfg.Policy == nil {
		return nil, errors.New("reports: the dashboards, drafts, blob store and policy are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Loc == nil {
		cfg.Loc = time.UTC
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 15 * time.Minute
	}
	return &Service{store: st, cfg: cfg}, nil
}

func (s *Service) now() time.Time { return s.cfg.Clock.Now() }

func (s *Service) today() schedule.Date { return schedule.DateOf(s.now().In(s.cfg.Loc)) }

// mayRead: the reader of a unit's dashboard may read its reports.
func (s *Service) mayRead(a model.Actor, u *model.Unit) error {
	if s.cfg.Policy.Can(a, authz.BroadcastRead, u.Path) || s.cfg.Policy.Can(a, authz.DirectiveRead, u.Path) {
		return nil
	}
	return fmt.Errorf("the figures of %q: %w", u.Name, model.ErrForbidden)
}

// Settings reads which periods a unit reports.
func (s *Service) Settings(ctx context.Context, a model.Actor, unitID int64) (*storage.ReportSetting, error) {
	u, err := s.store.Orgs().Unit(ctx, unitID)
	if err != nil {
		return nil, err
	}
	if err := s.mayRead(a, u); err != nil {
		return nil, err
	}
	return s.store.Reports().ReportSetting(ctx, unitID)
}

// SettingsInput is which periods a unit reports to its superior, and in
// whose name the drafts are made (default: whoever saves the settings).
type SettingsInput struct {
	Periods       []string `json:"periods"`
	DrafterUserID int64    `json:"drafter_user_id,omitempty"`
}

// PutSettings changes which periods a unit reports; it needs the
// directive settings right at the unit (as its approval steps and
// reminders).
func (s *Service) PutSettings(ctx context.Context, a model.Actor, unitID int64, in SettingsInput) (*storage.ReportSetting, error) {
	u, err := s.store.Orgs().Unit(ctx, unitID)
	if err != nil {
		return nil, err
	}
	if !s.cfg.Policy.Can(a, authz.DirectiveSettings, u.Path) {
		return nil, fmt.Errorf("the report settings of %q need the settings right there: %w", u.Name, model.ErrForbidden)
	}
	if len(in.Periods) > len(Kinds) {
		return nil, model.Invalid("periods", "at most %d periods: %s", len(Kinds), strings.Join(Kinds, ", "))
	}
	var periods []string
	for i, p := range in.Periods {
		if !slices.Contains(Kinds, p) {
			return nil, model.Invalid(fmt.Sprintf("periods[%d]", i), "%q is not a period: use %s", p, strings.Join(Kinds, ", "))
		}
		if !slices.Contains(periods, p) {
			periods = append(periods, p)
		}
	}
	slices.SortFunc(periods, func(x, y string) int { return slices.Index(Kinds, x) - slices.Index(Kinds, y) })
	if len(periods) > 0 && u.ParentID == nil {
		return nil, model.Invalid("periods", "%q has no superior unit to report to", u.Name)
	}
	drafter := in.DrafterUserID
	if drafter == 0 {
		drafter = a.UserID
	}
	if len(periods) > 0 {
		if drafter == 0 {
			return nil, model.Invalid("drafter_user_id", "name the user in whose name the report drafts are made")
		}
		if _, err := s.drafter(ctx, u, drafter); err != nil {
			return nil, err
		}
	}
	set := &storage.ReportSetting{UnitID: u.ID, Periods: periods, DrafterUserID: drafter, UpdatedBy: a.Username, UpdatedAt: s.now()}
	if set.Periods == nil {
		set.Periods = []string{}
	}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Reports().PutReportSetting(ctx, set); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "reports.settings", "unit", fmt.Sprint(u.ID), strings.Join(periods, ","))
	})
	if err != nil {
		return nil, err
	}
	return set, nil
}

// Reports lists the periodic reports a unit made, newest first.
func (s *Service) Reports(ctx context.Context, a model.Actor, unitID int64) ([]*storage.PeriodicReport, error) {
	u, err := s.store.Orgs().Unit(ctx, unitID)
	if err != nil {
		return nil, err
	}
	if err := s.mayRead(a, u); err != nil {
		return nil, err
	}
	out, err := s.store.Reports().PeriodicReports(ctx, unitID, 50)
	if out == nil {
		out = []*storage.PeriodicReport{}
	}
	return out, err
}

// RunDue makes the periodic reports that are due: for each unit with a
// setting and each of its periods, the latest period that ended before
// today, unless it was made already. It returns how many it made. A
// report of a period is made once, whatever the restarts and replicas
// (the record's unique key, in the draft's transaction).
func (s *Service) RunDue(ctx context.Context) (int, error) {
	sets, err := s.store.Reports().ReportSettings(ctx)
	if err != nil {
		return 0, err
	}
	today := s.today()
	made := 0
	var errs []error
	for _, set := range sets {
		for _, kind := range set.Periods {
			p, err := LastCompleted(kind, today)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			has, err := s.store.Reports().HasPeriodicReport(ctx, set.UnitID, kind, p.From.String())
			if err != nil {
				return made, err
			}
			if has {
				continue
			}
			_, err = s.Generate(ctx, set.UnitID, kind, p)
			switch {
			case errors.Is(err, model.ErrConflict):
			case err != nil:
				s.cfg.Log.Error("periodic report", "unit", set.UnitID, "period", kind, "from", p.From.String(), "err", err)
				errs = append(errs, fmt.Errorf("the %s report of unit %d: %w", kind, set.UnitID, err))
			default:
				made++
			}
		}
	}
	return made, errors.Join(errs...)
}

// Start runs the scheduler until ctx ends (jobs.Loop: at once, then
// every Poll).
func (s *Service) Start(ctx context.Context) {
	go jobs.Loop(ctx, s.cfg.Poll, nil, s.RunDue, s.cfg.Log)
}

// drafter is the actor in whose name a unit's report drafts are made: an
// active user of the unit (or a unit below it) who may draft there.
func (s *Service) drafter(ctx context.Context, u *model.Unit, userID int64) (model.Actor, error) {
	usr, err := s.store.Accounts().User(ctx, userID)
	if errors.Is(err, model.ErrNotFound) {
		return model.Actor{}, model.Invalid("drafter_user_id", "user %d does not exist", userID)
	}
	if err != nil {
		return model.Actor{}, err
	}
	home, err := s.store.Orgs().Unit(ctx, usr.UnitID)
	if err != nil {
		return model.Actor{}, err
	}
	a := model.Actor{UserID: usr.ID, Username: usr.Username, UnitID: usr.UnitID, UnitPath: home.Path, Roles: usr.Roles}
	if !usr.Active || !strings.HasPrefix(home.Path, u.Path) || !s.cfg.Policy.Can(a, authz.DirectiveDraft, home.Path) {
		return model.Actor{}, model.Invalid("drafter_user_id", "%s cannot draft the reports of %q: choose an active drafter of the unit", usr.FullName, u.Name)
	}
	return a, nil
}

// Generated is a periodic report made: its record and the draft.
type Generated struct {
	Report  *storage.PeriodicReport `json:"report"`
	Figures *Figures                `json:"figures"`
	Draft   *model.Directive        `json:"draft"`
}

// Generate makes the report of a unit for one period: the figures, the
// XLSX annex (stored in the blob store) and, in one transaction, the
// Báo cáo draft addressed to the superior unit with the annex attached
// and the record of the period. A second report of the same period is
// model.ErrConflict and leaves nothing behind.
func (s *Service) Generate(ctx context.Context, unitID int64, kind string, p stats.Period) (*Generated, error) {
	u, err := s.store.Orgs().Unit(ctx, unitID)
	if err != nil {
		return nil, err
	}
	if u.ParentID == nil {
		return nil, model.Invalid("unit_id", "%q has no superior unit to report to", u.Name)
	}
	sup, err := s.store.Orgs().Unit(ctx, *u.ParentID)
	if err != nil {
		return nil, err
	}
	set, err := s.store.Reports().ReportSetting(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if set.DrafterUserID == 0 {
		return nil, model.Invalid("drafter_user_id", "the report settings of %q name no drafter", u.Name)
	}
	a, err := s.drafter(ctx, u, set.DrafterUserID)
	if err != nil {
		return nil, fmt.Errorf("the report drafter of %q: %w (update the report settings)", u.Name, err)
	}
	fig, err := s.Compute(ctx, u, p)
	if err != nil {
		return nil, err
	}
	name := periodName(kind, p)
	table := NewTable("Phụ lục: Số liệu thông tin cơ sở "+name+" của "+u.Name, p, []*Figures{fig}, nil)
	var annex bytes.Buffer
	if err := table.XLSX(&annex); err != nil {
		return nil, err
	}
	info, err := s.cfg.Blobs.Put(ctx, bytes.NewReader(annex.Bytes()), 50<<20)
	if err != nil {
		return nil, fmt.Errorf("store the annex: %w", err)
	}
	c := s.content(kind, name, u, sup, fig)
	c.Attachments = []directives.Attachment{{Kind: "file", SHA256: info.SHA256, Name: AnnexName(kind, p, u.Name),
		ContentType: XLSXType, Size: info.Size}}
	raw, err := json.Marshal(fig)
	if err != nil {
		return nil, fmt.Errorf("encode figures: %w", err)
	}
	out := &Generated{Figures: fig}
	err = s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Documents().RecordBlob(ctx, info.SHA256, info.Size, XLSXType); err != nil {
			return err
		}
		d, err := s.cfg.Drafts.CreateTx(ctx, tx, a, u.ID, c)
		if err != nil {
			return err
		}
		rec := &storage.PeriodicReport{UnitID: u.ID, Period: kind, From: p.From.String(), To: p.To.String(), DirectiveID: d.ID,
			AnnexSHA: info.SHA256, Figures: string(raw), CreatedAt: s.now()}
		if err := tx.Reports().InsertPeriodicReport(ctx, rec); err != nil {
			return err
		}
		out.Report, out.Draft = rec, d
		return tx.Audit().AppendAudit(ctx, a, "reports.generate", "directive", fmt.Sprint(d.ID), kind+" "+rec.From+".."+rec.To)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// XLSXType is the media type of the XLSX files.
const XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// AnnexName is the file name of a periodic report's annex, in
// Vietnamese: "Phụ lục số liệu tháng 11-2026 - Xã Vĩnh Hòa.xlsx".
func AnnexName(kind string, p stats.Period, unit string) string {
	var when string
	switch kind {
	case Week:
		when = fmt.Sprintf("tuần %02d.%02d-%02d.%02d.%d", p.From.Day, int(p.From.Month), p.To.Day, int(p.To.Month), p.To.Year)
	case Month:
		when = fmt.Sprintf("tháng %02d-%d", int(p.From.Month), p.From.Year)
	case Quarter:
		when = fmt.Sprintf("quý %d-%d", (int(p.From.Month)-1)/3+1, p.From.Year)
	case Year:
		when = fmt.Sprintf("năm %d", p.From.Year)
	default:
		when = p.From.String() + " - " + p.To.String()
	}
	return FileName("Phụ lục số liệu "+when+" - "+unit) + ".xlsx"
}

// FileName keeps a Vietnamese file name readable and safe: letters
// (with their diacritics), digits, spaces and . , - _ ( ); anything else
// becomes a space; at most 150 characters.
func FileName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '.' || r == ',' || r == '-' || r == '_' || r == '(' || r == ')' || r == ' ':
			b.WriteRune(r)
		case r >= '0' && r <= '9', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= 0xC0 && r != 0xD7 && r != 0xF7:
			b.WriteRune(r)
		default:
			b.WriteRune(' ')
		}
	}
	out := strings.Join(strings.Fields(b.String()), " ")
	if r := []rune(out); len(r) > 150 {
		out = string(r[:150])
	}
	if out == "" || strings.Trim(out, ".") == "" {
		out = "bao-cao"
	}
	return out
}

// content lays the figures out as the body of a Báo cáo (Decree 30):
// addressed to the superior, one item per group of figures, the annex
// named in the last item.
func (s *Service) content(kind, name string, u, sup *model.Unit, f *Figures) directives.Content {
	c := directives.Content{DocType: "Báo cáo", Subject: "Kết quả công tác thông tin cơ sở " + name}
	c.Intro = fmt.Sprintf("Thực hiện chế độ báo cáo định kỳ, %s báo cáo %s kết quả công tác thông tin cơ sở %s (từ ngày %s đến ngày %s) như sau:",
		u.Name, sup.Name, name, viDate(f.Period.From), viDate(f.Period.To))
	d := f.Directives
	var loud Channel
	var others []string
	for _, ch := range f.Channels {
		if ch.Key == "loudspeaker" {
			loud = ch
		} else if ch.Broadcasts > 0 {
			others = append(others, fmt.Sprintf("%s: %s lượt", lowerFirst(ch.Label), Int(ch.Broadcasts)))
		}
	}
	minutes := 0.0
	if loud.Minutes != nil {
		minutes = *loud.Minutes
	}
	broadcast := fmt.Sprintf("Hệ thống loa truyền thanh cơ sở phát %s lượt với thời lượng %s phút (số liệu thiết bị, mỗi lượt tính một lần tại đơn vị quản lý cụm loa)",
		Int(loud.Broadcasts), Decimal(minutes))
	if len(others) > 0 {
		broadcast += "; các kênh khác: " + strings.Join(others, "; ")
	}
	var levels, prios []string
	var total int64
	for _, b := range f.Bulletins {
		levels = append(levels, fmt.Sprintf("cấp %s %s", lowerFirst(b.Label), Int(b.N)))
		total += b.N
	}
	for _, b := range f.Priority {
		prios = append(prios, fmt.Sprintf("%s %s", lowerFirst(b.Label), Int(b.N)))
	}
	bulletins := fmt.Sprintf("Sản xuất %s bản tin", Int(total))
	if len(levels) > 0 {
		bulletins += " (" + strings.Join(levels, ", ") + ")"
	}
	bulletins += "; theo mức độ: " + strings.Join(prios, ", ") + "."
	median := "chưa có phản ánh được trả lời trong kỳ"
	if f.Feedback.Handled > 0 {
		median = "thời gian xử lý trung vị " + Decimal(float64(f.Feedback.MedianSeconds)/3600) + " giờ"
	}
	c.Items = []directives.Item{
		{Label: "1", Text: fmt.Sprintf("Văn bản: tiếp nhận %s văn bản đến; ban hành %s văn bản đi.", Int(f.Documents.Received), Int(f.Documents.Issued))},
		{Label: "2", Text: fmt.Sprintf("Thực hiện văn bản chỉ đạo: ban hành %s văn bản chỉ đạo gửi %s lượt đơn vị, %s lượt đã báo cáo (%s trễ hạn); thực hiện %s văn bản chỉ đạo của cấp trên đúng hạn, %s văn bản trễ hạn.",
			Int(d.Issued), Int(d.Recipients), Int(d.Reported), Int(d.ReportedLate), Int(d.ImplementedOnTime), Int(d.ImplementedLate))},
		{Label: "3", Text: "Bản tin: " + bulletins},
		{Label: "4", Text: "Phát sóng: " + broadcast + "."},
		{Label: "5", Text: fmt.Sprintf("Độ phủ: %s/%s lượt cụm loa được giao đã phát đủ số lần theo lịch, đạt %s.",
			Int(f.Coverage.Covered), Int(f.Coverage.Targets), Decimal(f.Coverage.Percent)+" %")},
		{Label: "6", Text: fmt.Sprintf("Thiết bị: %s thiết bị đang hoạt động, %s trực tuyến khi lập báo cáo; tỷ lệ thời gian trực tuyến %s.",
			Int(f.Devices.Devices), Int(f.Devices.Online), Decimal(f.Devices.Uptime)+" %")},
		{Label: "7", Text: fmt.Sprintf("Phản ánh, kiến nghị của người dân: tiếp nhận %s, đã trả lời %s, còn %s chưa xử lý cuối kỳ; %s.",
			Int(f.Feedback.Received), Int(f.Feedback.Handled), Int(f.Feedback.Open), median)},
		{Label: "8", Text: "Số liệu chi tiết tại Phụ lục kèm theo."},
	}
	c.Closing = u.Name + " báo cáo để " + sup.Name + " biết, chỉ đạo./."
	c.Recipients = []directives.Recipient{{UnitID: sup.ID, Role: directives.RoleMain}}
	c.Normalize()
	return c
}
