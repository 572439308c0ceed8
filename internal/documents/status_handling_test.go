package documents_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/documents"
	"github.com/loa-project/loa/internal/edxml"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/registry"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

// TestRefuseFinishRoundTrip: Loa A sends two documents as edXML to Loa B.
// B refuses the first before registering it (QCVN 102 "refused", 02, with
// the reason as description) and registers, passes on and finishes the
// second ("finished", 06). Each package goes through Loa's own importer at
// A, whose delivery state for B's agency then reads refused / finished.
// Refusing without a reason, refusing a registered or a local document,
// registering a refused one, passing on or finishing a finished one, and
// finishing a document that is not the actor's are refused with clear
// errors, and send nothing: B's packages are exactly 01 02 and 01 03 04 06.
func TestRefuseFinishRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, stA *storage.Store) {
		ctx := context.Background()
		sys := model.System("test")
		lp := newLoaPair(t, stA)
		a, b, regB, unitB, stB := lp.a, lp.b, lp.regB, lp.unitB, lp.stB

		// send stores a document at A, sends it to B and imports it there.
		send := func(number, subject string) (atA, atB int64) {
			t.Helper()
			d := lp.letter(number, subject, subject+".")
			res, err := b.ReceiveEdXML(ctx, sys, unitB.ID, bytes.NewReader(lp.send(t, d)))
			if err != nil {
				t.Fatal(err)
			}
			return d.ID, res.Document.ID
		}
		// relay checks that each status package B sent about docB is a
		// valid status package on its own, imports them at A (each must
		// apply to atA) and returns their codes and A's state for B.
		relay := func(atA, docB int64) ([]string, documents.RecipientState) {
			t.Helper()
			codes, raws := lp.statusesOut(t, docB)
			for i, raw := range raws {
				st, err := edxml.DecodeStatus(bytes.NewReader(raw), edxml.Limits{})
				if err != nil {
					t.Fatalf("status %s does not decode: %v", codes[i], err)
				}
				if string(st.Code) != codes[i] || st.From.ID != "000.00.00.H14" || st.ResponseFor.OrganID != "000.00.00.H41" {
					t.Fatalf("status %s reads %+v", codes[i], st)
				}
			}
			lp.relay(t, atA, docB)
			s, err := a.DeliveryStates(ctx, sys, atA)
			if err != nil || len(s) != 1 {
				t.Fatalf("A's delivery states: %+v %v", s, err)
			}
			return codes, s[0]
		}
		field := func(err error) string {
			var ve *model.ValidationError
			if errors.As(err, &ve) {
				return ve.Field
			}
			return ""
		}

		// 1. Refused before registration.
		refA, refB := send("571", "V/v gửi nhầm nơi nhận")
		if _, err := regB.Refuse(ctx, sys, refB, registry.RefuseInput{Reason: "  "}); field(err) != "reason" {
			t.Fatalf("refuse without a reason: %v", err)
		}
		if _, err := regB.Refuse(ctx, sys, refB, registry.RefuseInput{Reason: strings.Repeat("x", registry.MaxReason+1)}); field(err) != "reason" {
			t.Fatalf("refuse with a too long reason: %v", err)
		}
		reason := "Văn bản gửi nhầm nơi nhận, không thuộc thẩm quyền của UBND xã"
		tr, err := regB.Refuse(ctx, sys, refB, registry.RefuseInput{Reason: reason})
		if err != nil {
			t.Fatal(err)
		}
		if last := tr.Entries[len(tr.Entries)-1]; tr.Outcome != model.TrailDeclined || last.Action != model.TrailDeclined || last.Instruction != reason {
			t.Fatalf("trail after refusal: %+v", tr)
		}
		if _, err := regB.Refuse(ctx, sys, refB, registry.RefuseInput{Reason: reason}); !errors.Is(err, model.ErrConflict) {
			t.Fatalf("refuse twice: %v", err)
		}
		if _, err := regB.RegisterIncoming(ctx, sys, registry.IncomingInput{UnitID: unitB.ID, DocumentID: refB}); field(err) != "document_id" {
			t.Fatalf("register a refused document: %v", err)
		}
		if line, err := regB.IncomingLine(ctx, sys, refB); err != nil || line != nil {
			t.Fatalf("a refused document has an arrival number: %+v %v", line, err)
		}
		codes, st := relay(refA, refB)
		if fmt.Sprint(codes) != "[01 02]" || st.StatusCode != string(edxml.StatusRefused) || st.Description != reason {
			t.Fatalf("refused: B sent %v, A sees %+v", codes, st)
		}

		// 2. Registered, passed on, finished.
		finA, finB := send("572", "V/v tuyên truyền phòng, chống dịch")
		if _, err := regB.Finish(ctx, sys, finB, registry.FinishInput{}); field(err) != "document_id" {
			t.Fatalf("finish an unregistered document: %v", err)
		}
		if _, err := regB.RegisterIncoming(ctx, sys, registry.IncomingInput{UnitID: unitB.ID, DocumentID: finB}); err != nil {
			t.Fatal(err)
		}
		if _, err := regB.Refuse(ctx, sys, finB, registry.RefuseInput{Reason: reason}); field(err) != "document_id" || !strings.Contains(err.Error(), "already in the incoming register") {
			t.Fatalf("refuse a registered document: %v", err)
		}
		dept := &model.Unit{Code: "u" + storetest.Unique(), Name: "Phòng Văn hóa", Kind: "dept_unit", ParentID: &unitB.ID}
		if err := stB.Tx(ctx, func(tx *storage.Tx) error { return tx.Orgs().InsertUnit(ctx, dept) }); err != nil {
			t.Fatal(err)
		}
		if _, err := regB.Pass(ctx, sys, finB, registry.PassInput{UnitID: dept.ID, Instruction: "Xử lý"}); err != nil {
			t.Fatal(err)
		}
		// A viewer of the unit, and a user of the department it was not
		// passed to, may not finish it.
		other := &model.Unit{Code: "u" + storetest.Unique(), Name: "Phòng Y tế", Kind: "dept_unit", ParentID: &unitB.ID}
		if err := stB.Tx(ctx, func(tx *storage.Tx) error { return tx.Orgs().InsertUnit(ctx, other) }); err != nil {
			t.Fatal(err)
		}
		for _, who := range []model.Actor{
			{UserID: 99001, Username: "viewer", UnitID: unitB.ID, UnitPath: unitB.Path, Roles: []model.Role{model.RoleViewer}},
			{UserID: 99002, Username: "yte", UnitID: other.ID, UnitPath: other.Path, Roles: []model.Role{model.RoleReceiver}},
		} {
			if _, err := regB.Finish(ctx, who, finB, registry.FinishInput{}); !errors.Is(err, model.ErrForbidden) {
				t.Fatalf("%s finishes a document that is not theirs: %v", who.Username, err)
			}
		}
		if _, err := regB.Finish(ctx, sys, finB, registry.FinishInput{Note: strings.Repeat("x", registry.MaxReason+1)}); field(err) != "note" {
			t.Fatalf("finish with a too long note: %v", err)
		}
		note := "Đã phát trên đài truyền thanh xã 3 buổi"
		if tr, err = regB.Finish(ctx, sys, finB, registry.FinishInput{Note: note}); err != nil {
			t.Fatal(err)
		}
		if last := tr.Entries[len(tr.Entries)-1]; tr.Outcome != model.TrailFinished || last.Action != model.TrailFinished || last.Instruction != note || tr.Holder != "" {
			t.Fatalf("trail after finishing: %+v", tr)
		}
		if _, err := regB.Finish(ctx, sys, finB, registry.FinishInput{}); !errors.Is(err, model.ErrConflict) {
			t.Fatalf("finish twice: %v", err)
		}
		if _, err := regB.Pass(ctx, sys, finB, registry.PassInput{UnitID: dept.ID}); !errors.Is(err, model.ErrConflict) {
			t.Fatalf("pass on a finished document: %v", err)
		}
		codes, st = relay(finA, finB)
		if fmt.Sprint(codes) != "[01 03 04 06]" || st.StatusCode != string(edxml.StatusDone) || st.Description != "Hoàn thành xử lý: "+note {
			t.Fatalf("finished: B sent %v, A sees %+v", codes, st)
		}

		// 3. A document typed in at B has no sender to refuse to; it can
		// still be finished, and that sends nothing.
		local := &model.Document{UnitID: unitB.ID, Direction: model.Incoming, Fields: docmodel.Fields{Subject: docmodel.Str("Giấy mời họp")}}
		if err := stB.Tx(ctx, func(tx *storage.Tx) error { return tx.Documents().InsertDocument(ctx, local) }); err != nil {
			t.Fatal(err)
		}
		if _, err := regB.Refuse(ctx, sys, local.ID, registry.RefuseInput{Reason: reason}); field(err) != "document_id" || !strings.Contains(err.Error(), "edXML") {
			t.Fatalf("refuse a local document: %v", err)
		}
		if _, err := regB.RegisterIncoming(ctx, sys, registry.IncomingInput{UnitID: unitB.ID, DocumentID: local.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := regB.Finish(ctx, sys, local.ID, registry.FinishInput{}); err != nil {
			t.Fatal(err)
		}
		if p, err := b.Exchange(ctx, sys, local.ID); err != nil || len(p) != 0 {
			t.Fatalf("local document's packages: %v %v", p, err)
		}
	})
}
