package web

import (
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/orgs"
)

type orgData struct {
	Roots   []*model.Unit
	CanEdit bool
}

func (s orgHandlers) uiOrg(w http.ResponseWriter, r *http.Request, p *principal) {
	pd := s.newPage(r, p, "org.title", "org")
	if err := s.withDirectory(r, pd); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	units := make([]*model.Unit, 0, len(pd.units))
	for _, u := range pd.units {
		units = append(units, u)
	}
	pd.Data = orgData{Roots: orgs.Tree(units), CanEdit: s.deps.Policy.ReachOf(p.Actor, authz.UnitWrite) != authz.None}
	s.render(w, r, "org", pd, http.StatusOK)
}

// unitOption is a unit in a select list, indented by depth.
type unitOption struct {
	ID     int64
	Name   string
	Indent string
}

type unitData struct {
	Unit    *model.Unit
	Parent  *model.Unit
	Kinds   []model.UnitKind
	Parents []unitOption
	History []model.UnitChange
	CanEdit bool
}

// IsParent reports whether id is the unit's parent (select lists).
func (d unitData) IsParent(id int64) bool { return d.Unit.ParentID != nil && *d.Unit.ParentID == id }

// unitOptions lists units depth-first, for select lists. When writable is
// set, only units under the actor's write reach are offered.
func (s orgHandlers) unitOptions(pd *pageData, a model.Actor, writable bool) []unitOption {
	units := make([]*model.Unit, 0, len(pd.units))
	for _, u := range pd.units {
		units = append(units, u)
	}
	var out []unitOption
	var walk func([]*model.Unit)
	walk = func(list []*model.Unit) {
		for _, u := range list {
			if !writable || s.deps.Policy.Can(a, authz.UnitWrite, u.Path) {
				out = append(out, unitOption{ID: u.ID, Name: u.Name, Indent: strings.Repeat("· ", u.Depth)})
			}
			walk(u.Children)
		}
	}
	walk(orgs.Tree(units))
	return out
}

func (s orgHandlers) unitPage(w http.ResponseWriter, r *http.Request, p *principal, u *model.Unit, errMsg string, code int) {
	pd := s.newPage(r, p, "org.title", "org")
	if err := s.withDirectory(r, pd); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	kinds, err := s.deps.Orgs.Kinds(r.Context())
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	d := unitData{Unit: u, Kinds: kinds, Parents: s.unitOptions(pd, p.Actor, true)}
	if u.ParentID != nil {
		d.Parent = pd.units[*u.ParentID]
	}
	if u.ID != 0 {
		pd.Title = u.Name
		d.CanEdit = s.deps.Policy.Can(p.Actor, authz.UnitWrite, u.Path)
		if d.History, err = s.deps.Orgs.History(r.Context(), u.ID); err != nil {
			s.renderError(w, r, p, err)
			return
		}
	} else {
		d.CanEdit = len(d.Parents) > 0
	}
	pd.Data = d
	pd.Error = errMsg
	s.render(w, r, "unit", pd, code)
}

func (s orgHandlers) uiUnit(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	u, err := s.deps.Orgs.Unit(r.Context(), id)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	s.unitPage(w, r, p, u, "", http.StatusOK)
}

func (s orgHandlers) uiUnitNew(w http.ResponseWriter, r *http.Request, p *principal) {
	u := &model.Unit{Kind: "other"}
	if v := r.URL.Query().Get("parent"); v != "" {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			u.ParentID = &id
		}
	}
	s.unitPage(w, r, p, u, "", http.StatusOK)
}

func unitForm(r *http.Request) (orgs.UnitInput, error) {
	in := orgs.UnitInput{Code: r.FormValue("code"), Name: r.FormValue("name"), ShortName: r.FormValue("short_name"),
		Kind: r.FormValue("kind"), Abbreviation: r.FormValue("abbreviation"), AgencyID: r.FormValue("agency_id"),
		ActiveFrom: r.FormValue("active_from"), DissolvedOn: r.FormValue("dissolved_on")}
	if v := r.FormValue("parent_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return in, model.Invalid("parent_id", "%q is not a unit id", v)
		}
		in.ParentID = &id
	}
	return in, nil
}

// formFailure re-shows a form with the error, or an error page for errors
// that are not about the input.
func (s orgHandlers) formFailure(w http.ResponseWriter, r *http.Request, p *principal, err error, reshow func(msg string, code int)) {
	var ve *model.ValidationError
	if errors.As(err, &ve) || errors.Is(err, model.ErrConflict) {
		code, _ := errorStatus(err)
		reshow(s.reqText(r, p, err), code)
		return
	}
	s.renderError(w, r, p, err)
}

func (s orgHandlers) uiUnitCreate(w http.ResponseWriter, r *http.Request, p *principal) {
	in, err := unitForm(r)
	if err == nil {
		var u *model.Unit
		if u, err = s.deps.Orgs.CreateUnit(r.Context(), p.Actor, in); err == nil {
			redirectFlash(w, r, fmt.Sprintf("/org/units/%d", u.ID), "flash.saved")
			return
		}
	}
	back := &model.Unit{Code: in.Code, ParentID: in.ParentID, Name: in.Name, ShortName: in.ShortName, Kind: in.Kind,
		Abbreviation: in.Abbreviation, AgencyID: in.AgencyID, ActiveFrom: in.ActiveFrom, DissolvedOn: in.DissolvedOn}
	s.formFailure(w, r, p, err, func(msg string, code int) { s.unitPage(w, r, p, back, msg, code) })
}

func (s orgHandlers) uiUnitSave(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	in, err := unitForm(r)
	if err == nil {
		if _, err = s.deps.Orgs.UpdateUnit(r.Context(), p.Actor, id, in); err == nil {
			redirectFlash(w, r, fmt.Sprintf("/org/units/%d", id), "flash.saved")
			return
		}
	}
	s.formFailure(w, r, p, err, func(msg string, code int) {
		u, uerr := s.deps.Orgs.Unit(r.Context(), id)
		if uerr != nil {
			s.renderError(w, r, p, uerr)
			return
		}
		s.unitPage(w, r, p, u, msg, code)
	})
}

func (s orgHandlers) uiUnitMerge(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	into, err := strconv.ParseInt(r.FormValue("into"), 10, 64)
	if err == nil {
		if _, err = s.deps.Orgs.MergeUnit(r.Context(), p.Actor, id, into, r.FormValue("date")); err == nil {
			redirectFlash(w, r, fmt.Sprintf("/org/units/%d", id), "flash.merged")
			return
		}
	} else {
		err = model.Invalid("into", "choose the unit to merge into")
	}
	s.formFailure(w, r, p, err, func(msg string, code int) {
		u, uerr := s.deps.Orgs.Unit(r.Context(), id)
		if uerr != nil {
			s.renderError(w, r, p, uerr)
			return
		}
		s.unitPage(w, r, p, u, msg, code)
	})
}

func (s orgHandlers) uiOrgImport(w http.ResponseWriter, r *http.Request, p *principal) {
	f, hdr, err := r.FormFile("file")
	if err != nil {
		s.renderError(w, r, p, model.Invalid("file", "choose a CSV or JSON file to import"))
		return
	}
	defer f.Close()
	var recs []orgs.Record
	switch strings.ToLower(filepath.Ext(hdr.Filename)) {
	case ".csv":
		recs, err = orgs.ParseCSV(f)
	case ".json":
		recs, err = orgs.ParseJSON(f)
	default:
		err = model.Invalid("file", "%q is neither .csv nor .json", hdr.Filename)
	}
	if err == nil {
		var res orgs.ImportResult
		if res, err = s.deps.Orgs.Import(r.Context(), p.Actor, recs); err == nil {
			s.deps.Log.Info("organisation import", "user", p.User.Username, "created", res.Created, "updated", res.Updated)
			redirectFlash(w, r, "/org", "flash.imported")
			return
		}
	}
	s.renderError(w, r, p, err)
}
