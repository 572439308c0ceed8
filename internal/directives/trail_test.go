package directives_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/model"
)

// TestHandlingTrail: the clerk passes 355 to the leader with a note, the
// leader passes it to the specialist with an instruction (bút phê) and a
// deadline. Both instructions stay in the trail with names, the
// specialist is the current assignee, every step is one row written with
// the step, and the rows cannot be changed or deleted.
func TestHandlingTrail(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		issue355(e)
		if n := e.deliver(); n != 1 {
			t.Fatalf("355 delivered %d times, want 1", n)
		}
		del := e.inboxOf("vanthu.so", "")[0].ID
		leader, specialist := e.user("lamvanson"), e.user("chuyenvien.so")
		path := fmt.Sprintf("/api/v1/deliveries/%d", del)

		e.must(200, "POST", path+"/acknowledge", "vanthu.so", nil, nil)
		e.must(200, "POST", path+"/assign", "vanthu.so", directives.AssignInput{UserID: leader.ID, Note: "Kính trình Phó Giám đốc cho ý kiến"}, nil)
		e.must(200, "POST", path+"/assign", "lamvanson", directives.AssignInput{UserID: specialist.ID,
			Note: "Giao Phòng TTBCBC tham mưu văn bản triển khai", Deadline: "20/06/2021"}, nil)

		var tr model.Trail
		e.must(200, "GET", path+"/trail", "vanthu.so", nil, &tr)
		var actions []string
		for _, s := range tr.Entries {
			actions = append(actions, s.Action)
		}
		want := []string{"received", "registered", "acknowledged", "assigned", "assigned"}
		if fmt.Sprint(actions) != fmt.Sprint(want) {
			t.Fatalf("trail actions %v, want %v", actions, want)
		}
		first, second := tr.Entries[3], tr.Entries[4]
		if first.Instruction != "Kính trình Phó Giám đốc cho ý kiến" || first.ToName != leader.FullName || first.ActorName != e.user("vanthu.so").FullName {
			t.Errorf("clerk's step: %+v", first)
		}
		if second.Instruction != "Giao Phòng TTBCBC tham mưu văn bản triển khai" || second.ToName != specialist.FullName ||
			second.ActorName != leader.FullName || second.Deadline != "2021-06-20" {
			t.Errorf("leader's step: %+v", second)
		}
		if tr.Holder != specialist.FullName || tr.HolderDeadline != "2021-06-20" {
			t.Errorf("current assignee %q until %q, want %s until 2021-06-20", tr.Holder, tr.HolderDeadline, specialist.FullName)
		}
		if tr.Entries[0].Detail != "Cục Thông tin cơ sở" && tr.Entries[0].Detail == "" {
			t.Errorf("received step names no sender: %+v", tr.Entries[0])
		}
		// The delivery page's JSON carries the same trail.
		var det struct {
			Trail model.Trail `json:"trail"`
		}
		e.must(200, "GET", path, "vanthu.so", nil, &det)
		if len(det.Trail.Entries) != len(tr.Entries) || det.Trail.Holder != specialist.FullName {
			t.Errorf("delivery detail trail: %+v", det.Trail)
		}
		// The incoming document shows it too.
		var doc model.Trail
		d, err := e.store.Deliveries().Delivery(context.Background(), del)
		if err != nil {
			t.Fatal(err)
		}
		e.must(200, "GET", fmt.Sprintf("/api/v1/documents/%d/trail", *d.DocumentID), "vanthu.so", nil, &doc)
		if len(doc.Entries) != len(tr.Entries) {
			t.Errorf("document trail has %d steps, delivery trail %d", len(doc.Entries), len(tr.Entries))
		}

		// Bad input: a past deadline, a date that is not one, nobody.
		for _, in := range []directives.AssignInput{{UserID: specialist.ID, Deadline: "01/01/2020"}, {UserID: specialist.ID, Deadline: "31/02/2021"}, {Note: "x"}} {
			if r := e.do("POST", path+"/assign", "lamvanson", in); r.code != 400 {
				t.Errorf("assign %+v: %d %s", in, r.code, r.body)
			}
		}
		// Other units see nothing.
		if r := e.do("GET", path+"/trail", "vanthu.kienluong", nil); r.code != 403 {
			t.Errorf("another unit reads the trail: %d %s", r.code, r.body)
		}
		// Append-only, whoever writes to the database.
		driver, src := "pgx", e.dsn
		if path, ok := strings.CutPrefix(e.dsn, "sqlite:"); ok {
			driver, src = "sqlite", "file:"+path+"?_pragma=busy_timeout(10000)"
		}
		db, err := sql.Open(driver, src)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for _, q := range []string{`UPDATE handling_trail SET instruction = 'sửa'`, `DELETE FROM handling_trail`} {
			if _, err := db.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s on the trail: %v, want the append-only refusal", q, err)
			}
		}
		e.must(200, "GET", path+"/trail", "vanthu.so", nil, &tr)
		if len(tr.Entries) != 5 || tr.Entries[3].Instruction != "Kính trình Phó Giám đốc cho ý kiến" {
			t.Errorf("trail changed: %+v", tr.Entries)
		}
	})
}
