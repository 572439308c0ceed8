package documents

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/edxml"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// StatusTx tells the sender of a document received as edXML that its
// handling changed (03 registered, 04 assigned, 05 processing, 06 done,
// 02 refused …): it builds the edXML status package and records it as an
// outgoing package of the document in tx, the transaction of the state
// change, so the status exists exactly when the change does. The package
// bytes are kept in the blob store first (content-addressed; if tx rolls
// back they are an orphan that `loa fsck` reports). It returns false,
// without error, when there is nobody to tell (the document did not come
// as edXML, or its unit has no agency identifier on the exchange) or when
// that status was already sent for the document.
func (s *Service) StatusTx(ctx context.Context, tx *storage.Tx, a model.Actor, documentID int64, code edxml.StatusCode, description string) (bool, error) {
	if !code.Valid() {
		return false, model.Invalid("code", "%q is not a status code; use 01, 02, 03, 04, 05, 06, 13, 15 or 16", string(code))
	}
	if len(description) > 2000 {
		return false, model.Invalid("description", "at most 2000 bytes")
	}
	d, err := tx.Documents().Document(ctx, documentID)
	if err != nil {
		return false, err
	}
	unit, err := tx.Orgs().Unit(ctx, d.UnitID)
	if err != nil {
		return false, err
	}
	pkgs, err := tx.Exchange().Packages(ctx, d.ID)
	if err != nil {
		return false, err
	}
	var in *model.ExchangePackage
	for i := range pkgs {
		if pkgs[i].Direction == "in" && pkgs[i].Kind == "document" && in == nil {
			in = &pkgs[i]
		}
		if pkgs[i].Direction == "out" && pkgs[i].Kind == "status" && pkgs[i].StatusCode == string(code) {
			// Each state is reported once: a step repeated (a document
			// passed on again, a retried transaction) sends nothing new.
			return false, nil
		}
	}
	if in == nil || unit.AgencyID == "" {
		return false, nil
	}
	raw, err := encodeStatus(d, unit, in, a, code, description)
	if err != nil {
		return false, err
	}
	info, err := s.blobs.Put(ctx, bytes.NewReader(raw), int64(len(raw))+1)
	if err != nil {
		return false, fmt.Errorf("keep the status package: %w", err)
	}
	if description == "" {
		description = code.String()
	}
	p := &model.ExchangePackage{UnitID: d.UnitID, DocumentID: &d.ID, Direction: "out", Kind: "status", EdXMLDocumentID: in.EdXMLDocumentID,
		StatusCode: string(code), OrganID: in.OrganID, OrganName: in.OrganName, Description: description, PackageSHA: info.SHA256}
	if err := tx.Documents().RecordBlob(ctx, info.SHA256, info.Size, "application/xml"); err != nil {
		return false, err
	}
	if err := tx.Exchange().InsertPackage(ctx, p); err != nil {
		return false, err
	}
	if err := tx.Audit().AppendAudit(ctx, a, "document.edxml_sent", "document", fmt.Sprint(d.ID), fmt.Sprintf("status %s to %s", code, in.OrganID)); err != nil {
		return false, err
	}
	return true, nil
}

// encodeStatus writes the status package of a received document.
func encodeStatus(d *model.Document, unit *model.Unit, in *model.ExchangePackage, a model.Actor, code edxml.StatusCode, description string) ([]byte, error) {
	date := time.Time{}
	if t, err := time.ParseInLocation("2006-01-02", docmodel.Val(d.Fields.Date), time.FixedZone("ICT", 7*3600)); err == nil {
		date = t
	}
	if description == "" {
		description = code.String()
	}
	st := &edxml.Status{
		ResponseFor: edxml.ResponseFor{OrganID: in.OrganID, Code: d.Code(), PromulgationDate: date, DocumentID: in.EdXMLDocumentID},
		From:        edxml.Organ{ID: unit.AgencyID, Name: unit.Name},
		Code:        code, Description: description, Timestamp: time.Now(),
		Staff: edxml.StaffInfo{Staff: a.Username},
	}
	var buf bytes.Buffer
	if err := edxml.EncodeStatus(&buf, st); err != nil {
		return nil, model.Invalid("status", "%v", err)
	}
	return buf.Bytes(), nil
}

// RecipientState is where a document sent as edXML stands at one receiving
// agency: the latest status package that agency sent back.
type RecipientState struct {
	OrganID     string    `json:"organ_id"`
	OrganName   string    `json:"organ_name"`
	StatusCode  string    `json:"status_code"` // "" when nothing came back yet
	Description string    `json:"description"`
	At          time.Time `json:"at"`
}

// DeliveryStates lists, for a document this unit sent as edXML, each
// receiving agency and the latest status it reported (received status
// packages are applied as they are imported).
func (s *Service) DeliveryStates(ctx context.Context, a model.Actor, id int64) ([]RecipientState, error) {
	pkgs, err := s.Exchange(ctx, a, id)
	if err != nil {
		return nil, err
	}
	states := map[string]*RecipientState{}
	for _, p := range pkgs {
		switch {
		case p.Direction == "out" && p.Kind == "document":
			ids, names := strings.Split(p.OrganID, ","), strings.Split(p.OrganName, "|")
			for i, o := range ids {
				if o != "" && states[o] == nil {
					st := &RecipientState{OrganID: o}
					if i < len(names) {
						st.OrganName = names[i]
					}
					states[o] = st
				}
			}
		case p.Direction == "in" && p.Kind == "status":
			st := states[p.OrganID]
			if st == nil {
				st = &RecipientState{OrganID: p.OrganID, OrganName: p.OrganName}
				states[p.OrganID] = st
			}
			if st.StatusCode == "" || !p.At.Before(st.At) {
				st.StatusCode, st.Description, st.At = p.StatusCode, p.Description, p.At
				if p.OrganName != "" {
					st.OrganName = p.OrganName
				}
			}
		}
	}
	out := make([]RecipientState, 0, len(states))
	for _, st := range states {
		out = append(out, *st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OrganID < out[j].OrganID })
	return out, nil
}
