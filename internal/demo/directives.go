package demo

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/loa-project/loa/internal/accounts"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// storyClock steps through the days of June 2021 as the demo story goes.
type storyClock struct {
	*clock.Fake
	loc *time.Location
}

func (c storyClock) at(day, hhmm string) {
	t, err := time.ParseInLocation("2006-01-02 15:04", day+" "+hhmm, c.loc)
	if err != nil {
		panic(fmt.Sprintf("demo clock %s %s: %v", day, hhmm, err))
	}
	c.Set(t)
}

// LoadDirectives puts the seed scenario half-way into a database that
// holds the demo organisation and users: 355/TTCS-TTTH from the Cục
// Thông tin cơ sở received and assigned at the Sở TTTT Kiên Giang; 570
// drafted, approved and issued as 570/STTTT-TTBCBC (the Sở's outgoing
// register set to 569 for 2021) to the newspaper, the radio/TV station,
// the e-portal and the 15 district People's Committees, b/c the
// provincial People's Committee and copies to the district culture
// centres; Rạch Giá and Kiên Lương forwarded it to their communes (Kiên
// Lương issuing automatically), Vĩnh Thanh Vân and the newspaper reported,
// other districts read or acknowledged it. Timestamps follow the story
// (3–7 June 2021). It creates the Cục's drafter chuyenvien.cuc with the
// given password. It does nothing when directives already exist.
func LoadDirectives(ctx context.Context, st *storage.Store, svc *directives.Service, password string) error {
	existing, err := st.Directives().ListDirectives(ctx, model.DirectiveFilter{Limit: 1})
	if err != nil {
		return err
	}
	if len(existing) > 0 {
		return nil
	}
	story := storyClock{Fake: clock.NewFake(time.Time{}), loc: svc.Location()}
	story.at("2021-06-03", "08:00")
	l := &directivesLoader{s: svc.WithClock(story), st: st, clock: story}
	return l.run(ctx, password)
}

type directivesLoader struct {
	s     *directives.Service
	st    *storage.Store
	clock storyClock
}

func (l *directivesLoader) unit(ctx context.Context, code string) (*model.Unit, error) {
	u, err := l.st.Orgs().UnitByCode(ctx, code)
	if err != nil {
		return nil, fmt.Errorf("demo unit %s: %w", code, err)
	}
	return u, nil
}

func (l *directivesLoader) actor(ctx context.Context, username string) (model.Actor, error) {
	u, _, err := l.st.Accounts().UserByUsername(ctx, username)
	if err != nil {
		return model.Actor{}, fmt.Errorf("demo user %s: %w", username, err)
	}
	unit, err := l.st.Orgs().Unit(ctx, u.UnitID)
	if err != nil {
		return model.Actor{}, err
	}
	return model.Actor{UserID: u.ID, Username: u.Username, UnitID: u.UnitID, UnitPath: unit.Path, Roles: u.Roles, ClientAddr: "demo"}, nil
}

// actors looks up several demo users, in order.
func (l *directivesLoader) actors(ctx context.Context, usernames ...string) ([]model.Actor, error) {
	out := make([]model.Actor, len(usernames))
	for i, u := range usernames {
		a, err := l.actor(ctx, u)
		if err != nil {
			return nil, err
		}
		out[i] = a
	}
	return out, nil
}

func (l *directivesLoader) counter(ctx context.Context, unitCode string, last int) error {
	u, err := l.unit(ctx, unitCode)
	if err != nil {
		return err
	}
	return l.st.Tx(ctx, func(tx *storage.Tx) error {
		return tx.Registers().SetCounter(ctx, u.ID, 2021, model.SeriesOutgoing, last)
	})
}

func (l *directivesLoader) deliver(ctx context.Context) error {
	_, err := l.s.DeliverPending(ctx)
	return err
}

// inbox finds a unit's delivery of a directive.
func (l *directivesLoader) delivery(ctx context.Context, dirID int64, unitCode string) (int64, error) {
	u, err := l.unit(ctx, unitCode)
	if err != nil {
		return 0, err
	}
	del, err := l.st.Deliveries().DeliveryOf(ctx, dirID, u.ID)
	if err != nil {
		return 0, err
	}
	return del.ID, nil
}

func (l *directivesLoader) run(ctx context.Context, password string) error {
	s := l.s
	if err := l.ensureUser(ctx, password); err != nil {
		return err
	}
	cuc, err := l.actors(ctx, "chuyenvien.cuc", "lanhdao.cuc", "vanthu.cuc")
	if err != nil {
		return err
	}
	cucDrafter, cucLeader, cucClerk := cuc[0], cuc[1], cuc[2]
	so, err := l.unit(ctx, "so-tttt-kg")
	if err != nil {
		return err
	}

	// 355 from the Cục.
	c355 := Seed355Content([]directives.Recipient{{UnitID: so.ID, Role: directives.RoleMain, Label: "Sở Thông tin và Truyền thông các tỉnh, thành phố trực thuộc Trung ương"}})
	c355.SignerUserID = cucLeader.UserID
	l.clock.at("2021-06-03", "08:30")
	v355, err := s.Drafts().Create(ctx, cucDrafter, directives.CreateInput{Content: c355})
	if err != nil {
		return fmt.Errorf("demo 355: %w", err)
	}
	if _, err := s.Workflow().Submit(ctx, cucDrafter, v355.ID, "Kính trình lãnh đạo Cục"); err != nil {
		return fmt.Errorf("demo 355 submit: %w", err)
	}
	l.clock.at("2021-06-03", "09:30")
	if _, err := s.Workflow().Approve(ctx, cucLeader, v355.ID, "Đồng ý ban hành"); err != nil {
		return fmt.Errorf("demo 355 approve: %w", err)
	}
	if err := l.counter(ctx, "cuc-ttcs", 354); err != nil {
		return err
	}
	l.clock.at("2021-06-03", "10:00")
	if _, err := s.Workflow().Issue(ctx, cucClerk, v355.ID, directives.IssueInput{Date: "2021-06-03"}); err != nil {
		return fmt.Errorf("demo 355 issue: %w", err)
	}
	if err := l.deliver(ctx); err != nil {
		return err
	}

	// The Sở receives it and the clerk assigns it to the drafter.
	so3, err := l.actors(ctx, "vanthu.so", "chuyenvien.so", "lamvanson")
	if err != nil {
		return err
	}
	soClerk, drafter, approver := so3[0], so3[1], so3[2]
	d355, err := l.delivery(ctx, v355.ID, "so-tttt-kg")
	if err != nil {
		return err
	}
	l.clock.at("2021-06-03", "14:00")
	if _, err := s.Deliveries().MarkRead(ctx, soClerk, d355); err != nil {
		return err
	}
	if _, err := s.Deliveries().Acknowledge(ctx, soClerk, d355); err != nil {
		return err
	}
	l.clock.at("2021-06-03", "14:10")
	if _, err := s.Deliveries().Assign(ctx, soClerk, d355, directives.AssignInput{UserID: drafter.UserID, Note: "Phòng TTBCBC tham mưu văn bản triển khai"}); err != nil {
		return err
	}

	// 570: drafted, approved, issued.
	l.clock.at("2021-06-04", "07:45")
	draft, err := s.Deliveries().Forward(ctx, drafter, d355)
	if err != nil {
		return fmt.Errorf("demo 570 draft: %w", err)
	}
	var audio []string
	for i, name := range []string{"5K-vac-xin.wav", "quy-vac-xin-covid-19.wav"} {
		a, err := s.Drafts().Upload(ctx, drafter, draft.ID, name, "audio/wav", bytes.NewReader(toneWAV(2, 440+float64(i)*110)))
		if err != nil {
			return fmt.Errorf("demo audio: %w", err)
		}
		audio = append(audio, a.SHA256)
	}
	cur, err := s.Drafts().Get(ctx, drafter, draft.ID)
	if err != nil {
		return err
	}
	groups, err := l.st.Orgs().Groups(ctx, so.ID)
	if err != nil {
		return err
	}
	group := func(name string) (int64, error) {
		for _, g := range groups {
			if g.Name == name {
				return g.ID, nil
			}
		}
		return 0, fmt.Errorf("demo group %q is missing", name)
	}
	districtsGroup, err := group("Thường trực UBND các huyện, thành phố")
	if err != nil {
		return err
	}
	centresGroup, err := group("Trung tâm VH, TT và TT các huyện, thành phố")
	if err != nil {
		return err
	}
	ids := map[string]int64{}
	for _, code := range []string{"bao-kg", "dai-kg", "cong-ttdt-kg", "ubnd-kg"} {
		u, err := l.unit(ctx, code)
		if err != nil {
			return err
		}
		ids[code] = u.ID
	}
	c570 := Seed570Content(cur.Content, SeedRecipients(ids["bao-kg"], ids["dai-kg"], ids["cong-ttdt-kg"], districtsGroup, ids["ubnd-kg"], centresGroup),
		audio, approver.UserID)
	l.clock.at("2021-06-04", "08:20")
	if _, err := s.Drafts().Save(ctx, drafter, draft.ID, directives.SaveInput{BaseVersion: cur.Version, Content: c570, Note: "Dự thảo Công văn triển khai 355"}); err != nil {
		return fmt.Errorf("demo 570 save: %w", err)
	}
	l.clock.at("2021-06-04", "08:30")
	if _, err := s.Workflow().Submit(ctx, drafter, draft.ID, "Kính trình Phó Giám đốc Lâm Văn Sơn"); err != nil {
		return fmt.Errorf("demo 570 submit: %w", err)
	}
	l.clock.at("2021-06-04", "09:15")
	if _, err := s.Workflow().Approve(ctx, approver, draft.ID, "Đồng ý, phát hành ngay"); err != nil {
		return fmt.Errorf("demo 570 approve: %w", err)
	}
	if err := l.counter(ctx, "so-tttt-kg", 569); err != nil {
		return err
	}
	l.clock.at("2021-06-04", "09:40")
	v570, err := s.Workflow().Issue(ctx, soClerk, draft.ID, directives.IssueInput{Date: "2021-06-04"})
	if err != nil {
		return fmt.Errorf("demo 570 issue: %w", err)
	}
	l.clock.at("2021-06-04", "09:41")
	if err := l.deliver(ctx); err != nil {
		return err
	}
	return l.downstream(ctx, v570.ID)
}

// downstream: the recipients of 570 at different stages.
func (l *directivesLoader) downstream(ctx context.Context, id570 int64) error {
	s := l.s
	step := func(user, unitCode string, fn func(a model.Actor, del int64) error) error {
		a, err := l.actor(ctx, user)
		if err != nil {
			return err
		}
		del, err := l.delivery(ctx, id570, unitCode)
		if err != nil {
			return err
		}
		if err := fn(a, del); err != nil {
			return fmt.Errorf("demo %s: %w", user, err)
		}
		return nil
	}
	readAck := func(a model.Actor, del int64) error {
		if _, err := s.Deliveries().MarkRead(ctx, a, del); err != nil {
			return err
		}
		_, err := s.Deliveries().Acknowledge(ctx, a, del)
		return err
	}
	// The newspaper reads, acknowledges, reports.
	l.clock.at("2021-06-04", "13:30")
	if err := step("xem.baokg", "bao-kg", readAck); err != nil {
		return err
	}
	// Kiên Lương issues automatically, without approval steps.
	kl, err := l.unit(ctx, "ubnd-kien-luong")
	if err != nil {
		return err
	}
	if _, err := s.SaveSettings(ctx, model.System("demo"), kl.ID, directives.Settings{ApprovalSteps: []directives.ApprovalStep{},
		AutoIssue: true, RemindAfterMinutes: 1440, RemindEveryMinutes: 1440, MaxReminders: 3, EscalateAfterMinutes: 4320}); err != nil {
		return err
	}
	l.clock.at("2021-06-04", "15:00")
	if err := step("vanthu.rachgia", "ubnd-rach-gia", readAck); err != nil {
		return err
	}
	l.clock.at("2021-06-04", "16:00")
	if err := step("vanthu.kienluong", "ubnd-kien-luong", readAck); err != nil {
		return err
	}
	// Rạch Giá forwards to its wards (approved by its leader).
	l.clock.at("2021-06-05", "08:00")
	var rgDraft *directives.View
	if err := step("vanthu.rachgia", "ubnd-rach-gia", func(a model.Actor, del int64) error {
		v, err := s.Deliveries().Forward(ctx, a, del)
		if err != nil {
			return err
		}
		rgDraft = v
		_, err = s.Workflow().Submit(ctx, a, v.ID, "")
		return err
	}); err != nil {
		return err
	}
	l.clock.at("2021-06-05", "08:40")
	rgLeader, err := l.actor(ctx, "lanhdao.rachgia")
	if err != nil {
		return err
	}
	if _, err := s.Workflow().Approve(ctx, rgLeader, rgDraft.ID, "Đồng ý"); err != nil {
		return fmt.Errorf("demo Rạch Giá approve: %w", err)
	}
	if err := l.counter(ctx, "ubnd-rach-gia", 1234); err != nil {
		return err
	}
	rgClerk, err := l.actor(ctx, "vanthu.rachgia")
	if err != nil {
		return err
	}
	l.clock.at("2021-06-05", "09:00")
	if _, err := s.Workflow().Issue(ctx, rgClerk, rgDraft.ID, directives.IssueInput{Date: "2021-06-05"}); err != nil {
		return fmt.Errorf("demo Rạch Giá issue: %w", err)
	}
	// Kiên Lương forwards to its communes (issued on submission).
	l.clock.at("2021-06-05", "09:30")
	if err := step("vanthu.kienluong", "ubnd-kien-luong", func(a model.Actor, del int64) error {
		v, err := s.Deliveries().Forward(ctx, a, del)
		if err != nil {
			return err
		}
		_, err = s.Workflow().Submit(ctx, a, v.ID, "")
		return err
	}); err != nil {
		return err
	}
	l.clock.at("2021-06-05", "09:31")
	if err := l.deliver(ctx); err != nil {
		return err
	}
	// Vĩnh Thanh Vân acknowledges and reports its broadcasts.
	ward, err := l.actor(ctx, "xaphuong.vinhthanhvan")
	if err != nil {
		return err
	}
	wardDel, err := l.delivery(ctx, rgDraft.ID, "ubnd-vinh-thanh-van")
	if err != nil {
		return err
	}
	l.clock.at("2021-06-05", "10:15")
	if err := readAck(ward, wardDel); err != nil {
		return fmt.Errorf("demo Vĩnh Thanh Vân: %w", err)
	}
	l.clock.at("2021-06-07", "16:30")
	if _, err := s.Deliveries().SubmitReport(ctx, ward, wardDel, directives.Report{Text: "Đài truyền thanh phường đã phát 3 nội dung tuyên truyền 2 lần/ngày từ ngày 05/6; niêm yết tài liệu tại bảng tin khu phố.",
		Figures: map[string]float64{"Lượt phát thanh": 12, "Bản tin niêm yết": 6}}); err != nil {
		return fmt.Errorf("demo Vĩnh Thanh Vân report: %w", err)
	}
	l.clock.at("2021-06-07", "17:00")
	return step("xem.baokg", "bao-kg", func(a model.Actor, del int64) error {
		_, err := s.Deliveries().SubmitReport(ctx, a, del, directives.Report{Text: "Báo Kiên Giang đã đăng 4 tin, bài về phòng, chống Covid-19 và Quỹ vắc xin trên báo in và báo điện tử.",
			Figures: map[string]float64{"Tin, bài": 4}})
		return err
	})
}

// ensureUser creates the Cục's drafter in its information department.
func (l *directivesLoader) ensureUser(ctx context.Context, password string) error {
	if _, _, err := l.st.Accounts().UserByUsername(ctx, "chuyenvien.cuc"); err == nil {
		return nil
	} else if !errors.Is(err, model.ErrNotFound) {
		return err
	}
	unit, err := l.unit(ctx, "cuc-ttcs-ttth")
	if err != nil {
		return err
	}
	hash, err := accounts.HashPassword(password)
	if err != nil {
		return err
	}
	u := &model.User{Username: "chuyenvien.cuc", FullName: "Nguyễn Văn Hải", Title: "Chuyên viên", UnitID: unit.ID,
		Roles: []model.Role{model.RoleDrafter}, Active: true, Lang: "vi"}
	return l.st.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Accounts().InsertUser(ctx, u, hash); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, model.System("demo"), "user.create", "user", fmt.Sprint(u.ID), "demo drafter of the Cục")
	})
}

// toneWAV is a short mono 16-bit WAV tone (the demo's stand-in for the
// propaganda audio of 576).
func toneWAV(seconds int, freq float64) []byte {
	const rate = 8000
	n := seconds * rate
	var b bytes.Buffer
	w := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("RIFF")
	w(uint32(36 + 2*n))
	b.WriteString("WAVEfmt ")
	w(uint32(16))
	w(uint16(1))
	w(uint16(1))
	w(uint32(rate))
	w(uint32(2 * rate))
	w(uint16(2))
	w(uint16(16))
	b.WriteString("data")
	w(uint32(2 * n))
	for i := 0; i < n; i++ {
		w(int16(8000 * math.Sin(2*math.Pi*freq*float64(i)/rate)))
	}
	return b.Bytes()
}
