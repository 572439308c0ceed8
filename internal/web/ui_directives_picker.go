package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/textfold"
)

// The recipient picker of the directive editor: a tree of checkboxes
// that renders only what the drafter needs first (the top of the tree
// and the path down to the issuing unit, its own subordinate units open,
// and whatever is already chosen) and loads the rest on demand — through
// two small JSON endpoints with JavaScript, or by reloading the page with
// more branches open without it. With a national tree (34 provinces and
// 3,300 communes) the editor stays small: see docs/benchmarks.md.
//
// Form contract (no JavaScript needed): every unit, group and "all
// communes of X" choice is a checkbox named "rec" whose value is u:ID,
// g:ID or s:ID; a checked choice has a role select "role_<value>" (main,
// report, copy); a choice checked without one takes the role of
// "rec_role". The hidden "rec_picker" marks that the picker was sent (so
// that unchecking everything clears the recipients). The older fields
// rec_main, rec_report and rec_copy are still read when the picker is
// not in the form.

// communeKind is the unit kind "all communes of this unit" selects.
const communeKind = "commune_pc"

// Picker limits.
const (
	pickerMaxQuery   = 100 // bytes of a search query
	pickerMaxResults = 100
	pickerResults    = 30 // default number of search results
	pickerMaxOpen    = 50 // branches opened by a page address
)

// pickerUnit is a unit of the picker, as the page and the JSON
// endpoints show it.
type pickerUnit struct {
	ID       int64  `json:"id"`
	Value    string `json:"value"` // the form value, u:ID
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Trail    string `json:"trail,omitempty"` // names of the ancestors (search results)
	Children int    `json:"children"`        // addressable units directly below
	Communes int    `json:"communes"`        // commune People's Committees below ("all communes")

	Self     bool          `json:"self,omitempty"` // the issuing unit itself: not addressable
	Checked  bool          `json:"-"`
	Role     string        `json:"-"`
	AllRole  string        `json:"-"` // role of "all communes" when chosen
	Open     bool          `json:"-"`
	Kids     []*pickerUnit `json:"-"`
	Selected bool          `json:"-"` // search result already chosen
}

// pickerIndex is the organisation tree as the picker of one directive
// sees it: active units by parent, commune counts, the issuing unit.
type pickerIndex struct {
	byID     map[int64]*model.Unit
	kids     map[int64][]*model.Unit // parent id (0: roots) → active children, by name
	communes map[int64]int
	agency   *model.Unit
	day      string
}

func newPickerIndex(units []*model.Unit, agencyID int64, day string) *pickerIndex {
	x := &pickerIndex{byID: make(map[int64]*model.Unit, len(units)), kids: map[int64][]*model.Unit{}, communes: map[int64]int{}, day: day}
	for _, u := range units {
		x.byID[u.ID] = u
	}
	for _, u := range units {
		if !u.Active(day) {
			continue
		}
		var parent int64
		if u.ParentID != nil && x.byID[*u.ParentID] != nil {
			parent = *u.ParentID
		}
		x.kids[parent] = append(x.kids[parent], u)
		if u.Kind == communeKind {
			for p := u.ParentID; p != nil; {
				pu := x.byID[*p]
				if pu == nil {
					break
				}
				x.communes[pu.ID]++
				p = pu.ParentID
			}
		}
	}
	for _, list := range x.kids {
		sort.SliceStable(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	}
	x.agency = x.byID[agencyID]
	return x
}

// addressable reports whether a unit may be chosen: active that day and
// not the issuing unit itself.
func (x *pickerIndex) addressable(u *model.Unit) bool {
	return u != nil && u.Active(x.day) && (x.agency == nil || u.ID != x.agency.ID)
}

// onPath reports whether u is the issuing unit or one of its ancestors.
func (x *pickerIndex) onPath(u *model.Unit) bool {
	return x.agency != nil && strings.HasPrefix(x.agency.Path, u.Path)
}

func (x *pickerIndex) unit(u *model.Unit) *pickerUnit {
	return &pickerUnit{ID: u.ID, Value: fmt.Sprintf("u:%d", u.ID), Name: u.Name, Kind: u.Kind, Children: len(x.kids[u.ID]),
		Communes: x.communes[u.ID], Self: x.agency != nil && u.ID == x.agency.ID}
}

// children lists the units directly below parent (0: the roots): the
// branch leading to the issuing unit first, then by name.
func (x *pickerIndex) children(parent int64) []*pickerUnit {
	list := x.kids[parent]
	out := make([]*pickerUnit, 0, len(list))
	for _, u := range list {
		if x.onPath(u) {
			out = append(out, x.unit(u))
		}
	}
	for _, u := range list {
		if !x.onPath(u) {
			out = append(out, x.unit(u))
		}
	}
	return out
}

// parentOf is the parent of u (nil for a root or no unit).
func (x *pickerIndex) parentOf(u *model.Unit) *model.Unit {
	if u == nil || u.ParentID == nil {
		return nil
	}
	return x.byID[*u.ParentID]
}

// trail names the ancestors of u, nearest last.
func (x *pickerIndex) trail(u *model.Unit) string {
	var names []string
	for p := u.ParentID; p != nil; {
		pu := x.byID[*p]
		if pu == nil {
			break
		}
		names = append(names, pu.Name)
		p = pu.ParentID
	}
	slices.Reverse(names)
	return strings.Join(names, " › ")
}

// wordsMatch reports whether every query word begins a word of the
// folded name ("hon" finds "Hòn Nghệ", not "Thông tin").
func wordsMatch(words []string, name string) bool {
	nameWords := strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for _, w := range words {
		w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if w == "" {
			continue
		}
		if !slices.ContainsFunc(nameWords, func(n string) bool { return strings.HasPrefix(n, w) }) {
			return false
		}
	}
	return true
}

// search finds addressable units whose name, short name or abbreviation
// has a word beginning with every word of q, ignoring case and diacritics (đ as d): the issuing unit's
// own branch first, then the higher levels, then by name.
func (x *pickerIndex) search(q string, limit int) []*pickerUnit {
	words := textfold.Words(q)
	if len(words) == 0 {
		return nil
	}
	type hit struct {
		u    *model.Unit
		rank int
	}
	var hits []hit
	for _, list := range x.kids {
		for _, u := range list {
			if !x.addressable(u) {
				continue
			}
			if !wordsMatch(words, textfold.Fold(u.Name+" "+u.ShortName+" "+u.Abbreviation)) {
				continue
			}
			rank := 2
			if x.agency != nil && strings.HasPrefix(u.Path, x.agency.Path) {
				rank = 0
			} else if up := x.parentOf(x.agency); up != nil && strings.HasPrefix(u.Path, up.Path) {
				rank = 1
			}
			hits = append(hits, hit{u, rank})
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		a, b := hits[i], hits[j]
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		if a.u.Depth != b.u.Depth {
			return a.u.Depth < b.u.Depth
		}
		return a.u.Name < b.u.Name
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	out := make([]*pickerUnit, 0, len(hits))
	for _, h := range hits {
		p := x.unit(h.u)
		p.Trail = x.trail(h.u)
		out = append(out, p)
	}
	return out
}

// pickerNodeData is a picker node with the page, for the recursive
// template.
type pickerNodeData struct {
	P *pageData
	N *pickerUnit
}

// pickerRoleData is the role chooser of one checked choice.
type pickerRoleData struct {
	P       *pageData
	V, Role string
	Roles   []string
}

// pickerData is the picker part of the editor page.
type pickerData struct {
	Roots    []*pickerUnit
	Groups   []pickerGroup
	Extra    []*pickerUnit // chosen units the tree does not show (dissolved since, …)
	Results  []*pickerUnit // search results without JavaScript
	Query    string
	Searched bool
	Opened   string // open branches, comma-separated (for the next reload)
	Count    int    // choices made
	Roles    []string
}

// pickerGroup is a saved recipient group.
type pickerGroup struct {
	Value, Name string
	Checked     bool
	Role        string
}

// buildPicker lays out the picker for a page: the roots, the path to the
// issuing unit and to every chosen unit open, the branches the address
// opens (?open=1,2) and search results (?rq=).
func buildPicker(x *pickerIndex, selected map[string]string, groups []recipientOption, query url.Values) pickerData {
	pd := pickerData{Roles: []string{directives.RoleMain, directives.RoleReport, directives.RoleCopy}}
	open := map[int64]bool{}
	mark := func(u *model.Unit) {
		for p := u.ParentID; p != nil; {
			pu := x.byID[*p]
			if pu == nil {
				break
			}
			open[pu.ID] = true
			p = pu.ParentID
		}
	}
	if x.agency != nil {
		open[x.agency.ID] = true
		mark(x.agency)
	}
	placed := map[string]bool{}
	for v := range selected {
		kind, idText, _ := strings.Cut(v, ":")
		id, _ := strconv.ParseInt(idText, 10, 64)
		if u := x.byID[id]; u != nil && (kind == "u" || kind == "s") {
			mark(u)
		}
	}
	var opened []string
	for _, f := range strings.Split(query.Get("open"), ",") {
		id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
		if err != nil || x.byID[id] == nil || len(opened) >= pickerMaxOpen {
			continue
		}
		open[id] = true
		opened = append(opened, strconv.FormatInt(id, 10))
	}
	pd.Opened = strings.Join(opened, ",")
	var walk func(parent int64) []*pickerUnit
	walk = func(parent int64) []*pickerUnit {
		list := x.children(parent)
		for _, n := range list {
			n.Role, n.Checked = selected[n.Value], selected[n.Value] != "" && !n.Self
			if n.Checked {
				placed[n.Value] = true
				pd.Count++
			}
			if r := selected[fmt.Sprintf("s:%d", n.ID)]; r != "" && n.Communes > 0 {
				n.AllRole = r
				placed[fmt.Sprintf("s:%d", n.ID)] = true
				pd.Count++
			}
			if open[n.ID] && n.Children > 0 {
				n.Open = true
				n.Kids = walk(n.ID)
			}
		}
		return list
	}
	pd.Roots = walk(0)
	for _, g := range groups {
		pg := pickerGroup{Value: g.Value, Name: g.Name, Role: selected[g.Value]}
		pg.Checked = pg.Role != ""
		if pg.Checked {
			placed[g.Value] = true
			pd.Count++
		}
		pd.Groups = append(pd.Groups, pg)
	}
	for v, role := range selected {
		if placed[v] || !strings.HasPrefix(v, "u:") {
			continue
		}
		id, _ := strconv.ParseInt(strings.TrimPrefix(v, "u:"), 10, 64)
		name := v
		if u := x.byID[id]; u != nil {
			name = u.Name
		}
		pd.Extra = append(pd.Extra, &pickerUnit{ID: id, Value: v, Name: name, Checked: true, Role: role})
		pd.Count++
	}
	sort.Slice(pd.Extra, func(i, j int) bool { return pd.Extra[i].Name < pd.Extra[j].Name })
	if q := strings.TrimSpace(query.Get("rq")); q != "" && len(q) <= pickerMaxQuery {
		pd.Query, pd.Searched = q, true
		pd.Results = x.search(q, pickerResults)
		for _, r := range pd.Results {
			r.Selected = selected[r.Value] != ""
		}
	}
	return pd
}

// pickerRecipients reads the picker's fields into recipients; cur are
// the draft's recipients (labels kept, subtree choices of other kinds
// kept).
func pickerRecipients(r *http.Request, cur []directives.Recipient) ([]directives.Recipient, error) {
	labels := map[string]string{}
	var kept []directives.Recipient
	for _, rc := range cur {
		switch {
		case rc.UnitID != 0:
			labels[fmt.Sprintf("u:%d", rc.UnitID)] = rc.Label
		case rc.GroupID != 0:
			labels[fmt.Sprintf("g:%d", rc.GroupID)] = rc.Label
		case slices.Equal(rc.Kinds, []string{communeKind}):
			labels[fmt.Sprintf("s:%d", rc.SubtreeOf)] = rc.Label
		default:
			kept = append(kept, rc)
		}
	}
	def := r.FormValue("rec_role")
	if def == "" {
		def = directives.RoleMain
	}
	values := r.Form["rec"]
	if len(values) > directives.MaxRecipients {
		return nil, i18n.Localise(model.Invalid("rec", "at most %d recipients", directives.MaxRecipients), "dir.picker.err.too_many", directives.MaxRecipients)
	}
	seen := map[string]bool{}
	var out []directives.Recipient
	for _, v := range values {
		if seen[v] {
			continue
		}
		seen[v] = true
		kind, idText, ok := strings.Cut(v, ":")
		id, err := strconv.ParseInt(idText, 10, 64)
		if !ok || err != nil || id <= 0 || (kind != "u" && kind != "g" && kind != "s") {
			return nil, i18n.Localise(model.Invalid("rec", "%q is not a unit, group or commune choice", v), "dir.picker.err.choice", v)
		}
		role := r.FormValue("role_" + v)
		if role == "" {
			role = def
		}
		if role != directives.RoleMain && role != directives.RoleReport && role != directives.RoleCopy {
			return nil, i18n.Localise(model.Invalid("role_"+v, "%q is not a role: use main, report or copy", role), "dir.picker.err.role", role)
		}
		rc := directives.Recipient{Role: role, Label: labels[v]}
		switch kind {
		case "u":
			rc.UnitID = id
		case "g":
			rc.GroupID = id
		default:
			rc.SubtreeOf, rc.Kinds = id, []string{communeKind}
		}
		out = append(out, rc)
	}
	return append(out, kept...), nil
}

// pickerReload is where the editor goes after a no-JavaScript picker
// button (open or close a branch, search): the same page with the
// branches and the query in the address, back at the picker.
func pickerReload(r *http.Request, id int64) (string, bool) {
	toggle, rq := r.FormValue("rec_open"), strings.TrimSpace(r.FormValue("rq"))
	// Enter in the search box sends the form with its first button (a
	// plain save): a query other than the one shown is a search too.
	find := r.FormValue("rec_find") != "" || (rq != "" && rq != strings.TrimSpace(r.FormValue("rq_prev")))
	if toggle == "" && !find {
		return "", false
	}
	var opened []string
	for _, f := range strings.Split(r.FormValue("rec_opened"), ",") {
		if f = strings.TrimSpace(f); f != "" && f != toggle && len(opened) < pickerMaxOpen {
			if _, err := strconv.ParseInt(f, 10, 64); err == nil {
				opened = append(opened, f)
			}
		}
	}
	if toggle != "" && !strings.Contains(","+r.FormValue("rec_opened")+",", ","+toggle+",") {
		if _, err := strconv.ParseInt(toggle, 10, 64); err == nil {
			opened = append(opened, toggle)
		}
	}
	q := url.Values{}
	if len(opened) > 0 {
		q.Set("open", strings.Join(opened, ","))
	}
	if rq != "" {
		q.Set("rq", rq)
	}
	to := fmt.Sprintf("/directives/%d", id)
	if len(q) > 0 {
		to += "?" + q.Encode()
	}
	return to + "#rec-picker", true
}

// pickerFor loads the index for a directive the actor may edit.
func (s directiveHandlers) pickerFor(ctx context.Context, a model.Actor, id int64) (*pickerIndex, error) {
	v, err := s.deps.Directives.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !v.Can.Edit {
		return nil, fmt.Errorf("recipients of directive %d: only its drafters choose them while it is a draft: %w", id, model.ErrForbidden)
	}
	units, err := s.deps.Orgs.Units(ctx)
	if err != nil {
		return nil, err
	}
	return newPickerIndex(units, v.UnitID, today()), nil
}

func (s directiveHandlers) registerPickerAPI() {
	j := func(h apiHandler) http.HandlerFunc { return s.api(MaxJSONBody, h) }
	s.handle("GET /api/v1/directives/{id}/recipients/children", true, j(jsonList(s.Server, "units", func(r *http.Request, p *principal) ([]*pickerUnit, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		x, err := s.pickerFor(r.Context(), p.Actor, id)
		if err != nil {
			return nil, err
		}
		var parent int64
		if v := r.URL.Query().Get("parent"); v != "" && v != "0" {
			if parent, err = strconv.ParseInt(v, 10, 64); err != nil || parent < 0 {
				return nil, i18n.Localise(model.Invalid("parent", "%q is not a unit id", v), "dir.picker.err.parent", v)
			}
			if u := x.byID[parent]; u == nil || !u.Active(x.day) {
				return nil, fmt.Errorf("unit %d: %w", parent, model.ErrNotFound)
			}
		}
		return x.children(parent), nil
	})))
	s.handle("GET /api/v1/directives/{id}/recipients/search", true, j(jsonList(s.Server, "units", func(r *http.Request, p *principal) ([]*pickerUnit, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		q := strings.TrimSpace(r.URL.Query().Get("q"))
		if q == "" || len(q) > pickerMaxQuery {
			return nil, i18n.Localise(model.Invalid("q", "give 1 to %d bytes to search for", pickerMaxQuery), "dir.picker.err.query", pickerMaxQuery)
		}
		limit := pickerResults
		if v := r.URL.Query().Get("limit"); v != "" {
			if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > pickerMaxResults {
				return nil, i18n.Localise(model.Invalid("limit", "%q: give a number from 1 to %d", v, pickerMaxResults), "dir.picker.err.limit", pickerMaxResults)
			}
		}
		x, err := s.pickerFor(r.Context(), p.Actor, id)
		if err != nil {
			return nil, err
		}
		return x.search(q, limit), nil
	})))
}
