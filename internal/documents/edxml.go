package documents

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/edxml"
	"github.com/loa-project/loa/internal/model"
)

// ExportEdXML writes a stored document as an edXML message (QCVN
// 102:2016): the sender is the holding unit, the receivers are the given
// units or else the units whose names match the document's recipients, and
// the original file travels as an attachment. Every agency needs its
// electronic identifier (agency_id).
func (s *Service) ExportEdXML(ctx context.Context, a model.Actor, id int64, toUnits []int64, w io.Writer) error {
	d, err := s.Get(ctx, a, id)
	if err != nil {
		return err
	}
	unit, err := s.store.Orgs().Unit(ctx, d.UnitID)
	if err != nil {
		return err
	}
	from := edxml.Organ{ID: unit.AgencyID, Name: docmodel.Val(d.Fields.Issuer), InCharge: docmodel.Val(d.Fields.ParentIssuer)}
	if from.Name == "" {
		from.Name = unit.Name
	}
	if unit.AgencyID == "" {
		return model.Invalid("agency_id", "unit %q has no agency identifier (e.g. 000.00.17.H33); set it in the organisation tree to exchange edXML", unit.Name)
	}
	to, err := s.receivers(ctx, d, toUnits)
	if err != nil {
		return err
	}
	var atts []edxml.Attachment
	if d.Original != nil {
		f, _, err := s.blobs.Open(ctx, d.Original.SHA256)
		if err != nil {
			return fmt.Errorf("original of document %d: %w", id, err)
		}
		data, err := io.ReadAll(io.LimitReader(f, MaxUpload+1))
		f.Close()
		if err != nil {
			return fmt.Errorf("read original of document %d: %w", id, err)
		}
		atts = append(atts, edxml.Attachment{ContentID: "original", ContentType: d.Original.ContentType, Name: d.Original.Name, Description: "Văn bản gốc", Data: data})
	}
	m, err := edxml.FromFields(d.Fields, from, to, atts)
	if err != nil {
		return model.Invalid("document", "%v", err)
	}
	if err := edxml.Encode(w, m); err != nil {
		return model.Invalid("document", "cannot be exchanged as edXML: %v", err)
	}
	return nil
}

// receivers resolves the receiving agencies of an export.
func (s *Service) receivers(ctx context.Context, d *model.Document, ids []int64) ([]edxml.Organ, error) {
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
