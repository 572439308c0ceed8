// Package registry keeps the document registers of each issuing unit
// (Decree 30/2020, Appendix IV): the outgoing register whose numbers
// documents get on issue, and the incoming register. Numbers are allocated
// atomically and without gaps inside the transaction that records them,
// and restart every 1 January.
package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/clock"
	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/documents"
	"github.com/loa-project/loa/internal/edxml"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/registerexport"
	"github.com/loa-project/loa/internal/storage"
)

// Service is the registry service.
type Service struct {
	store  *storage.Store
	policy authz.Policy
	loc    *time.Location
	clock  clock.Clock
	status StatusSender
}

// StatusSender tells the sender of a document received as edXML that its
// handling changed, in the transaction of the change
// (documents.Service.StatusTx).
type StatusSender interface {
	StatusTx(ctx context.Context, tx *storage.Tx, a model.Actor, documentID int64, code edxml.StatusCode, description string) (bool, error)
}

// SetStatusSender makes registering a document received as edXML send the
// sender an "accepted" (03) status package.
func (s *Service) SetStatusSender(st StatusSender) { s.status = st }

// New builds the service; loc is the local time zone for register days.
func New(store *storage.Store, policy authz.Policy, loc *time.Location) *Service {
	return &Service{store: store, policy: policy, loc: loc, clock: clock.Real{}}
}

// SetClock replaces the clock that dates registrations without a date
// and picks the register year (tests).
func (s *Service) SetClock(c clock.Clock) { s.clock = c }

func (s *Service) unit(ctx context.Context, q storage.Q, a model.Actor, id int64, action authz.Action) (*model.Unit, error) {
	u, err := q.Orgs().Unit(ctx, id)
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return nil, model.Invalid("unit_id", "unit %d does not exist", id)
		}
		return nil, err
	}
	if !s.policy.Can(a, action, u.Path) {
		return nil, fmt.Errorf("registers of %q: %w", u.Name, model.ErrForbidden)
	}
	return u, nil
}

// OutgoingInput is a document to number in a unit's outgoing register.
type OutgoingInput struct {
	UnitID         int64  // the issuing agency (owner of the register)
	DraftingUnitID int64  // the sub-unit that drafted it (0 = the agency)
	DocType        string // "Công văn", "Quyết định", …
	Date           string // YYYY-MM-DD; "" = today
	Subject        string
	Signer         string
	Recipients     string
	CopyHolder     string // unit keeping the archive copy
	Copies         int
	DocumentID     *int64
	Notes          string
}

// Issued is the number a document got.
type Issued struct {
	Number   int                 `json:"number"`
	Notation string              `json:"notation"`
	Code     string              `json:"code"` // "570/STTTT-TTBCBC"
	Date     string              `json:"date"`
	Entry    model.RegisterEntry `json:"entry"`
}

// IssueTx numbers a document inside the caller's transaction (issuing a
// directive numbers it together with its other writes).
func (s *Service) IssueTx(ctx context.Context, tx *storage.Tx, a model.Actor, in OutgoingInput) (*Issued, error) {
	agency, err := s.unit(ctx, tx.Q, a, in.UnitID, authz.RegWrite)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.DocType) == "" {
		return nil, model.Invalid("doc_type", "give the document type (Công văn, Quyết định, …)")
	}
	if in.Date == "" {
		in.Date = s.clock.Now().In(s.loc).Format("2006-01-02")
	}
	day, err := time.Parse("2006-01-02", in.Date)
	if err != nil {
		return nil, model.Invalid("date", "%q is not a date: use YYYY-MM-DD", in.Date)
	}
	unitAbbr := ""
	if in.DraftingUnitID != 0 && in.DraftingUnitID != agency.ID {
		du, err := tx.Orgs().Unit(ctx, in.DraftingUnitID)
		if err != nil {
			return nil, model.Invalid("drafting_unit_id", "unit %d does not exist", in.DraftingUnitID)
		}
		if !strings.HasPrefix(du.Path, agency.Path) {
			return nil, model.Invalid("drafting_unit_id", "%q is not part of %q", du.Name, agency.Name)
		}
		unitAbbr = du.Abbreviation
	}
	letterPattern, otherPattern, err := tx.Registers().RegisterSettings(ctx, agency.ID)
	if err != nil {
		return nil, err
	}
	typeAbbr, hasAbbr := TypeAbbreviation(in.DocType)
	pattern := otherPattern
	if !hasAbbr {
		pattern = letterPattern
		if pattern == "" {
			pattern = DefaultLetterPattern
		}
	} else if pattern == "" {
		pattern = DefaultOtherPattern
	}
	notation := Notation(pattern, typeAbbr, agency.Abbreviation, unitAbbr)
	if notation == "" {
		return nil, model.Invalid("unit_id", "unit %q has no abbreviation for notations; set one in the organisation tree", agency.Name)
	}
	n, err := tx.Registers().NextNumber(ctx, agency.ID, day.Year(), model.SeriesOutgoing)
	if err != nil {
		return nil, err
	}
	num := fmt.Sprintf("%02d", n)
	e := model.RegisterEntry{UnitID: agency.ID, Year: day.Year(), Series: model.SeriesOutgoing, Number: n, DocumentID: in.DocumentID,
		EntryDate: in.Date, DocType: in.DocType, Code: num + "/" + notation, DocDate: in.Date, Subject: in.Subject,
		Party: in.Signer, Handler: in.Recipients, Copies: in.Copies, Notes: strings.TrimSpace(in.CopyHolder + " " + in.Notes)}
	if err := tx.Registers().InsertRegisterEntry(ctx, &e); err != nil {
		return nil, err
	}
	if err := tx.Audit().AppendAudit(ctx, a, "register.issue", "register_entry", fmt.Sprint(e.ID), fmt.Sprintf("%s %s", e.Code, in.Subject)); err != nil {
		return nil, err
	}
	return &Issued{Number: n, Notation: notation, Code: e.Code, Date: in.Date, Entry: e}, nil
}

// Issue numbers a document in its own transaction.
func (s *Service) Issue(ctx context.Context, a model.Actor, in OutgoingInput) (*Issued, error) {
	var out *Issued
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		var err error
		out, err = s.IssueTx(ctx, tx, a, in)
		return err
	})
	return out, err
}

// RegisterIncomingTx enters a received document in the unit's incoming
// register and returns the entry (its arrival number). It records the
// registration in the document's handling trail.
func (s *Service) RegisterIncomingTx(ctx context.Context, tx *storage.Tx, a model.Actor, unitID int64, d *model.Document, handler, notes string) (*model.RegisterEntry, error) {
	unit, err := s.unit(ctx, tx.Q, a, unitID, authz.RegWrite)
	if err != nil {
		return nil, err
	}
	// A refused document gets no arrival number (QCVN 102: refused, 02,
	// instead of accepted, 03).
	earlier, err := tx.Trail().TrailOf(ctx, d.ID, 0)
	if err != nil {
		return nil, err
	}
	if e := documentStep(earlier, model.TrailDeclined); e != nil {
		return nil, s.endedError(d.ID, earlier)
	}
	now := s.clock.Now()
	today := now.In(s.loc)
	n, err := tx.Registers().NextNumber(ctx, unit.ID, today.Year(), model.SeriesIncoming)
	if err != nil {
		return nil, err
	}
	f := d.Fields
	e := model.RegisterEntry{UnitID: unit.ID, Year: today.Year(), Series: model.SeriesIncoming, Number: n, DocumentID: &d.ID,
		EntryDate: today.Format("2006-01-02"), DocType: docmodel.Val(f.DocType), Code: d.Code(), DocDate: docmodel.Val(f.Date),
		Subject: docmodel.Val(f.Subject), Party: incomingParty(d), Handler: handler, Notes: notes}
	if err := tx.Registers().InsertRegisterEntry(ctx, &e); err != nil {
		return nil, err
	}
	if err := tx.Audit().AppendAudit(ctx, a, "register.receive", "register_entry", fmt.Sprint(e.ID), fmt.Sprintf("đến số %d: %s", n, e.Code)); err != nil {
		return nil, err
	}
	if err := s.sendStatus(ctx, tx, a, d.ID, edxml.StatusAccepted, fmt.Sprintf("Đã tiếp nhận: vào sổ văn bản đến số %d/%d", n, today.Year())); err != nil {
		return nil, err
	}
	te := documentEntry(a, unit.ID, d.ID, model.TrailRegistered, now)
	te.Detail = fmt.Sprintf("%d/%d", n, e.Year)
	if err := tx.Trail().AppendTrail(ctx, te); err != nil {
		return nil, err
	}
	return &e, nil
}

// actorName is how the trail names an actor without a user row.
func actorName(a model.Actor) string {
	if a.IsSystem() {
		return "Loa"
	}
	return a.Username
}

// incomingParty is the author column of an incoming register line: the
// issuer, or its parent body when the issuer is not read.
func incomingParty(d *model.Document) string {
	if p := strings.TrimSpace(docmodel.Val(d.Fields.Issuer)); p != "" {
		return p
	}
	return docmodel.Val(d.Fields.ParentIssuer)
}

// IncomingInput enters a stored document in a unit's incoming register.
type IncomingInput struct {
	UnitID     int64
	DocumentID int64
	Handler    string
	Notes      string
	// ConfirmDuplicate gives a new arrival number even though the
	// register already holds the same letter ("vẫn vào sổ").
	ConfirmDuplicate bool
}

// DuplicateRegistrationError refuses to give a second arrival number to a
// letter the unit's incoming register already holds: the same document,
// the same file, or the same issuer, number, notation and date.
type DuplicateRegistrationError struct {
	Existing model.RegisterEntry
	Reason   string // same_document, same_file or same_letter
}

func (e *DuplicateRegistrationError) Error() string {
	return fmt.Sprintf("%s is already in the incoming register as arrival number %d/%d of %s (%s); register it again with confirm_duplicate to give it another number",
		e.Existing.Code, e.Existing.Number, e.Existing.Year, e.Existing.EntryDate, strings.ReplaceAll(e.Reason, "_", " "))
}

// Unwrap makes a duplicate registration a conflict (HTTP 409).
func (e *DuplicateRegistrationError) Unwrap() error { return model.ErrConflict }

// foldKey compares register text: NFC, case folded, spaces collapsed.
func foldKey(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(norm.NFC.String(s)), " "))
}

// sameIncoming finds the line of the unit's incoming register that holds
// the same letter as d, or nil.
func sameIncoming(ctx context.Context, q storage.Q, unitID int64, d *model.Document) (*DuplicateRegistrationError, error) {
	sha := ""
	if d.Original != nil {
		sha = d.Original.SHA256
	}
	date, code := docmodel.Val(d.Fields.Date), d.Code()
	if docmodel.Val(d.Fields.Number) == "" {
		date = "" // a letter without a number is compared by its file only
	}
	cands, err := q.Registers().IncomingLike(ctx, unitID, d.ID, sha, date)
	if err != nil {
		return nil, err
	}
	party := foldKey(incomingParty(d))
	for _, e := range cands {
		switch {
		case e.DocumentID != nil && *e.DocumentID == d.ID:
			return &DuplicateRegistrationError{Existing: e, Reason: "same_document"}, nil
		case date != "" && e.DocDate == date && foldKey(e.Code) == foldKey(code) && foldKey(e.Party) == party:
			return &DuplicateRegistrationError{Existing: e, Reason: "same_letter"}, nil
		case sha != "" && e.DocumentID != nil:
			if other, err := q.Documents().Document(ctx, *e.DocumentID); err == nil && other.Original != nil && other.Original.SHA256 == sha {
				return &DuplicateRegistrationError{Existing: e, Reason: "same_file"}, nil
			}
		}
	}
	return nil, nil
}

// RegisterIncoming enters a stored document in the incoming register.
// A letter the register already holds is refused with a
// *DuplicateRegistrationError unless in.ConfirmDuplicate is set.
func (s *Service) RegisterIncoming(ctx context.Context, a model.Actor, in IncomingInput) (*model.RegisterEntry, error) {
	var out *model.RegisterEntry
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		d, err := tx.Documents().Document(ctx, in.DocumentID)
		if err != nil {
			return err
		}
		// Registering copies the document's number, subject, issuer and
		// date into the register: only a document the user may open.
		ok, err := documents.MayRead(ctx, tx.Q, s.policy, a, d.UnitID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("document %d does not exist or you may not see it: %w", in.DocumentID, model.ErrNotFound)
		}
		if _, err := s.unit(ctx, tx.Q, a, in.UnitID, authz.RegWrite); err != nil {
			return err
		}
		if !in.ConfirmDuplicate {
			dup, err := sameIncoming(ctx, tx.Q, in.UnitID, d)
			if err != nil {
				return err
			}
			if dup != nil {
				return i18n.Localise(dup, "regsvc.duplicate", dup.Existing.Code, dup.Existing.Number, dup.Existing.Year, isoToVN(dup.Existing.EntryDate))
			}
		}
		out, err = s.RegisterIncomingTx(ctx, tx, a, in.UnitID, d, in.Handler, in.Notes)
		return err
	})
	return out, err
}

// isoToVN writes a YYYY-MM-DD day as dd/mm/yyyy.
func isoToVN(day string) string {
	t, err := time.Parse("2006-01-02", day)
	if err != nil {
		return day
	}
	return t.Format("02/01/2006")
}

// RegisterIncomingOnce enters a stored document in the unit's incoming
// register unless it is there already (then it returns that line and
// false): intake that is retried after a crash registers a document once.
func (s *Service) RegisterIncomingOnce(ctx context.Context, a model.Actor, unitID, documentID int64, handler, notes string) (*model.RegisterEntry, bool, error) {
	var out *model.RegisterEntry
	created := false
	err := s.store.Tx(ctx, func(tx *storage.Tx) error {
		e, err := tx.Registers().EntryOfDocument(ctx, unitID, documentID, model.SeriesIncoming)
		if err == nil {
			out = e
			return nil
		}
		if !errors.Is(err, model.ErrNotFound) {
			return err
		}
		d, err := tx.Documents().Document(ctx, documentID)
		if err != nil {
			return err
		}
		ok, err := documents.MayRead(ctx, tx.Q, s.policy, a, d.UnitID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("document %d does not exist or you may not see it: %w", documentID, model.ErrNotFound)
		}
		out, err = s.RegisterIncomingTx(ctx, tx, a, unitID, d, handler, notes)
		created = err == nil
		return err
	})
	return out, created, err
}

// Entries lists a register.
func (s *Service) Entries(ctx context.Context, a model.Actor, unitID int64, year int, series string) ([]model.RegisterEntry, error) {
	if series != model.SeriesOutgoing && series != model.SeriesIncoming {
		return nil, model.Invalid("series", "%q: use outgoing or incoming", series)
	}
	if year < 1900 || year > 9999 {
		return nil, model.Invalid("year", "%d is not a year", year)
	}
	if _, err := s.unit(ctx, s.store.Q, a, unitID, authz.RegRead); err != nil {
		return nil, err
	}
	return s.store.Registers().RegisterEntries(ctx, unitID, year, series)
}

// SetCounter opens a register part-way: the next number will be last+1.
func (s *Service) SetCounter(ctx context.Context, a model.Actor, unitID int64, year int, series string, last int) error {
	if last < 0 {
		return model.Invalid("last", "must be 0 or more")
	}
	return s.store.Tx(ctx, func(tx *storage.Tx) error {
		if _, err := s.unit(ctx, tx.Q, a, unitID, authz.RegWrite); err != nil {
			return err
		}
		if err := tx.Registers().SetCounter(ctx, unitID, year, series, last); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "register.counter", "unit", fmt.Sprint(unitID), fmt.Sprintf("%s %d last=%d", series, year, last))
	})
}

// Export writes a register as XLSX or PDF.
func (s *Service) Export(ctx context.Context, a model.Actor, w io.Writer, unitID int64, year int, series, format string) error {
	entries, err := s.Entries(ctx, a, unitID, year, series)
	if err != nil {
		return err
	}
	unit, err := s.store.Orgs().Unit(ctx, unitID)
	if err != nil {
		return err
	}
	day := func(s string) time.Time {
		t, _ := time.Parse("2006-01-02", s)
		return t
	}
	opt := func(s string) *time.Time {
		if s == "" {
			return nil
		}
		t := day(s)
		return &t
	}
	switch series {
	case model.SeriesOutgoing:
		rows := make([]registerexport.OutgoingRow, len(entries))
		for i, e := range entries {
			rows[i] = registerexport.OutgoingRow{NumberNotation: e.Code, Date: day(e.DocDate), TypeAndSubject: strings.TrimSpace(e.DocType + " " + e.Subject),
				Signer: e.Party, Recipients: e.Handler, Copies: e.Copies, Notes: e.Notes}
		}
		title := registerexport.OutgoingTitle(year, unit.Name)
		if format == "pdf" {
			return registerexport.OutgoingPDF(ctx, w, title, rows)
		}
		return registerexport.OutgoingXLSX(ctx, w, title, rows)
	default:
		rows := make([]registerexport.IncomingRow, len(entries))
		for i, e := range entries {
			rows[i] = registerexport.IncomingRow{ArrivalDate: day(e.EntryDate), ArrivalNumber: e.Number, Author: e.Party, NumberNotation: e.Code,
				DocDate: opt(e.DocDate), TypeAndSubject: strings.TrimSpace(e.DocType + " " + e.Subject), Handler: e.Handler, Notes: e.Notes}
		}
		title := registerexport.IncomingTitle(year, unit.Name)
		if format == "pdf" {
			return registerexport.IncomingPDF(ctx, w, title, rows)
		}
		return registerexport.IncomingXLSX(ctx, w, title, rows)
	}
}

// Settings are a unit's notation patterns ("" = the default pattern).
type Settings struct {
	LetterPattern string `json:"letter_pattern"`
	OtherPattern  string `json:"other_pattern"`
}

// SaveSettings sets the notation patterns of a unit's outgoing register.
// Patterns use {type}, {agency} and {unit}; e.g. "{agency}-{unit}" gives
// STTTT-TTBCBC for a letter, "{type}-{agency}" gives QĐ-UBND.
func (s *Service) SaveSettings(ctx context.Context, a model.Actor, unitID int64, in Settings) error {
	for field, p := range map[string]string{"letter_pattern": in.LetterPattern, "other_pattern": in.OtherPattern} {
		if p == "" {
			continue
		}
		if len(p) > 100 || !strings.Contains(p, "{agency}") && !strings.Contains(p, "{unit}") && !strings.Contains(p, "{type}") {
			return model.Invalid(field, "%q is not a pattern: use {type}, {agency} and {unit}, e.g. {agency}-{unit}", p)
		}
		rest := strings.NewReplacer("{type}", "", "{agency}", "", "{unit}", "").Replace(p)
		if strings.ContainsAny(rest, "{}/ ") {
			return model.Invalid(field, "%q has an unknown placeholder or a space or '/': only {type}, {agency}, {unit} and '-' are allowed", p)
		}
	}
	return s.store.Tx(ctx, func(tx *storage.Tx) error {
		if _, err := s.unit(ctx, tx.Q, a, unitID, authz.RegWrite); err != nil {
			return err
		}
		if err := tx.Registers().SaveRegisterSettings(ctx, unitID, in.LetterPattern, in.OtherPattern); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "register.settings", "unit", fmt.Sprint(unitID), in.LetterPattern+" "+in.OtherPattern)
	})
}

// GetSettings returns a unit's notation patterns with the defaults filled in.
func (s *Service) GetSettings(ctx context.Context, a model.Actor, unitID int64) (Settings, error) {
	if _, err := s.unit(ctx, s.store.Q, a, unitID, authz.RegRead); err != nil {
		return Settings{}, err
	}
	l, o, err := s.store.Registers().RegisterSettings(ctx, unitID)
	if err != nil {
		return Settings{}, err
	}
	if l == "" {
		l = DefaultLetterPattern
	}
	if o == "" {
		o = DefaultOtherPattern
	}
	return Settings{LetterPattern: l, OtherPattern: o}, nil
}
