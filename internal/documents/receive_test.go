package documents_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/blob"
	"github.com/loa-project/loa/internal/documents"
	"github.com/loa-project/loa/internal/edxml"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
	"github.com/loa-project/loa/internal/storage/storetest"
)

func realPackage(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "edxml", "testdata", "real", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newUnit(t *testing.T, st *storage.Store, agency string) *model.Unit {
	t.Helper()
	ctx := context.Background()
	u := &model.Unit{Code: "u" + storetest.Unique(), Name: "UBND Tỉnh Nghệ An", Kind: "provincial_pc", AgencyID: agency}
	if err := st.Tx(ctx, func(tx *storage.Tx) error { return tx.Orgs().InsertUnit(ctx, u) }); err != nil {
		t.Fatal(err)
	}
	return u
}

// TestReceiveRealPackages: the real packages of edxml/testdata/real import
// as the reference implementation reads them — the new document with its
// fields, its unpacked PDF as a file and the package kept byte for byte as
// the original; the update and the replacement as new versions of it
// (not copies); the revocation marks it revoked; every status package as
// a status of it; a package received twice is a duplicate.
func TestReceiveRealPackages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		bs, err := blob.NewFS(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		svc := documents.New(st, bs, authz.Default(), slog.New(slog.NewTextHandler(io.Discard, nil)))
		sys := model.System("test")
		unit := newUnit(t, st, "000.00.00.H41")

		// A status about a document the unit does not hold yet is refused
		// with the reason.
		_, err = svc.ReceiveEdXML(ctx, sys, unit.ID, bytes.NewReader(realPackage(t, "truclienthong-status_acceptance_03.edxml")))
		var ve *model.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(err.Error(), "does not hold") {
			t.Fatalf("status before the document: %v", err)
		}

		// The received package (zip attachment holding a nested package).
		raw := realPackage(t, "truclienthong-dc0bdef0-c7a3-4aaf-b717-777303442973.edxml")
		res, err := svc.ReceiveEdXML(ctx, sys, unit.ID, bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		d := res.Document
		if res.Action != documents.ActionNew || d.Code() != "7816/VPCP-TTĐT" || d.Direction != model.Incoming || res.Files != 1 {
			t.Fatalf("new: %+v %s", res, d.Code())
		}
		f := d.Fields
		if v := *f.Subject; v != "V/v kết nối, liên thông phần mềm quản lý văn bản" || *f.DocType != "Công văn" || *f.Issuer != "Văn phòng Chính phủ" || *f.Date != "2019-04-11" {
			t.Fatalf("fields %s %s %s %s", v, *f.DocType, *f.Issuer, *f.Date)
		}
		if !strings.Contains(strings.Join(f.Warnings, "\n"), "cannot be read") {
			t.Errorf("no warning about the unreadable nested package: %v", f.Warnings)
		}
		orig, _, err := bs.Open(ctx, d.Original.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		kept, _ := io.ReadAll(orig)
		orig.Close()
		if !bytes.Equal(kept, raw) || d.Original.ContentType != "application/xml" {
			t.Fatal("the package is not kept exactly as received")
		}
		// The same package again: a duplicate, nothing new.
		again, err := svc.ReceiveEdXML(ctx, sys, unit.ID, bytes.NewReader(raw))
		if err != nil || !again.Duplicate || again.Document.ID != d.ID {
			t.Fatalf("again: %+v %v", again, err)
		}

		// Update: a new version of the same document with the new file.
		res, err = svc.ReceiveEdXML(ctx, sys, unit.ID, bytes.NewReader(realPackage(t, "truclienthong-edoc_update.edxml")))
		if err != nil {
			t.Fatal(err)
		}
		if res.Action != documents.ActionUpdate || res.Document.ID != d.ID || res.Document.Version != 2 || *res.Document.Fields.Date != "2018-09-28" {
			t.Fatalf("update: %+v", res)
		}
		files, err := svc.Files(ctx, sys, d.ID)
		if err != nil || len(files) != 2 || files[1].Name != "GUIDE_INSTALL OPENVPN.SIGNED.PDF" || files[1].ContentType != "application/pdf" || !strings.HasPrefix(files[1].Source, "zip:") {
			t.Fatalf("files after the update: %+v %v", files, err)
		}
		pdf, _, _ := bs.Open(ctx, files[1].SHA256)
		head := make([]byte, 4)
		_, _ = io.ReadFull(pdf, head)
		pdf.Close()
		if string(head) != "%PDF" {
			t.Fatalf("the unpacked PDF starts with %q", head)
		}
		// Replacement names 7806 (not held) and the package's own
		// DocumentId (held): the held document gets a new version.
		res, err = svc.ReceiveEdXML(ctx, sys, unit.ID, bytes.NewReader(realPackage(t, "truclienthong-edoc_replacement.edxml")))
		if err != nil || res.Action != documents.ActionReplace || res.Document.ID != d.ID || res.Document.Version != 3 {
			t.Fatalf("replacement: %+v %v", res, err)
		}
		// Every status package becomes a status of the document.
		statuses := []string{"status.edxml", "status_inbox_01.edxml", "status_rejection_02.edxml", "status_acceptance_03.edxml", "status_assignment_04.edxml",
			"status_processing_05.edxml", "status_finish_06.edxml", "status_cancellation_13.edxml", "status_change-acceptance_15.edxml", "status_change-rejection_16.edxml"}
		for _, name := range statuses {
			res, err := svc.ReceiveEdXML(ctx, sys, unit.ID, bytes.NewReader(realPackage(t, "truclienthong-"+name)))
			if err != nil || res.Action != documents.ActionStatus || res.Document.ID != d.ID || res.Status == "" {
				t.Fatalf("%s: %+v %v", name, res, err)
			}
		}
		// Revocation.
		res, err = svc.ReceiveEdXML(ctx, sys, unit.ID, bytes.NewReader(realPackage(t, "truclienthong-edoc_revocation.edxml")))
		if err != nil || res.Action != documents.ActionRevoke || res.Document.ID != d.ID {
			t.Fatalf("revocation: %+v %v", res, err)
		}
		if at, err := st.Exchange().Revoked(ctx, d.ID); err != nil || at == nil {
			t.Fatalf("not revoked: %v %v", at, err)
		}
		pkgs, err := svc.Exchange(ctx, sys, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		codes := map[string]bool{}
		for _, p := range pkgs {
			if p.Direction != "in" {
				continue
			}
			kinds = append(kinds, p.Kind)
			if p.Kind == "status" {
				codes[p.StatusCode] = true
			}
		}
		if len(kinds) != 4+len(statuses) || len(codes) != 9 {
			t.Fatalf("exchange history: %v %v", kinds, codes)
		}
		var n int
		if err := st.QueryRowRaw(ctx, `SELECT count(*) FROM documents WHERE unit_id = ?`, unit.ID).Scan(&n); err != nil || n != 1 {
			t.Fatalf("%d documents: updates, replacements and statuses must not create copies", n)
		}

		// The SDK's new-document sample in another unit: a DocumentId of
		// another agency than the sender is a warning, not a refusal.
		other := newUnit(t, st, "000.00.00.H14")
		res, err = svc.ReceiveEdXML(ctx, sys, other.ID, bytes.NewReader(realPackage(t, "truclienthong-edoc_new.edxml")))
		if err != nil || res.Action != documents.ActionNew || res.Files != 1 || !strings.Contains(strings.Join(res.Document.Fields.Warnings, "\n"), "but the agency is") {
			t.Fatalf("edoc_new: %+v %v", res, err)
		}
		// The malformed sample is refused with the reason.
		if _, err := svc.ReceiveEdXML(ctx, sys, other.ID, bytes.NewReader(realPackage(t, "truclienthong-edoc.edxml"))); !errors.As(err, &ve) || !strings.Contains(err.Error(), "malformed XML") {
			t.Fatalf("malformed: %v", err)
		}
	})
}

// TestForwardKeepsIdentityAndStatusesGoBack: a received document
// forwarded keeps its DocumentId, the sender's document type code and the
// trace (with this unit's hop added), names this unit consistently as the
// sender, carries its real files (not the package they came in), and goes
// again to the same receivers without naming them; status packages go
// back to the sender about the same DocumentId (01 on arrival, others on
// request).
func TestForwardKeepsIdentityAndStatusesGoBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *storage.Store) {
		ctx := context.Background()
		bs, err := blob.NewFS(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		svc := documents.New(st, bs, authz.Default(), slog.New(slog.NewTextHandler(io.Discard, nil)))
		sys := model.System("test")
		unit := newUnit(t, st, "000.00.00.H41")
		dest := newUnit(t, st, "000.00.00.H14")
		res, err := svc.ReceiveEdXML(ctx, sys, unit.ID, bytes.NewReader(realPackage(t, "truclienthong-dc0bdef0-c7a3-4aaf-b717-777303442973.edxml")))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ReceiveEdXML(ctx, sys, unit.ID, bytes.NewReader(realPackage(t, "truclienthong-edoc_update.edxml"))); err != nil {
			t.Fatal(err)
		}
		id := res.Document.ID
		var out bytes.Buffer
		if err := svc.ExportEdXML(ctx, sys, id, []int64{dest.ID}, &out); err != nil {
			t.Fatal(err)
		}
		rec, err := edxml.Receive(bytes.NewReader(out.Bytes()), edxml.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		m := rec.Message
		if m.DocumentID != "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT" || m.DocType.Type != 1 || m.DocType.TypeName != "Công văn" {
			t.Errorf("forwarded identity: %q type %+v", m.DocumentID, m.DocType)
		}
		if m.From.ID != "000.00.00.H41" || m.From.Name != unit.Name || len(m.To) != 1 || m.To[0].ID != "000.00.00.H14" {
			t.Errorf("sender %+v receivers %+v", m.From, m.To)
		}
		if len(m.Trace) < 2 || m.Trace[0].OrganID != "000.00.00.G22" || m.Trace[len(m.Trace)-1].OrganID != "000.00.00.H41" {
			t.Errorf("trace %+v", m.Trace)
		}
		var names []string
		for _, a := range m.Attachments {
			names = append(names, a.Name)
		}
		if strings.Join(names, "|") != "7a71a0ee-2f35-400d-aca9-811d478eb158.edxml|GUIDE_INSTALL OPENVPN.SIGNED.PDF" {
			t.Errorf("attachments %v", names)
		}
		// Again, without naming the receivers.
		out.Reset()
		if err := svc.ExportEdXML(ctx, sys, id, nil, &out); err != nil {
			t.Fatalf("export to the known receivers: %v", err)
		}
		if rec, err := edxml.Receive(bytes.NewReader(out.Bytes()), edxml.Limits{}); err != nil || len(rec.Message.To) != 1 || rec.Message.To[0].ID != "000.00.00.H14" {
			t.Fatalf("known receivers: %v", err)
		}
		// Status 03 back to the sender.
		out.Reset()
		if err := svc.SendStatus(ctx, sys, id, edxml.StatusAccepted, "Đã vào sổ văn bản đến", &out); err != nil {
			t.Fatal(err)
		}
		srec, err := edxml.Receive(bytes.NewReader(out.Bytes()), edxml.Limits{})
		if err != nil || srec.Status == nil || srec.Status.Code != edxml.StatusAccepted || srec.Status.ResponseFor.DocumentID != "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT" ||
			srec.Status.ResponseFor.OrganID != "000.00.00.G22" || srec.Status.From.ID != "000.00.00.H41" {
			t.Fatalf("status: %+v %v", srec, err)
		}
		if err := svc.SendStatus(ctx, sys, id, "99", "", &out); !errors.As(err, new(*model.ValidationError)) {
			t.Fatalf("bad status code: %v", err)
		}
		pkgs, _ := svc.Exchange(ctx, sys, id)
		var sent []string
		for _, p := range pkgs {
			if p.Direction == "out" {
				sent = append(sent, p.Kind+p.StatusCode)
			}
		}
		if strings.Join(sent, ",") != "status01,document,document,status03" {
			t.Fatalf("sent packages %v", sent)
		}
	})
}
