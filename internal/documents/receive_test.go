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
			kinds = append(kinds, p.Kind)
			if p.Kind == "status" {
				codes[p.StatusCode] = true
			}
		}
		if len(pkgs) != 4+len(statuses) || len(codes) != 9 {
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
