package broadcast

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/broadcast/protocol"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/storage"
)

// Live broadcasts. An operator speaks from a browser (MediaRecorder,
// WebM with Opus, a chunk about every 250 ms); each chunk is stored in the
// database, so that every replica relays the stream to the devices it
// holds. The session is a broadcast order at the "live" level (above the
// schedule, below emergencies) announced like an emergency (a notice to
// every replica, a push to the connected devices, an item in the
// schedules of the others); devices fetch the stream from PathLive. When
// the operator stops, the recording is normalised and kept as the order's
// media item (evidence), and the devices' plays appear in the play log.

// Limits of live broadcasts.
const (
	// MaxLive is how long a live session may stay on air: the order
	// expires then even if the operator never pressed stop.
	MaxLive = 2 * time.Hour
	// MaxLiveChunk bounds one uploaded chunk.
	MaxLiveChunk = 512 << 10
	// MaxLiveBytes bounds a whole session (about 4 hours at 32 kbit/s).
	MaxLiveBytes = 64 << 20
	// LiveIdle: a device's stream ends when nothing arrived for this long.
	LiveIdle = 30 * time.Second
	// livePoll is how often a replica relaying a session looks for new
	// chunks (uploads on this replica wake it at once).
	livePoll = 100 * time.Millisecond
	// liveChunkKeep: chunks of an ended session are deleted after this
	// (replicas still sending its end to their devices read them).
	liveChunkKeep = 10 * time.Minute
	// SourceLive marks media items recorded from a live broadcast.
	SourceLive = "live"
)

// LiveDesk: live broadcasts from a browser.
type LiveDesk struct{ *Service }

// Live returns the sub-service for live broadcasts.
func (s *Service) Live() LiveDesk { return LiveDesk{s} }

// LiveInput starts a live broadcast.
type LiveInput struct {
	UnitID  int64               `json:"unit_id"`
	Title   string              `json:"title"`
	Targets []model.OrderTarget `json:"targets"`
	// MIME is the recorder's type: audio/webm (codecs=opus).
	MIME string `json:"mime"`
}

// LiveView is a live session with what it reached.
type LiveView struct {
	*model.LiveSession
	OnAir   bool   `json:"on_air"`
	Devices int    `json:"devices"`
	Level   string `json:"level"`
}

// ErrLiveEnded: the live session is over; its recording is in the library.
var ErrLiveEnded = fmt.Errorf("the live broadcast has ended: %w", model.ErrConflict)

// liveOnAir reports whether o is a live session still on air (its media
// receives the recording when it ends).
func liveOnAir(o *model.BroadcastOrder) bool {
	return o.Level == schedule.LevelLive.String() && o.MediaSHA256 == ""
}

// liveLength is how long an on-air live order occupies a schedule: until
// it expires.
func liveLength(o *model.BroadcastOrder) time.Duration {
	if o.ExpiresAt == nil || o.IssuedAt == nil || !o.ExpiresAt.After(*o.IssuedAt) {
		return MaxLive
	}
	return o.ExpiresAt.Sub(*o.IssuedAt)
}

func checkLiveMIME(m string) (string, error) {
	m = strings.ToLower(strings.TrimSpace(m))
	if m == "" {
		m = "audio/webm"
	}
	base, params, _ := strings.Cut(m, ";")
	params = strings.ReplaceAll(params, " ", "")
	if strings.TrimSpace(base) != "audio/webm" || (params != "" && params != "codecs=opus" && params != "codecs=\"opus\"") {
		return "", invalid("mime", "bcsvc.live_mime", "%q: a live broadcast is sent as audio/webm with Opus (the browser's MediaRecorder)", clipStr(m, 60))
	}
	return "audio/webm;codecs=opus", nil
}

func clipStr(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// StartLive puts a live broadcast on air to the targets: it records the
// session, its order at the live level and its plays on every targeted
// device, and tells every replica. The operator then sends the stream
// with AppendLive and ends it with StopLive.
func (s LiveDesk) StartLive(ctx context.Context, a model.Actor, in LiveInput) (*LiveView, error) {
	unit, err := s.unitFor(ctx, a, authz.BroadcastWrite, in.UnitID)
	if err != nil {
		return nil, err
	}
	title, err := checkTitle(in.Title)
	if err != nil {
		return nil, err
	}
	mime, err := checkLiveMIME(in.MIME)
	if err != nil {
		return nil, err
	}
	ob := s.OrderBook()
	targets, err := ob.checkTargets(ctx, a, unit, in.Targets)
	if err != nil {
		return nil, err
	}
	issued := s.clock().Truncate(time.Second)
	expires := issued.Add(MaxLive)
	m := &model.Media{UnitID: unit.ID, Title: title, Source: SourceLive, CreatedBy: a.Username, OriginalFormat: "webm", OriginalCodec: "opus"}
	o := &model.BroadcastOrder{UnitID: unit.ID, Title: title, Level: schedule.LevelLive.String(), Interrupts: true,
		StartDate: schedule.DateOf(issued.In(s.loc)), EndDate: schedule.DateOf(issued.In(s.loc)), ExpiresAt: &expires, Slots: schedule.Slots{},
		IssuedAt: &issued, Repeats: 1, Source: SourceLive, CreatedBy: a.Username, Targets: targets, MadeAt: issued}
	l := &model.LiveSession{UnitID: unit.ID, Title: title, MIME: mime, CreatedBy: a.Username, StartedAt: issued}
	var devices []int64
	err = s.store.TxRetry(ctx, func(tx *storage.Tx) error {
		if err := tx.Broadcast().InsertMedia(ctx, m); err != nil {
			return err
		}
		o.MediaID = m.ID
		if devices, err = ob.issueTx(ctx, tx, a, o, MaxLive); err != nil {
			return err
		}
		l.OrderID, l.MediaID = o.ID, m.ID
		if err := tx.Broadcast().InsertLive(ctx, l); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "broadcast.live_start", "broadcast_order", fmt.Sprint(o.ID),
			fmt.Sprintf("live=%d devices=%d title=%q", l.ID, len(devices), title))
	})
	if err != nil {
		return nil, err
	}
	if err := s.store.Broadcast().PurgeLiveChunks(ctx, s.clock().Add(-liveChunkKeep)); err != nil {
		s.log.Warn("delete chunks of ended live broadcasts", "err", err)
	}
	ob.publish(ctx, Notice{Kind: protocol.EventLive, OrderID: o.ID})
	s.log.Info("live broadcast on air", "live", l.ID, "order", o.ID, "devices", len(devices), "by", a.Username)
	return &LiveView{LiveSession: l, OnAir: true, Devices: len(devices), Level: o.Level}, nil
}

// liveFor loads a session and checks an action on its unit.
func (s LiveDesk) liveFor(ctx context.Context, a model.Actor, action authz.Action, id int64) (*model.LiveSession, error) {
	l, err := s.store.Broadcast().LiveSession(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.unitFor(ctx, a, action, l.UnitID); err != nil {
		return nil, err
	}
	return l, nil
}

// LiveSession returns a session.
func (s LiveDesk) LiveSession(ctx context.Context, a model.Actor, id int64) (*LiveView, error) {
	l, err := s.liveFor(ctx, a, authz.BroadcastRead, id)
	if err != nil {
		return nil, err
	}
	return s.liveView(ctx, l)
}

func (s LiveDesk) liveView(ctx context.Context, l *model.LiveSession) (*LiveView, error) {
	devs, err := s.store.Broadcast().OrderDeviceIDs(ctx, l.OrderID)
	if err != nil {
		return nil, err
	}
	return &LiveView{LiveSession: l, OnAir: l.EndedAt == nil, Devices: len(devs), Level: schedule.LevelLive.String()}, nil
}

// LiveSessions lists a unit's latest live sessions.
func (s LiveDesk) LiveSessions(ctx context.Context, a model.Actor, unitID int64) ([]*LiveView, error) {
	if _, err := s.unitFor(ctx, a, authz.BroadcastRead, unitID); err != nil {
		return nil, err
	}
	list, err := s.store.Broadcast().LiveSessions(ctx, unitID, 50)
	if err != nil {
		return nil, err
	}
	out := make([]*LiveView, 0, len(list))
	for _, l := range list {
		v, err := s.liveView(ctx, l)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// AppendLive stores chunk seq (0, 1, 2 … in recording order) of a
// session on air. A chunk sent again is accepted once (the answer says
// it was a duplicate); a chunk ahead of the next expected one is refused
// with the number to send.
func (s LiveDesk) AppendLive(ctx context.Context, a model.Actor, id int64, seq int, data []byte) (dup bool, err error) {
	l, err := s.liveFor(ctx, a, authz.BroadcastWrite, id)
	if err != nil {
		return false, err
	}
	switch {
	case l.EndedAt != nil:
		return false, i18n.Localise(ErrLiveEnded, "bcsvc.live_ended")
	case len(data) == 0:
		return false, invalid("chunk", "bcsvc.live_chunk_empty", "the chunk is empty: send the bytes of the recorder's data event")
	case len(data) > MaxLiveChunk:
		return false, invalid("chunk", "bcsvc.live_chunk_large", "a chunk is limited to %d bytes: record with a timeslice of about 250 ms", MaxLiveChunk)
	case seq < 0:
		return false, invalid("seq", "bcsvc.live_seq", "seq %d: chunks are numbered from 0; send chunk %d next", seq, l.Chunks)
	case seq < l.Chunks:
		return true, nil
	case seq > l.Chunks:
		return false, invalid("seq", "bcsvc.live_seq", "seq %d: chunks are numbered from 0; send chunk %d next", seq, l.Chunks)
	case seq == 0 && !bytes.HasPrefix(data, []byte{0x1A, 0x45, 0xDF, 0xA3}):
		s.log.Warn("live broadcast: first chunk is not WebM", "live", id, "bytes", len(data), "head", fmt.Sprintf("%x", data[:min(16, len(data))]))
		return false, invalid("chunk", "bcsvc.live_not_webm", "the first chunk does not start a WebM stream: record with MediaRecorder as audio/webm;codecs=opus")
	case l.Bytes+int64(len(data)) > MaxLiveBytes:
		return false, invalid("chunk", "bcsvc.live_too_long", "the live broadcast reached its limit of %d MiB: stop it and start a new one", MaxLiveBytes>>20)
	}
	inserted := false
	err = s.store.TxRetry(ctx, func(tx *storage.Tx) error {
		var err error
		inserted, err = tx.Broadcast().AppendLiveChunk(ctx, id, seq, data, s.clock())
		return err
	})
	if err != nil {
		return false, err
	}
	s.live.kick(id)
	return !inserted, nil
}

// StopLive ends a session: the devices hear the rest of the stream and
// stop; the recording is normalised and stored as the session's media
// item (when it holds usable sound; else the session says why not).
// Stopping an ended session returns it unchanged.
func (s LiveDesk) StopLive(ctx context.Context, a model.Actor, id int64) (*LiveView, error) {
	l, err := s.liveFor(ctx, a, authz.BroadcastWrite, id)
	if err != nil {
		return nil, err
	}
	if l.EndedAt != nil {
		return s.liveView(ctx, l)
	}
	// The devices stop first (they hear the rest of the stream and end);
	// the recording is normalised after, which takes a while.
	ended := s.clock()
	var devices []int64
	err = s.store.TxRetry(ctx, func(tx *storage.Tx) error {
		if err := tx.Broadcast().EndLive(ctx, l, ended, ""); err != nil {
			return err
		}
		var err error
		if devices, err = tx.Broadcast().OrderDeviceIDs(ctx, l.OrderID); err != nil {
			return err
		}
		return tx.Devices().BumpScheduleVersion(ctx, devices)
	})
	if err != nil {
		return nil, err
	}
	s.live.kick(id)
	s.OrderBook().publish(ctx, Notice{Kind: protocol.EventSchedule, OrderID: l.OrderID})
	var rec bytes.Buffer
	for after := -1; ; {
		chunks, err := s.store.Broadcast().LiveChunks(ctx, id, after, 256)
		if err != nil {
			return nil, err
		}
		for _, c := range chunks {
			rec.Write(c.Data)
			after = c.Seq
		}
		if len(chunks) < 256 {
			break
		}
	}
	m, err := s.store.Broadcast().MediaItem(ctx, l.MediaID)
	if err != nil {
		return nil, err
	}
	recErr, err := s.keepRecording(ctx, m, rec.Bytes())
	if err != nil {
		recErr = "the recording could not be stored: " + err.Error()
		s.log.Error("keep the recording of a live broadcast", "live", l.ID, "err", err)
	}
	err = s.store.TxRetry(ctx, func(tx *storage.Tx) error {
		if recErr != "" {
			if err := tx.Broadcast().SetLiveError(ctx, l.ID, recErr); err != nil {
				return err
			}
		}
		return tx.Audit().AppendAudit(ctx, a, "broadcast.live_stop", "broadcast_order", fmt.Sprint(l.OrderID),
			fmt.Sprintf("live=%d media=%d bytes=%d chunks=%d duration_ms=%d recording_error=%q", l.ID, m.ID, l.Bytes, l.Chunks, m.DurationMS, recErr))
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("live broadcast ended", "live", l.ID, "order", l.OrderID, "bytes", l.Bytes, "recording_error", recErr)
	stored, err := s.store.Broadcast().LiveSession(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.liveView(ctx, stored)
}

// keepRecording normalises a session's recording and stores it as its
// media item m. A recording without usable sound is not kept: the reason
// is returned as recErr (err is a failure to store).
func (s LiveDesk) keepRecording(ctx context.Context, m *model.Media, rec []byte) (recErr string, err error) {
	if len(rec) == 0 {
		return "nothing was recorded", nil
	}
	if s.cfg.Media == nil {
		return errNoMedia.Error(), nil
	}
	in, err := s.cfg.Media.Ingest(ctx, bytes.NewReader(rec), s.cfg.MaxUpload)
	if err != nil {
		return s.Library().mediaError(err).Error(), nil
	}
	defer in.Remove()
	lib := s.Library()
	orig, err := lib.putFile(ctx, in.OriginalPath, in.OriginalSize, in.Original.ContentType())
	if err != nil {
		return "", err
	}
	norm, err := lib.putFile(ctx, in.NormalizedPath, in.NormalizedSize, "audio/mpeg")
	if err != nil {
		return "", err
	}
	m.SHA256, m.Size = norm.SHA256, norm.Size
	m.DurationMS = in.Normalized.Info.Duration.Milliseconds()
	m.LoudnessLUFS = in.Normalized.OutputLoudness.IntegratedLUFS
	m.OriginalSHA256, m.OriginalSize = orig.SHA256, orig.Size
	m.OriginalFormat, m.OriginalCodec = in.Original.Format, in.Original.Codec
	return "", s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Documents().RecordBlob(ctx, orig.SHA256, orig.Size, in.Original.ContentType()); err != nil {
			return err
		}
		if err := tx.Documents().RecordBlob(ctx, norm.SHA256, norm.Size, "audio/mpeg"); err != nil {
			return err
		}
		return tx.Broadcast().SetLiveRecording(ctx, m)
	})
}

// StreamLive sends a live session to a targeted device: the stream's
// header and then the stream from its latest cluster ("now"), following
// it until the operator stops (nil), nothing arrives for LiveIdle, or ctx
// ends. flush is called after each write.
func (s LiveDesk) StreamLive(ctx context.Context, da *DeviceAuth, orderID int64, w io.Writer, flush func()) error {
	o, err := s.store.Broadcast().Order(ctx, orderID)
	if err != nil {
		return err
	}
	if o.Level != schedule.LevelLive.String() || o.IssuedAt == nil {
		return fmt.Errorf("order %d is not a live broadcast: %w", orderID, model.ErrNotFound)
	}
	known, err := s.store.Broadcast().KnownItems(ctx, da.Device.ID, []string{ItemID(o.ID, *o.IssuedAt)})
	if err != nil {
		return err
	}
	if len(known) == 0 {
		return fmt.Errorf("live broadcast %d does not play on device %d: %w", orderID, da.Device.ID, model.ErrNotFound)
	}
	l, err := s.store.Broadcast().LiveByOrder(ctx, orderID)
	if err != nil {
		return err
	}
	if l.EndedAt != nil {
		return ErrLiveEnded
	}
	t, err := s.live.acquire(s.Service, l.ID)
	if err != nil {
		return err
	}
	defer s.live.release(t)
	return t.follow(ctx, w, flush)
}

// liveRelay holds, on one replica, the sessions its devices listen to.
type liveRelay struct {
	ctx   context.Context
	mu    sync.Mutex
	tails map[int64]*liveTail
	wg    sync.WaitGroup
}

func newLiveRelay(ctx context.Context) *liveRelay {
	return &liveRelay{ctx: ctx, tails: map[int64]*liveTail{}}
}

// liveTail is a session's stream as read from the database so far.
type liveTail struct {
	id    int64
	kickC chan struct{}

	mu    sync.Mutex
	data  []byte
	scan  webmScanner
	seq   int // last chunk appended (-1: none)
	ended bool
	users int
	grown chan struct{} // closed (and replaced) when data grows or the session ends
}

func (r *liveRelay) acquire(s *Service, id int64) (*liveTail, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.ctx.Err(); err != nil {
		return nil, fmt.Errorf("relay live broadcast %d: the server is stopping: %w", id, err)
	}
	t := r.tails[id]
	if t == nil {
		t = &liveTail{id: id, seq: -1, kickC: make(chan struct{}, 1), grown: make(chan struct{})}
		r.tails[id] = t
		r.wg.Add(1)
		go func() { defer r.wg.Done(); r.feed(s, t) }()
	}
	t.mu.Lock()
	t.users++
	t.mu.Unlock()
	return t, nil
}

func (r *liveRelay) release(t *liveTail) {
	t.mu.Lock()
	t.users--
	t.mu.Unlock()
	t.kick()
}

// kick makes the replica's relay of session id read the database now.
func (r *liveRelay) kick(id int64) {
	r.mu.Lock()
	t := r.tails[id]
	r.mu.Unlock()
	if t != nil {
		t.kick()
	}
}

func (t *liveTail) kick() {
	select {
	case t.kickC <- struct{}{}:
	default:
	}
}

// wait waits for the relays to stop (after the service's context ended).
func (r *liveRelay) wait() { r.wg.Wait() }

// feed reads the session's chunks from the database into t until the
// session ends or nobody listens.
func (r *liveRelay) feed(s *Service, t *liveTail) {
	defer func() {
		r.mu.Lock()
		delete(r.tails, t.id)
		r.mu.Unlock()
		t.mu.Lock()
		t.ended = true
		close(t.grown)
		t.grown = make(chan struct{})
		t.mu.Unlock()
	}()
	ctx := r.ctx
	lastCheck := time.Time{}
	for ctx.Err() == nil {
		t.mu.Lock()
		users, after := t.users, t.seq
		t.mu.Unlock()
		if users == 0 {
			r.mu.Lock()
			t.mu.Lock()
			idle := t.users == 0
			if idle {
				delete(r.tails, t.id)
			}
			t.mu.Unlock()
			r.mu.Unlock()
			if idle {
				return
			}
		}
		// Whether it ended is read before the chunks: the chunks read
		// after seeing the end are all there are.
		ended := false
		if time.Since(lastCheck) >= time.Second || len(t.kickC) > 0 {
			l, err := s.store.Broadcast().LiveSession(ctx, t.id)
			if err != nil {
				if ctx.Err() == nil {
					s.log.Warn("relay live broadcast", "live", t.id, "err", err)
				}
			} else {
				ended = l.EndedAt != nil
			}
			lastCheck = time.Now()
		}
		chunks, err := s.store.Broadcast().LiveChunks(ctx, t.id, after, 64)
		if err != nil && ctx.Err() == nil {
			s.log.Warn("relay live broadcast", "live", t.id, "err", err)
		}
		if len(chunks) > 0 {
			t.mu.Lock()
			for _, c := range chunks {
				if c.Seq != t.seq+1 {
					break
				}
				t.data = append(t.data, c.Data...)
				t.seq = c.Seq
			}
			t.scan.scan(t.data)
			close(t.grown)
			t.grown = make(chan struct{})
			t.mu.Unlock()
			if len(chunks) == 64 {
				continue
			}
		}
		if ended && len(chunks) < 64 {
			return
		}
		select {
		case <-ctx.Done():
		case <-t.kickC:
			lastCheck = time.Time{}
		case <-time.After(livePoll):
		}
	}
}

// follow writes the stream to w from "now" until it ends.
func (t *liveTail) follow(ctx context.Context, w io.Writer, flush func()) error {
	pos := -1
	idle := time.NewTimer(LiveIdle)
	defer idle.Stop()
	for {
		t.mu.Lock()
		var parts [][]byte
		if pos < 0 {
			if he, from, ok := t.scan.joinAt(); ok {
				parts = [][]byte{t.data[:he], t.data[from:]}
				pos = len(t.data)
			} else if t.scan.broken || (t.ended && len(t.data) > 0) {
				parts = [][]byte{t.data}
				pos = len(t.data)
			}
		} else if len(t.data) > pos {
			parts = [][]byte{t.data[pos:]}
			pos = len(t.data)
		}
		ended, grown := t.ended, t.grown
		t.mu.Unlock()
		wrote := false
		for _, p := range parts {
			if len(p) == 0 {
				continue
			}
			if _, err := w.Write(p); err != nil {
				return fmt.Errorf("send live broadcast %d: %w", t.id, err)
			}
			wrote = true
		}
		if wrote {
			flush()
			if !idle.Stop() {
				select {
				case <-idle.C:
				default:
				}
			}
			idle.Reset(LiveIdle)
		}
		if ended {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-grown:
		case <-idle.C:
			return fmt.Errorf("live broadcast %d: nothing arrived for %s", t.id, LiveIdle)
		}
	}
}

// LiveURL is the device path of the stream of a live order.
func LiveURL(deviceID, orderID int64) string {
	return fmt.Sprintf(protocol.PathLive, deviceID, orderID)
}

// ParseLiveSeq reads the seq query parameter of a chunk upload.
func ParseLiveSeq(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 1<<24 {
		return 0, invalid("seq", "bcsvc.live_seq_missing", "seq %q: give the chunk's number (0, 1, 2 …) as ?seq=N", clipStr(v, 20))
	}
	return n, nil
}
