package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/loa-project/loa/internal/broadcast"
	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
)

// Broadcast is what the demo needs of the broadcast service.
type Broadcast interface {
	CreateEnrolmentKey(ctx context.Context, a model.Actor, unitID int64, label string, expires *time.Time, maxDevices int) (string, *model.EnrolmentKey, error)
	Enrol(ctx context.Context, in protocol.EnrolRequest, client string) (*protocol.EnrolResponse, error)
	SpeakText(ctx context.Context, a model.Actor, in broadcast.TTSInput) (*model.Media, error)
	CreateOrder(ctx context.Context, a model.Actor, in broadcast.OrderInput) (*broadcast.OrderView, error)
}

// seedItems are the three content items of the seed letter 570, as the
// text of radio bulletins.
var seedItems = []struct{ title, text string }{
	{"Trách nhiệm phòng, chống Covid-19 theo phương châm 5K + vắc xin",
		"Tuyên truyền trách nhiệm mỗi cá nhân, cơ quan, đơn vị, tổ chức thực hiện phòng, chống Covid-19 theo phương châm “5K+ vắc xin” và kết hợp giải pháp công nghệ để chủ động chống dịch, sản xuất kinh doanh an toàn, đảm bảo thực hiện thắng lợi mục tiêu kép."},
	{"Sự cần thiết phải tiêm vắc xin và thứ tự ưu tiên",
		"Tiếp tục thông tin, tuyên truyền về sự cần thiết phải tiêm vắc xin, tổ chức thực hiện tiêm vắc xin theo thứ tự ưu tiên một cách hợp lý, hiệu quả, trước hết ưu tiên cho các lực lượng tuyến đầu và các địa bàn trọng điểm về dịch Covid-19 để người dân hiểu, tự giác và tích cực tham gia."},
	{"Vận động đóng góp Quỹ vắc xin phòng, chống Covid-19",
		"Tiếp tục thông tin, tuyên truyền, kêu gọi, vận động cơ quan, đơn vị, tổ chức, doanh nghiệp và cá nhân trong và ngoài nước đóng góp cho Quỹ vắc xin phòng, chống Covid-19 Việt Nam."},
}

// loadBroadcast gives every commune radio two loudspeaker clusters and, when
// the server can make speech, schedules the seed's three items as priority
// bulletins at 06:00 and 17:00 for the next two weeks on every commune of
// the province. Devices show as "never seen" until an agent or the
// simulator runs with their unit's enrolment key.
func (l *Loader) loadBroadcast(ctx context.Context) error {
	if l.Broadcast == nil {
		return nil
	}
	sys := model.System("demo")
	units, err := l.Store.Orgs().Units(ctx)
	if err != nil {
		return err
	}
	for _, u := range units {
		if u.Kind != "commune_radio" {
			continue
		}
		key, _, err := l.Broadcast.CreateEnrolmentKey(ctx, sys, u.ID, "demo clusters", nil, 2)
		if err != nil {
			return fmt.Errorf("demo enrolment key for %s: %w", u.Code, err)
		}
		for i := 1; i <= 2; i++ {
			name := fmt.Sprintf("Cụm loa số %d", i)
			if _, err := l.Broadcast.Enrol(ctx, protocol.EnrolRequest{Key: key, Name: name, Kind: "loudspeaker", HardwareID: fmt.Sprintf("demo-%s-%d", u.Code, i)}, "demo"); err != nil {
				return fmt.Errorf("demo device %s/%d: %w", u.Code, i, err)
			}
		}
	}
	// The provincial source system speaks for the province: its orders
	// target every commune below the provincial People's Committee.
	root, err := l.Store.Orgs().UnitByCode(ctx, "ubnd-kg")
	if err != nil {
		return err
	}
	today := clock.Or(l.Clock).Now().In(i18n.Zone())
	for i, it := range seedItems {
		m, err := l.Broadcast.SpeakText(ctx, sys, broadcast.TTSInput{UnitID: root.ID, Title: it.title, Text: it.text})
		if err != nil {
			// No ffmpeg/espeak-ng: the demo has devices but no bulletins.
			return fmt.Errorf("demo bulletin %d (install ffmpeg and espeak-ng for speech): %w", i+1, err)
		}
		_, err = l.Broadcast.CreateOrder(ctx, sys, broadcast.OrderInput{UnitID: root.ID, Title: it.title, MediaID: m.ID, Level: "priority",
			StartDate: today.Format("2006-01-02"), EndDate: today.AddDate(0, 0, 14).Format("2006-01-02"),
			Slots:     []schedule.Slot{schedule.FixedSlot(schedule.ClockOf(6, 0, 0)), schedule.FixedSlot(schedule.ClockOf(17, 0, 0))},
			UnitOrder: i + 1, Targets: []model.OrderTarget{{Kind: model.TargetSubtree, ID: root.ID}},
			Source: "document", SourceRef: fmt.Sprintf("570/STTTT-TTBCBC#%d", i+1)})
		if err != nil {
			return fmt.Errorf("demo order %d: %w", i+1, err)
		}
	}
	return nil
}
