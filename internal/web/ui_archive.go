package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/loa-project/loa/internal/archive"
	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/model"
)

// HasArchive reports whether the archive pages are served.
func (p *pageData) HasArchive() bool { return p.s.deps.Archive != nil }

func (s archiveHandlers) registerArchiveUI() {
	pg := func(h pageHandler) http.HandlerFunc { return s.page(MaxJSONBody, h) }
	s.handle("GET /archive", false, pg(s.uiArchive))
	s.handle("POST /archive/holds", false, pg(s.uiPlaceHold))
	s.handle("POST /archive/holds/{id}/release", false, pg(s.uiReleaseHold))
	s.handle("POST /archive/disposals", false, pg(s.uiPropose))
	s.handle("GET /archive/disposals/{id}", false, pg(s.uiDisposal))
	s.handle("POST /archive/disposals/{id}/decision", false, pg(s.uiDecide))
	s.handle("POST /archive/disposals/{id}/execute", false, pg(s.uiExecute))
	s.handle("GET /archive/rules", false, pg(s.uiRules))
	s.handle("POST /archive/rules", false, pg(s.uiSaveRule))
	s.handle("POST /archive/rules/delete", false, pg(s.uiDeleteRule))
}

type archiveData struct {
	Units     []unitOption
	UnitID    int64
	Due       []model.DueDocument
	Holds     []model.LegalHold
	Lists     []model.DisposalList
	CanWrite  bool
	CanDecide bool
}

func (s archiveHandlers) uiArchive(w http.ResponseWriter, r *http.Request, p *principal) {
	pd := s.newPage(r, p, "arc.title", "archive")
	if err := s.withDirectory(r, pd); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	d := archiveData{Units: s.archiveUnits(pd, p.Actor)}
	if v := r.URL.Query().Get("unit"); v != "" {
		d.UnitID, _ = strconv.ParseInt(v, 10, 64)
	} else {
		for _, o := range d.Units {
			if o.ID == p.User.UnitID {
				d.UnitID = o.ID
			}
		}
		if d.UnitID == 0 && len(d.Units) > 0 {
			d.UnitID = d.Units[0].ID
		}
	}
	if u, ok := pd.units[d.UnitID]; ok {
		d.CanWrite = s.deps.Policy.Can(p.Actor, authz.ArchiveWrite, u.Path)
		d.CanDecide = s.deps.Policy.Can(p.Actor, authz.ArchiveApprove, u.Path)
	}
	ctx := r.Context()
	var err error
	if d.CanWrite {
		if d.Due, err = s.deps.Archive.Due(ctx, p.Actor, d.UnitID); err == nil {
			d.Holds, err = s.deps.Archive.Holds(ctx, p.Actor, d.UnitID)
		}
	}
	if err == nil && (d.CanWrite || d.CanDecide) {
		d.Lists, err = s.deps.Archive.Lists(ctx, p.Actor, d.UnitID)
	}
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	pd.Data = d
	s.render(w, r, "archive", pd, http.StatusOK)
}

func (s archiveHandlers) uiPlaceHold(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := strconv.ParseInt(strings.TrimSpace(r.FormValue("document_id")), 10, 64)
	if err != nil {
		s.renderError(w, r, p, model.Invalid("document_id", "%q is not a document number (the number in the document's address, /documents/N)", r.FormValue("document_id")))
		return
	}
	if _, err := s.deps.Archive.PlaceHold(r.Context(), p.Actor, id, r.FormValue("reason")); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	redirectFlash(w, r, fmt.Sprintf("/archive?unit=%s", r.FormValue("unit")), "flash.arc_held")
}

func (s archiveHandlers) uiReleaseHold(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err == nil {
		err = s.deps.Archive.ReleaseHold(r.Context(), p.Actor, id, r.FormValue("note"))
	}
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	redirectFlash(w, r, fmt.Sprintf("/archive?unit=%s", r.FormValue("unit")), "flash.arc_released")
}

func (s archiveHandlers) uiPropose(w http.ResponseWriter, r *http.Request, p *principal) {
	unit, _ := strconv.ParseInt(r.FormValue("unit"), 10, 64)
	l, err := s.deps.Archive.Propose(r.Context(), p.Actor, archive.ProposeInput{UnitID: unit, Title: r.FormValue("title"), DocumentIDs: formIDs(r.Form["doc"])})
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	redirectFlash(w, r, fmt.Sprintf("/archive/disposals/%d", l.ID), "flash.arc_proposed")
}

type disposalData struct {
	List      *model.DisposalList
	CanWrite  bool
	CanDecide bool
}

func (s archiveHandlers) uiDisposal(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	l, err := s.deps.Archive.List(r.Context(), p.Actor, id)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	pd := s.newPage(r, p, "arc.list_title", "archive")
	if err := s.withDirectory(r, pd); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	d := disposalData{List: l}
	if u, ok := pd.units[l.UnitID]; ok {
		d.CanWrite = s.deps.Policy.Can(p.Actor, authz.ArchiveWrite, u.Path)
		d.CanDecide = s.deps.Policy.Can(p.Actor, authz.ArchiveApprove, u.Path) && (l.CreatedBy == nil || *l.CreatedBy != p.Actor.UserID)
	}
	pd.Data = d
	s.render(w, r, "archive_list", pd, http.StatusOK)
}

func (s archiveHandlers) uiDecide(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err == nil {
		_, err = s.deps.Archive.Decide(r.Context(), p.Actor, id, r.FormValue("decision") == "approve", r.FormValue("note"))
	}
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	redirectFlash(w, r, fmt.Sprintf("/archive/disposals/%d", id), "flash.arc_decided")
}

func (s archiveHandlers) uiExecute(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err == nil {
		_, err = s.deps.Archive.Execute(r.Context(), p.Actor, id)
	}
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	redirectFlash(w, r, fmt.Sprintf("/archive/disposals/%d", id), "flash.arc_executed")
}

type rulesData struct {
	Rules   []model.RetentionRule
	CanEdit bool
}

func (s archiveHandlers) uiRules(w http.ResponseWriter, r *http.Request, p *principal) {
	rules, err := s.deps.Archive.Rules(r.Context(), p.Actor)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	pd := s.newPage(r, p, "arc.rules_title", "archive")
	pd.Data = rulesData{Rules: rules, CanEdit: s.deps.Policy.Can(p.Actor, authz.ArchiveRules, p.Actor.UnitPath)}
	s.render(w, r, "archive_rules", pd, http.StatusOK)
}

func (s archiveHandlers) uiSaveRule(w http.ResponseWriter, r *http.Request, p *principal) {
	years, err := strconv.Atoi(strings.TrimSpace(r.FormValue("years")))
	if err != nil {
		s.renderError(w, r, p, model.Invalid("years", "%q is not a number of years (0 = permanent)", r.FormValue("years")))
		return
	}
	if _, err := s.deps.Archive.SaveRule(r.Context(), p.Actor, model.RetentionRule{DocType: r.FormValue("doc_type"), Years: years, Basis: r.FormValue("basis")}); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	redirectFlash(w, r, "/archive/rules", "flash.saved")
}

func (s archiveHandlers) uiDeleteRule(w http.ResponseWriter, r *http.Request, p *principal) {
	if err := s.deps.Archive.DeleteRule(r.Context(), p.Actor, r.FormValue("doc_type")); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	redirectFlash(w, r, "/archive/rules", "flash.saved")
}
