package documents

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/edxml"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// ExportEdXML writes a stored document as an edXML package (QCVN
// 102:2016) and records it as sent. The sender is the holding unit, named
// consistently (its agency id with its own name). The receivers are the
// given units, else those the document was sent to before, else the units
// matching its recipients. A document received as edXML keeps, when
// forwarded, its original DocumentId, the sender's document type code and
// the trace of hops (this unit's hop added); its real attachments travel,
// not the package they came in. Every agency needs its electronic
// identifier (agency_id).
func (s *Service) ExportEdXML(ctx context.Context, a model.Actor, id int64, toUnits []int64, w io.Writer) error {
	d, err := s.Get(ctx, a, id)
	if err != nil {
		return err
	}
	unit, err := s.store.Orgs().Unit(ctx, d.UnitID)
	if err != nil {
		return err
	}
	if unit.AgencyID == "" {
		return model.Invalid("agency_id", "unit %q has no agency identifier (e.g. 000.00.17.H33); set it in the organisation tree to exchange edXML", unit.Name)
	}
	from := edxml.Organ{ID: unit.AgencyID, Name: unit.Name}
	if unit.ParentID != nil {
		if p, err := s.store.Orgs().Unit(ctx, *unit.ParentID); err == nil {
			from.InCharge = p.Name
		}
	}
	pkgs, err := s.store.Exchange().Packages(ctx, d.ID)
	if err != nil {
		return err
	}
	to, err := s.receivers(ctx, d, toUnits, pkgs)
	if err != nil {
		return err
	}
	// The package the document came in, if any.
	var received *edxml.Message
	for _, p := range pkgs {
		if p.Direction == "in" && p.Kind == "document" {
			raw, err := s.readBlob(ctx, p.PackageSHA, maxPackage)
			if err != nil {
				return fmt.Errorf("the received package of document %d: %w", id, err)
			}
			rec, err := edxml.Receive(bytes.NewReader(raw), edxml.Limits{MaxBytes: maxPackage, MaxAttachmentBytes: MaxUpload})
			if err != nil {
				return fmt.Errorf("the received package of document %d: %w", id, err)
			}
			received = rec.Message
		}
	}
	var atts []edxml.Attachment
	files, err := s.store.Exchange().DocumentFiles(ctx, d.ID)
	if err != nil {
		return err
	}
	for i, f := range files {
		data, err := s.readBlob(ctx, f.SHA256, MaxUpload)
		if err != nil {
			return fmt.Errorf("file %s of document %d: %w", f.Name, id, err)
		}
		atts = append(atts, edxml.Attachment{ContentID: fmt.Sprintf("file-%d", i+1), ContentType: f.ContentType, Name: f.Name, Description: f.Name, Data: data})
	}
	if len(atts) == 0 && d.Original != nil && received == nil {
		data, err := s.readBlob(ctx, d.Original.SHA256, MaxUpload)
		if err != nil {
			return fmt.Errorf("original of document %d: %w", id, err)
		}
		atts = append(atts, edxml.Attachment{ContentID: "original", ContentType: d.Original.ContentType, Name: d.Original.Name, Description: "Văn bản gốc", Data: data})
	}
	m, err := edxml.FromFields(d.Fields, from, to, atts)
	if err != nil {
		return model.Invalid("document", "%v", err)
	}
	if received != nil {
		if received.DocumentID != "" {
			m.DocumentID = received.DocumentID
		}
		if received.DocType.TypeName != "" || received.DocType.Type != 0 {
			m.DocType = received.DocType
		}
		m.Trace = append(m.Trace, received.Trace...)
	}
	m.Trace = append(m.Trace, edxml.TraceHeader{OrganID: unit.AgencyID, Timestamp: time.Now()})
	var buf bytes.Buffer
	if err := edxml.Encode(&buf, m); err != nil {
		return model.Invalid("document", "cannot be exchanged as edXML: %v", err)
	}
	if err := s.recordSent(ctx, a, d, "document", m.DocumentID, "", to, m.Code()+" "+m.Subject, buf.Bytes()); err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// readBlob reads a stored file within a size limit.
func (s *Service) readBlob(ctx context.Context, sha string, limit int64) ([]byte, error) {
	f, _, err := s.blobs.Open(ctx, sha)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes: %w", sha, limit, ErrTooLarge)
	}
	return data, nil
}

// recordSent keeps a package the unit sent and records it.
func (s *Service) recordSent(ctx context.Context, a model.Actor, d *model.Document, kind, edxmlID, code string, to []edxml.Organ, desc string, raw []byte) error {
	info, err := s.blobs.Put(ctx, bytes.NewReader(raw), int64(len(raw))+1)
	if err != nil {
		return fmt.Errorf("keep the sent package: %w", err)
	}
	ids, names := make([]string, len(to)), make([]string, len(to))
	for i, o := range to {
		ids[i], names[i] = o.ID, o.Name
	}
	p := &model.ExchangePackage{UnitID: d.UnitID, DocumentID: &d.ID, Direction: "out", Kind: kind, EdXMLDocumentID: edxmlID, StatusCode: code,
		OrganID: strings.Join(ids, ","), OrganName: strings.Join(names, "|"), Description: desc, PackageSHA: info.SHA256}
	return s.store.Tx(ctx, func(tx *storage.Tx) error {
		if err := tx.Documents().RecordBlob(ctx, info.SHA256, info.Size, "application/xml"); err != nil {
			return err
		}
		if err := tx.Exchange().InsertPackage(ctx, p); err != nil {
			return err
		}
		return tx.Audit().AppendAudit(ctx, a, "document.edxml_sent", "document", fmt.Sprint(d.ID), fmt.Sprintf("%s %s to %s", kind, code, p.OrganID))
	})
}

// SendStatus writes a status package about a received document (its
// processing state told back to the sender: 01 arrived … 06 done, 02
// refused, 13/15/16 recall) and records it as sent.
func (s *Service) SendStatus(ctx context.Context, a model.Actor, id int64, code edxml.StatusCode, description string, w io.Writer) error {
	d, err := s.Get(ctx, a, id)
	if err != nil {
		return err
	}
	if _, err := s.unitFor(ctx, a, d.UnitID, authz.DocWrite); err != nil {
		return err
	}
	if !code.Valid() {
		return model.Invalid("code", "%q is not a status code; use 01, 02, 03, 04, 05, 06, 13, 15 or 16", string(code))
	}
	if len(description) > 2000 {
		return model.Invalid("description", "at most 2000 bytes")
	}
	raw, err := s.statusPackage(ctx, a, d, code, description)
	if err != nil {
		return err
	}
	_, err = w.Write(raw)
	return err
}

// statusPackage builds, keeps and records a status package.
func (s *Service) statusPackage(ctx context.Context, a model.Actor, d *model.Document, code edxml.StatusCode, description string) ([]byte, error) {
	unit, err := s.store.Orgs().Unit(ctx, d.UnitID)
	if err != nil {
		return nil, err
	}
	if unit.AgencyID == "" {
		return nil, model.Invalid("agency_id", "unit %q has no agency identifier; set it in the organisation tree to exchange edXML", unit.Name)
	}
	pkgs, err := s.store.Exchange().Packages(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	var in *model.ExchangePackage
	for i := range pkgs {
		if pkgs[i].Direction == "in" && pkgs[i].Kind == "document" {
			in = &pkgs[i]
			break
		}
	}
	if in == nil {
		return nil, model.Invalid("document", "document %d did not come as edXML: there is no sender to tell its status", d.ID)
	}
	raw, err := encodeStatus(d, unit, in, a, code, description)
	if err != nil {
		return nil, err
	}
	if description == "" {
		description = code.String()
	}
	to := []edxml.Organ{{ID: in.OrganID, Name: in.OrganName}}
	if err := s.recordSent(ctx, a, d, "status", in.EdXMLDocumentID, string(code), to, description, raw); err != nil {
		return nil, err
	}
	return raw, nil
}

// receivers resolves the receiving agencies of an export.
func (s *Service) receivers(ctx context.Context, d *model.Document, ids []int64, sent []model.ExchangePackage) ([]edxml.Organ, error) {
	if len(ids) == 0 {
		// The agencies it was sent to before.
		for i := len(sent) - 1; i >= 0; i-- {
			p := sent[i]
			if p.Direction != "out" || p.Kind != "document" || p.OrganID == "" {
				continue
			}
			names := strings.Split(p.OrganName, "|")
			var out []edxml.Organ
			for k, id := range strings.Split(p.OrganID, ",") {
				o := edxml.Organ{ID: id}
				if k < len(names) {
					o.Name = names[k]
				}
				out = append(out, o)
			}
			return out, nil
		}
	}
	var units []*model.Unit
	if len(ids) > 0 {
		for _, id := range ids {
			u, err := s.store.Orgs().Unit(ctx, id)
			if err != nil {
				return nil, model.Invalid("to", "unit %d does not exist", id)
			}
			units = append(units, u)
		}
	} else {
		all, err := s.store.Orgs().Units(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range d.Fields.Recipients {
			for _, u := range all {
				if strings.EqualFold(r, u.Name) || strings.EqualFold(r, u.ShortName) {
					units = append(units, u)
					break
				}
			}
		}
		if len(units) == 0 {
			return nil, model.Invalid("to", "none of the document's recipients is a unit in Loa; name the receiving units (to=ID,ID)")
		}
	}
	out := make([]edxml.Organ, 0, len(units))
	for _, u := range units {
		if u.AgencyID == "" {
			return nil, model.Invalid("to", "unit %q has no agency identifier; set agency_id in the organisation tree or leave it out of the receivers", u.Name)
		}
		out = append(out, edxml.Organ{ID: u.AgencyID, Name: u.Name})
	}
	return out, nil
}

// ImportEdXML stores a received edXML package for a unit (see
// ReceiveEdXML); for a status package the document is the one it is about.
func (s *Service) ImportEdXML(ctx context.Context, a model.Actor, unitID int64, r io.Reader) (*ImportResult, error) {
	res, err := s.ReceiveEdXML(ctx, a, unitID, r)
	if err != nil {
		return nil, err
	}
	return &ImportResult{Document: res.Document, Duplicate: res.Duplicate}, nil
}

// merge fills what the edXML header lacks from the parsed attachment; the
// header wins where both have a value.
func merge(header, parsed docmodel.Fields) docmodel.Fields {
	pick := func(a, b *string) *string {
		if a != nil && *a != "" {
			return a
		}
		return b
	}
	out := parsed
	out.ParentIssuer = pick(header.ParentIssuer, parsed.ParentIssuer)
	out.Issuer = pick(header.Issuer, parsed.Issuer)
	out.DocType = pick(header.DocType, parsed.DocType)
	out.Number = pick(header.Number, parsed.Number)
	out.Notation = pick(header.Notation, parsed.Notation)
	out.Place = pick(header.Place, parsed.Place)
	out.Date = pick(header.Date, parsed.Date)
	out.Subject = pick(header.Subject, parsed.Subject)
	out.Urgency = pick(header.Urgency, parsed.Urgency)
	out.SigningAuthority = pick(header.SigningAuthority, parsed.SigningAuthority)
	out.SignerTitle = pick(header.SignerTitle, parsed.SignerTitle)
	out.SignerName = pick(header.SignerName, parsed.SignerName)
	if len(header.Recipients) > 0 {
		out.Recipients = header.Recipients
	}
	return out
}
