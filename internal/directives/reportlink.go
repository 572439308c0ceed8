package directives

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/storage"
)

// ReportDocType is the document type of a report letter.
const ReportDocType = "Báo cáo"

// linkReportLetter runs in the transaction that issues a report letter
// (Báo cáo): the deliveries it answers — received by the issuing unit and
// still awaiting its report — become reported, with the letter as the
// report. A letter answers a delivery when it implements it (started from
// the delivery, or from the unit's own implementing letter of the
// delivery: the summary report) or cites the received letter among its
// references (number/notation, and date when given). The inbox form stays
// the other way to report; whichever comes first records the report.
func (s Workflow) linkReportLetter(ctx context.Context, tx *storage.Tx, a model.Actor, d *model.Directive, c Content, code, date string) error {
	if !strings.EqualFold(strings.TrimSpace(c.DocType), ReportDocType) {
		return nil
	}
	open, err := tx.Deliveries().OpenDeliveriesOf(ctx, d.UnitID)
	if err != nil || len(open) == 0 {
		return err
	}
	answers := map[int64]bool{}
	if d.ParentDeliveryID != nil {
		answers[*d.ParentDeliveryID] = true
	}
	if d.ImplementsDocumentID != nil {
		if del, err := tx.Deliveries().DeliveryByDocument(ctx, *d.ImplementsDocumentID); err == nil {
			answers[del.ID] = true
		} else if !errors.Is(err, model.ErrNotFound) {
			return err
		}
		// The summary of the unit's own implementing letter answers the
		// delivery that letter implemented.
		for _, del := range open {
			if del.ForwardDirectiveID == nil {
				continue
			}
			fd, err := tx.Directives().Directive(ctx, *del.ForwardDirectiveID)
			if err != nil {
				return err
			}
			if fd.DocumentID != nil && *fd.DocumentID == *d.ImplementsDocumentID {
				answers[del.ID] = true
			}
		}
	}
	for _, del := range open {
		for _, r := range c.References {
			if citesDelivery(r, del) {
				answers[del.ID] = true
			}
		}
	}
	for _, del := range open {
		if !answers[del.ID] || del.Purpose != RoleMain && del.Purpose != RoleReport {
			continue
		}
		body, err := encodeJSON(Report{Text: fmt.Sprintf("Báo cáo bằng văn bản %s ngày %s: %s", code, shortDate(date), c.Subject),
			LetterID: d.ID, LetterCode: code})
		if err != nil {
			return err
		}
		ch := model.DeliveryChange{Status: Reported, Report: body, At: s.now(), By: userPtr(a)}
		ch.Late = del.DeadlineAt != nil && ch.At.After(*del.DeadlineAt)
		if err := tx.Deliveries().ChangeDelivery(ctx, del.ID, []string{Delivered, Read, Acknowledged, Assigned, Forwarded}, ch); err != nil {
			return err
		}
		if err := tx.Audit().AppendAudit(ctx, a, "delivery.reported", "delivery", fmt.Sprint(del.ID), del.Code+" ← "+code); err != nil {
			return err
		}
		if err := s.appendTrail(ctx, tx, a, del, Reported, ch.At, func(e *model.TrailEntry) { e.Detail = code }); err != nil {
			return err
		}
		if err := s.Notifier().notifyIssuer(ctx, tx, del, Reported); err != nil {
			return err
		}
	}
	return nil
}

// citesDelivery: the reference names the delivered letter (number and
// notation; the date too when the reference gives one).
func citesDelivery(r docmodel.Reference, del *model.Delivery) bool {
	num, notation := docmodel.Val(r.Number), docmodel.Val(r.Notation)
	if num == "" || notation == "" {
		return false
	}
	dn, dnot, ok := strings.Cut(del.Code, "/")
	if !ok || strings.TrimLeft(dn, "0") != strings.TrimLeft(strings.TrimSpace(num), "0") || !strings.EqualFold(strings.TrimSpace(dnot), strings.TrimSpace(notation)) {
		return false
	}
	if date := docmodel.Val(r.Date); date != "" && del.DocDate != "" && date != del.DocDate {
		return false
	}
	return true
}
