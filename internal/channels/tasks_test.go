package channels_test

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loa-project/loa/internal/channels"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
	"github.com/loa-project/loa/internal/storage"
)

// order stores a broadcast order of the district (with its media item).
func (e *env) order() *model.BroadcastOrder {
	e.t.Helper()
	o := &model.BroadcastOrder{UnitID: e.district.ID, Title: "Thông điệp 5K + vắc xin", Level: "normal", StartDate: schedule.NewDate(2021, 6, 4), EndDate: schedule.NewDate(2021, 6, 10),
		Source: "directive", SourceRef: "570/STTTT-TTBCBC#1", CreatedBy: "admin"}
	err := e.store.Tx(e.ctx, func(tx *storage.Tx) error {
		m := &model.Media{UnitID: e.district.ID, Title: "5K", Source: "tts", SHA256: strings.Repeat("a", 64), Size: 1000, DurationMS: 30000,
			OriginalSHA256: strings.Repeat("b", 64), OriginalSize: 1000}
		if err := tx.Broadcast().InsertMedia(e.ctx, m); err != nil {
			return err
		}
		o.MediaID = m.ID
		return tx.Broadcast().InsertOrder(e.ctx, o)
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return o
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 6))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// storedBlobs counts the files in the blob store.
func (e *env) storedBlobs() int {
	e.t.Helper()
	n := 0
	err := filepath.WalkDir(e.blobDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "tmp" {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			n++
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// taskOf finds the task of a unit and kind.
func taskOf(t *testing.T, tasks []*model.ChannelTask, unitID int64, kind string) *model.ChannelTask {
	t.Helper()
	for _, x := range tasks {
		if x.UnitID == unitID && x.Kind == kind {
			return x
		}
	}
	t.Fatalf("no %s task for unit %d", kind, unitID)
	return nil
}

func TestManualTasksWithEvidence(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		svc := e.start(nil)
		adminD := actor(9, "admin.rachgia", e.district, model.RoleAdmin)
		o := e.order()
		in := channels.TaskInput{UnitID: e.district.ID, OrderID: o.ID, Kinds: []string{channels.KindPress, channels.KindBulletinBoard},
			UnitIDs: []int64{e.communeA.ID, e.communeB.ID}, Title: "Đăng thông điệp 5K + vắc xin", Instructions: "Đăng trên bảng tin và báo địa phương.\nGửi ảnh chụp.", DueDate: "04/06/2021"}
		batch, err := svc.TaskOps().CreateTasks(e.ctx, adminD, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(batch.Created) != 4 || batch.Existing != 0 {
			t.Fatalf("created %d, existing %d", len(batch.Created), batch.Existing)
		}
		if again, err := svc.TaskOps().CreateTasks(e.ctx, adminD, in); err != nil || len(again.Created) != 0 || again.Existing != 4 {
			t.Fatalf("creating the same tasks again: %+v, %v", again, err)
		}
		if _, err := svc.TaskOps().CreateTasks(e.ctx, e.bcA, in); !errors.Is(err, model.ErrForbidden) {
			t.Fatalf("a commune broadcaster issued tasks for the district: %v", err)
		}
		tasks := batch.Created
		pressA, boardA := taskOf(t, tasks, e.communeA.ID, channels.KindPress), taskOf(t, tasks, e.communeA.ID, channels.KindBulletinBoard)
		pressB, boardB := taskOf(t, tasks, e.communeB.ID, channels.KindPress), taskOf(t, tasks, e.communeB.ID, channels.KindBulletinBoard)
		if !pressA.DueAt.Equal(time.Date(2021, 6, 5, 0, 0, 0, 0, vn)) {
			t.Fatalf("due at %v, want the end of 4 June in Vietnam", pressA.DueAt)
		}

		// Commune A confirms its press task with a link and a photo.
		photo := pngBytes(t)
		done, err := svc.TaskOps().ConfirmTask(e.ctx, e.bcA, pressA.ID, channels.ConfirmInput{Note: "Đã đăng trên báo Kiên Giang",
			Links: []string{"https://baokiengiang.vn/xa-hoi/5k-vac-xin-123.html"}, Files: []channels.EvidenceFile{{Name: "bang-tin.png", Body: bytes.NewReader(photo)}}})
		if err != nil {
			t.Fatal(err)
		}
		if done.Status != model.TaskDone || done.ClosedBy != "phatthanh.a" || len(done.Evidence) != 2 || done.Evidence[1].Kind != "photo" || done.Evidence[1].MIME != "image/png" {
			t.Fatalf("confirmed task %+v evidence %+v", done, done.Evidence)
		}
		r, ev, err := svc.TaskOps().OpenEvidence(e.ctx, e.viewerA, done.Evidence[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(r)
		r.Close()
		if !bytes.Equal(got, photo) || ev.Filename != "bang-tin.png" {
			t.Fatal("the stored photo differs from the upload")
		}
		if _, _, err := svc.TaskOps().OpenEvidence(e.ctx, e.bcB, done.Evidence[1].ID); !errors.Is(err, model.ErrForbidden) {
			t.Fatalf("commune B opened commune A's evidence: %v", err)
		}
		if _, err := svc.TaskOps().ConfirmTask(e.ctx, e.bcA, pressA.ID, channels.ConfirmInput{Links: []string{"https://baokiengiang.vn/a"}}); !errors.Is(err, model.ErrConflict) {
			t.Fatalf("confirming twice: %v", err)
		}

		// A commune broadcaster cannot confirm another commune's task.
		blobs := e.storedBlobs()
		_, err = svc.TaskOps().ConfirmTask(e.ctx, e.bcA, pressB.ID, channels.ConfirmInput{Links: []string{"https://baokiengiang.vn/b"}, Files: []channels.EvidenceFile{{Name: "a.png", Body: bytes.NewReader(photo)}}})
		if !errors.Is(err, model.ErrForbidden) {
			t.Fatalf("commune A confirmed commune B's task: %v", err)
		}
		// A text file renamed .jpg, a PNG named .jpg and bad links are refused.
		for _, bad := range []channels.ConfirmInput{
			{Files: []channels.EvidenceFile{{Name: "anh-chup.jpg", Body: strings.NewReader("Đây là một tệp văn bản, không phải ảnh.")}}},
			{Files: []channels.EvidenceFile{{Name: "anh-chup.jpg", Body: bytes.NewReader(photo)}}},
			{Links: []string{"https://baokiengiang.vn/ok"}, Files: []channels.EvidenceFile{{Name: "big.png", Body: bytes.NewReader(append(photo, make([]byte, 2<<20)...))}}},
			{Links: []string{"javascript:alert(1)"}},
			{Links: []string{"http://192.168.1.5/bao-cao"}},
			{Note: "không có bằng chứng"},
		} {
			_, err := svc.TaskOps().ConfirmTask(e.ctx, e.bcA, boardA.ID, bad)
			if !isValidation(err) {
				t.Errorf("bad evidence accepted or wrong error: %v", err)
			}
		}
		if n := e.storedBlobs(); n != blobs {
			t.Fatalf("refused confirmations stored %d files", n-blobs)
		}

		// Two days later commune B confirms late and declines the other task.
		e.clock.Advance(48 * time.Hour)
		pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
		late, err := svc.TaskOps().ConfirmTask(e.ctx, e.bcB, pressB.ID, channels.ConfirmInput{Files: []channels.EvidenceFile{{Name: "bao-cao.pdf", Body: bytes.NewReader(pdf)}}})
		if err != nil || late.Status != model.TaskLate || late.Evidence[0].Kind != "file" {
			t.Fatalf("late confirmation: %+v, %v", late, err)
		}
		if _, err := svc.TaskOps().DeclineTask(e.ctx, e.bcB, boardB.ID, " "); !isValidation(err) {
			t.Fatalf("declined without a reason: %v", err)
		}
		dec, err := svc.TaskOps().DeclineTask(e.ctx, e.bcB, boardB.ID, "Bảng tin đang sửa chữa sau bão")
		if err != nil || dec.Status != model.TaskDeclined || dec.Reason == "" {
			t.Fatalf("decline: %+v, %v", dec, err)
		}

		// The order's report: done 1, late 1, declined 1, open (overdue) 1.
		rep, err := svc.CampaignOps().Report(e.ctx, adminD, o.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		want := channels.TaskTotals{Total: 4, Open: 1, Overdue: 1, Done: 1, Late: 1, Declined: 1}
		if rep.Tasks != want {
			t.Fatalf("report %+v, want %+v", rep.Tasks, want)
		}
		if rep.ByKind[channels.KindPress] != (channels.TaskTotals{Total: 2, Done: 1, Late: 1}) || len(rep.ByUnit) != 2 {
			t.Fatalf("by kind %+v, by unit %d", rep.ByKind, len(rep.ByUnit))
		}
		// Commune A's viewer sees its own two tasks only.
		repA, err := svc.CampaignOps().Report(e.ctx, e.viewerA, o.ID, 0)
		if err != nil || repA.Tasks != (channels.TaskTotals{Total: 2, Open: 1, Overdue: 1, Done: 1}) {
			t.Fatalf("commune A's report %+v, %v", repA.Tasks, err)
		}
		listA, err := svc.TaskOps().Tasks(e.ctx, e.bcA, channels.TaskQuery{UnitID: e.communeA.ID})
		if err != nil || len(listA) != 2 {
			t.Fatalf("commune A's tasks: %d, %v", len(listA), err)
		}
		if _, err := svc.TaskOps().Task(e.ctx, e.bcA, pressB.ID); !errors.Is(err, model.ErrForbidden) {
			t.Fatalf("commune A read commune B's task: %v", err)
		}
		for action, n := range map[string]int{"channels.task.create": 4, "channels.task.done": 1, "channels.task.late": 1, "channels.task.declined": 1} {
			if got := len(e.audit(action)); got != n {
				t.Errorf("audit %s: %d entries, want %d", action, got, n)
			}
		}
	})
}

func TestTaskInputRefused(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		svc := e.start(nil)
		base := channels.TaskInput{UnitID: e.communeA.ID, DirectiveID: 570, ItemNo: 1, Kinds: []string{channels.KindPropagandist}, UnitIDs: []int64{e.communeA.ID},
			Title: "Tuyên truyền viên đến từng hộ", DueDate: "2021-06-07"}
		if b, err := svc.TaskOps().CreateTasks(e.ctx, e.bcA, base); err != nil || len(b.Created) != 1 {
			t.Fatalf("valid tasks: %+v, %v", b, err)
		}
		bad := []func(*channels.TaskInput){
			func(in *channels.TaskInput) { in.DueDate = "2021-06-03" },
			func(in *channels.TaskInput) { in.DueDate = "31/02/2021" },
			func(in *channels.TaskInput) { in.Kinds = []string{"sms"} },
			func(in *channels.TaskInput) { in.Kinds = nil },
			func(in *channels.TaskInput) { in.Title = "" },
			func(in *channels.TaskInput) { in.DirectiveID = 0 },
			func(in *channels.TaskInput) { in.DirectiveID, in.OrderID = 0, 424242 },
			func(in *channels.TaskInput) { in.UnitIDs = []int64{e.communeB.ID} },
			func(in *channels.TaskInput) { in.UnitIDs = nil },
		}
		for i, adjust := range bad {
			in := base
			in.ItemNo = i + 2
			adjust(&in)
			if _, err := svc.TaskOps().CreateTasks(e.ctx, e.bcA, in); !isValidation(err) {
				t.Errorf("bad task input %d: %v", i, err)
			}
		}
		if n := len(e.audit("channels.task.create")); n != 1 {
			t.Fatalf("%d tasks created in all", n)
		}
	})
}
