package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/directives"
	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
)

// The directive pages: the boxes of directives (drafts, waiting for
// approval or issue, issued), the editor with autosave and live preview,
// approval and issuing, the tracking matrix with the cascade tree, the
// inbox and the handling of one delivery.

// DirectivePages is what the pages need beyond the API interface.
type DirectivePages interface {
	Signers(ctx context.Context, a model.Actor, id int64) ([]*model.User, error)
	RecipientGroups(ctx context.Context, a model.Actor, id int64) ([]*model.Group, error)
	Assignees(ctx context.Context, a model.Actor, id int64) ([]*model.User, []*model.Unit, error)
}

var directivePageNames = []string{"directives", "directives_edit", "directives_tracking", "directives_inbox", "directives_delivery", "directives_notifications"}

// parseDirectiveTemplates adds the directive pages to s.tmpl.
func (s directiveHandlers) parseDirectiveTemplates() error {
	funcs := template.FuncMap{
		"val":      docmodel.Val,
		"has":      func(m map[string]string, k string) bool { _, ok := m[k]; return ok },
		"role":     func(m map[string]string, k string) string { return m[k] },
		"inc":      func(i int) int { return i + 1 },
		"contains": func(list []string, s string) bool { return containsString(list, s) },
		"pct":      func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) },
		"lines":    func(s string) []string { return strings.Split(s, "\n") },
		"list":     func(xs ...string) []string { return xs },
		"deref":    func(p *int64) int64 { return *p },
		"trail":    trailOf,
		"step": func(steps []directives.ApprovalStep, i int) string {
			if i >= 0 && i < len(steps) {
				return steps[i].Label
			}
			return ""
		},
		"branch": func(p *pageData, b *directives.Branch) branchData { return branchData{P: p, B: b} },
		"pknode": func(p *pageData, n *pickerUnit) pickerNodeData { return pickerNodeData{P: p, N: n} },
		"pkrole": func(p *pageData, v, role string) pickerRoleData {
			return pickerRoleData{P: p, V: v, Role: role, Roles: []string{directives.RoleMain, directives.RoleReport, directives.RoleCopy}}
		},
	}
	for _, name := range directivePageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/trail.html", "templates/"+name+".html")
		if err != nil {
			return fmt.Errorf("parse template %s: %w", name, err)
		}
		s.tmpl[name] = t
	}
	return nil
}

// branchData is a cascade branch with the page, for the recursive
// template.
type branchData struct {
	P *pageData
	B *directives.Branch
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// HasDirectives reports whether this server runs the directives service
// (for the layout's navigation).
func (p *pageData) HasDirectives() bool { return p.s.deps.Directives != nil }

// StateName names a delivery or directive state in the page's language.
func (p *pageData) StateName(state string) string { return p.T("dir.state." + state) }

func (s directiveHandlers) registerDirectivePages() {
	if err := s.parseDirectiveTemplates(); err != nil {
		// The templates are embedded: a parse error is a programming error
		// caught by every test that starts the server.
		panic(err)
	}
	pg := func(h pageHandler) http.HandlerFunc { return s.page(MaxJSONBody, h) }
	s.handle("GET /ui/directives.js", false, s.directivesJS)
	s.handle("GET /ui/directives.css", false, s.directivesCSS)
	s.handle("GET /directives", false, pg(s.uiDirectives))
	s.handle("POST /directives/new", false, pg(s.uiDirectiveNew))
	s.handle("GET /directives/{id}", false, pg(s.uiDirective))
	s.handle("POST /directives/{id}", false, pg(s.uiDirectiveSave))
	s.handle("POST /directives/{id}/autosave", false, pg(s.uiDirectiveAutosave))
	s.handle("POST /directives/{id}/attachments", false, s.page(MaxAttachmentUpload, s.uiDirectiveUpload))
	s.handle("POST /directives/{id}/{action}", false, pg(s.uiDirectiveAction))
	s.handle("GET /directives/{id}/tracking", false, pg(s.uiTracking))
	s.handle("GET /inbox", false, pg(s.uiInbox))
	s.handle("GET /inbox/{id}", false, pg(s.uiDelivery))
	s.handle("POST /inbox/{id}/{action}", false, pg(s.uiDeliveryAction))
	s.handle("GET /notifications", false, pg(s.uiNotifications))
	s.handle("POST /notifications/{id}/read", false, pg(s.uiNotificationRead))
}

func (s directiveHandlers) pages() (DirectivePages, bool) {
	p, ok := s.deps.Directives.(DirectivePages)
	return p, ok
}

type dirListData struct {
	Box      string
	Boxes    []string
	Items    []*directives.View
	CanDraft bool
}

func (s directiveHandlers) uiDirectives(w http.ResponseWriter, r *http.Request, p *principal) {
	pd := s.newPage(r, p, "dir.title", "directives")
	if err := s.withDirectory(r, pd); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	box := r.URL.Query().Get("box")
	if box == "" {
		box = "mine"
	}
	list, err := s.deps.Directives.List(r.Context(), p.Actor, directives.ListFilter{Box: box})
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	pd.Data = dirListData{Box: box, Boxes: []string{"mine", "approve", "issue", "issued"}, Items: list,
		CanDraft: s.deps.Policy.Can(p.Actor, authz.DirectiveDraft, p.Actor.UnitPath)}
	s.render(w, r, "directives", pd, http.StatusOK)
}

func (s directiveHandlers) uiDirectiveNew(w http.ResponseWriter, r *http.Request, p *principal) {
	var v *directives.View
	var err error
	if d := r.FormValue("delivery"); d != "" {
		id, perr := strconv.ParseInt(d, 10, 64)
		if perr != nil {
			s.renderError(w, r, p, model.Invalid("delivery", "%q is not a delivery id", d))
			return
		}
		v, err = s.deps.Directives.Implement(r.Context(), p.Actor, directives.ImplementInput{DeliveryID: id})
	} else if d := r.FormValue("document"); d != "" {
		id, perr := strconv.ParseInt(d, 10, 64)
		if perr != nil {
			s.renderError(w, r, p, model.Invalid("document", "%q is not a document id", d))
			return
		}
		v, err = s.deps.Directives.Implement(r.Context(), p.Actor, directives.ImplementInput{DocumentID: id})
	} else {
		v, err = s.deps.Directives.Create(r.Context(), p.Actor, directives.CreateInput{Content: directives.Content{DocType: "Công văn"}})
	}
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	redirectFlash(w, r, fmt.Sprintf("/directives/%d", v.ID), "dir.flash.created")
}

// recipientOption is a unit or group in the recipient lists.
type recipientOption struct {
	Value, Name string
}

// itemRow is one content item in the editor.
type itemRow struct {
	Index int
	Item  directives.Item
	Level string
}

type dirEditData struct {
	D         *directives.Detail
	Groups    []recipientOption
	Selected  map[string]string // option value → role
	Picker    pickerData
	Plan      []planRow // the broadcast plan of the content items (approver's view)
	Subtrees  []directives.Recipient
	Items     []itemRow
	Audio     []directives.Attachment
	Signers   []*model.User
	DocTypes  []string
	Levels    []string
	Urgencies []string
	Secrecies []string
	Archive   string
	Boxes     []string
}

var docTypes = []string{"Công văn", "Kế hoạch", "Thông báo", "Hướng dẫn", "Báo cáo", "Quyết định", "Chỉ thị", "Công điện", "Tờ trình", "Giấy mời"}

func (s directiveHandlers) uiDirective(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	s.directivePage(w, r, p, id, "", http.StatusOK)
}

func (s directiveHandlers) directivePage(w http.ResponseWriter, r *http.Request, p *principal, id int64, errMsg string, code int) {
	d, err := s.deps.Directives.Detail(r.Context(), p.Actor, id)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	pd := s.newPage(r, p, "dir.title", "directives")
	if err := s.withDirectory(r, pd); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	pd.Title = d.Subject
	if d.Code != "" {
		pd.Title = d.Code + " · " + d.Subject
	}
	if pd.Title == "" {
		pd.Title = pd.T("dir.untitled")
	}
	data := dirEditData{D: d, Selected: map[string]string{}, DocTypes: docTypes, Levels: []string{"normal", "priority", "emergency"},
		Urgencies: []string{"", "KHẨN", "THƯỢNG KHẨN", "HỎA TỐC"}, Secrecies: []string{"", "MẬT", "TỐI MẬT", "TUYỆT MẬT"},
		Archive: strings.Join(d.Content.Archive, ", ")}
	if d.Can.Edit {
		pages, ok := s.pages()
		if ok {
			if groups, err := pages.RecipientGroups(r.Context(), p.Actor, id); err == nil {
				for _, g := range groups {
					data.Groups = append(data.Groups, recipientOption{Value: fmt.Sprintf("g:%d", g.ID), Name: g.Name})
				}
			}
			if data.Signers, err = pages.Signers(r.Context(), p.Actor, id); err != nil {
				s.renderError(w, r, p, err)
				return
			}
		}
	}
	for _, rc := range d.Content.Recipients {
		switch {
		case rc.UnitID != 0:
			data.Selected[fmt.Sprintf("u:%d", rc.UnitID)] = rc.Role
		case rc.GroupID != 0:
			data.Selected[fmt.Sprintf("g:%d", rc.GroupID)] = rc.Role
		case slices.Equal(rc.Kinds, []string{communeKind}):
			data.Selected[fmt.Sprintf("s:%d", rc.SubtreeOf)] = rc.Role
		default:
			data.Subtrees = append(data.Subtrees, rc)
		}
	}
	if d.Can.Edit {
		units := make([]*model.Unit, 0, len(pd.units))
		for _, u := range pd.units {
			units = append(units, u)
		}
		data.Picker = buildPicker(newPickerIndex(units, d.UnitID, today()), data.Selected, data.Groups, r.URL.Query())
	}
	data.Plan = broadcastPlan(d.Content)
	for i, it := range d.Content.Items {
		row := itemRow{Index: i, Item: it, Level: "priority"}
		if it.Broadcast != nil {
			row.Level = it.Broadcast.Level.String()
		}
		data.Items = append(data.Items, row)
	}
	if d.Can.Edit {
		data.Items = append(data.Items, itemRow{Index: len(d.Content.Items), Level: "priority"})
	}
	for _, a := range d.Content.Attachments {
		if a.Kind == "audio" {
			data.Audio = append(data.Audio, a)
		}
	}
	// Audio an item carries without an attachment (a draft saved before
	// received audio became attachments) stays selectable, so saving the
	// form does not drop it.
	for _, it := range d.Content.Items {
		if it.Broadcast == nil {
			continue
		}
		for _, sha := range it.Broadcast.Audio {
			if !slices.ContainsFunc(data.Audio, func(a directives.Attachment) bool { return a.SHA256 == sha }) {
				data.Audio = append(data.Audio, directives.Attachment{Kind: "audio", SHA256: sha, Name: "♪ " + sha[:min(12, len(sha))]})
			}
		}
	}
	pd.Data = data
	pd.Error = errMsg
	s.render(w, r, "directives_edit", pd, code)
}

// contentFromForm reads the editor form over the current content (what
// the form does not show, such as references, attachments, subtree
// recipients and item slots, is kept).
func contentFromForm(r *http.Request, cur directives.Content) (directives.Content, error) {
	c := cur
	c.DocType = r.FormValue("doc_type")
	c.Subject = r.FormValue("subject")
	c.Urgency = r.FormValue("urgency")
	c.Confidentiality = r.FormValue("confidentiality")
	c.Place = r.FormValue("place")
	c.Deadline = r.FormValue("deadline")
	c.Intro = strings.ReplaceAll(r.FormValue("intro"), "\r\n", "\n")
	c.Closing = strings.ReplaceAll(r.FormValue("closing"), "\r\n", "\n")
	c.SigningAuthority = r.FormValue("signing_authority")
	c.SignerTitle = r.FormValue("signer_title")
	c.Archive = nil
	for _, a := range strings.Split(r.FormValue("archive"), ",") {
		if a = strings.TrimSpace(a); a != "" {
			c.Archive = append(c.Archive, a)
		}
	}
	c.SignerUserID = 0
	if v := r.FormValue("signer_user_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return c, model.Invalid("signer_user_id", "%q is not a user id", v)
		}
		c.SignerUserID = id
	}
	labels := map[string]string{}
	var subtrees []directives.Recipient
	for _, rc := range cur.Recipients {
		switch {
		case rc.UnitID != 0:
			labels[fmt.Sprintf("%s/u:%d", rc.Role, rc.UnitID)] = rc.Label
		case rc.GroupID != 0:
			labels[fmt.Sprintf("%s/g:%d", rc.Role, rc.GroupID)] = rc.Label
		default:
			subtrees = append(subtrees, rc)
		}
	}
	if r.FormValue("rec_picker") != "" {
		recs, err := pickerRecipients(r, cur.Recipients)
		if err != nil {
			return c, err
		}
		c.Recipients = recs
		return itemsFromForm(r, cur, c)
	}
	c.Recipients = nil
	for _, role := range []string{directives.RoleMain, directives.RoleReport, directives.RoleCopy} {
		for _, v := range r.Form["rec_"+role] {
			kind, idText, ok := strings.Cut(v, ":")
			id, err := strconv.ParseInt(idText, 10, 64)
			if !ok || err != nil || (kind != "u" && kind != "g") {
				return c, model.Invalid("recipients", "%q is not a unit or group choice", v)
			}
			rc := directives.Recipient{Role: role, Label: labels[role+"/"+v]}
			if kind == "u" {
				rc.UnitID = id
			} else {
				rc.GroupID = id
			}
			c.Recipients = append(c.Recipients, rc)
		}
	}
	c.Recipients = append(c.Recipients, subtrees...)
	return itemsFromForm(r, cur, c)
}

// itemsFromForm reads the content items of the editor form into c.
func itemsFromForm(r *http.Request, cur, c directives.Content) (directives.Content, error) {
	n, _ := strconv.Atoi(r.FormValue("items"))
	if n < 0 || n > directives.MaxItems+1 {
		return c, model.Invalid("items", "too many items")
	}
	c.Items = nil
	for i := 0; i < n; i++ {
		text := strings.TrimSpace(r.FormValue(fmt.Sprintf("item_text_%d", i)))
		if text == "" {
			continue
		}
		it := directives.Item{Label: r.FormValue(fmt.Sprintf("item_label_%d", i)), Text: text}
		if r.FormValue(fmt.Sprintf("item_bc_%d", i)) != "" {
			b := &directives.BroadcastSpec{StartDate: r.FormValue(fmt.Sprintf("item_start_%d", i)), EndDate: r.FormValue(fmt.Sprintf("item_end_%d", i)),
				Audio: r.Form[fmt.Sprintf("item_audio_%d", i)]}
			if i < len(cur.Items) && cur.Items[i].Broadcast != nil {
				b.Text, b.Slots = cur.Items[i].Broadcast.Text, cur.Items[i].Broadcast.Slots
			}
			lv, err := schedule.ParseLevel(r.FormValue(fmt.Sprintf("item_level_%d", i)))
			if err != nil {
				return c, model.Invalid(fmt.Sprintf("items[%d].broadcast.level", i), "%v", err)
			}
			b.Level = lv
			if t := r.FormValue(fmt.Sprintf("item_times_%d", i)); t != "" {
				if b.TimesPerDay, err = strconv.Atoi(t); err != nil {
					return c, model.Invalid(fmt.Sprintf("items[%d].broadcast.times_per_day", i), "%q is not a number", t)
				}
			}
			it.Broadcast = b
		}
		c.Items = append(c.Items, it)
	}
	return c, nil
}

func (s directiveHandlers) saveForm(r *http.Request, p *principal, id int64, autosave bool) (*directives.View, error) {
	cur, err := s.deps.Directives.Get(r.Context(), p.Actor, id)
	if err != nil {
		return nil, err
	}
	c, err := contentFromForm(r, cur.Content)
	if err != nil {
		return nil, err
	}
	base, err := strconv.Atoi(r.FormValue("base_version"))
	if err != nil {
		return nil, model.Invalid("base_version", "the form lost its version; reload the page")
	}
	return s.deps.Directives.Save(r.Context(), p.Actor, id, directives.SaveInput{BaseVersion: base, Content: c, Autosave: autosave, Note: r.FormValue("note")})
}

func (s directiveHandlers) uiDirectiveSave(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	if _, err := s.saveForm(r, p, id, false); err != nil {
		s.orgs().formFailure(w, r, p, err, func(msg string, code int) { s.directivePage(w, r, p, id, msg, code) })
		return
	}
	if to, ok := pickerReload(r, id); ok {
		redirectFlash(w, r, to, "flash.saved")
		return
	}
	redirectFlash(w, r, fmt.Sprintf("/directives/%d", id), "flash.saved")
}

// uiDirectiveAutosave saves the editor in the background (JSON answer).
func (s directiveHandlers) uiDirectiveAutosave(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.saveForm(r, p, id, true)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"version": v.Version, "updated_at": v.UpdatedAt})
}

func (s directiveHandlers) uiDirectiveUpload(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		s.renderError(w, r, p, model.Invalid("file", "choose a file to attach"))
		return
	}
	defer f.Close()
	if _, err := s.deps.Directives.Upload(r.Context(), p.Actor, id, hdr.Filename, hdr.Header.Get("Content-Type"), f); err != nil {
		s.orgs().formFailure(w, r, p, dirUploadError(err), func(msg string, code int) { s.directivePage(w, r, p, id, msg, code) })
		return
	}
	redirectFlash(w, r, fmt.Sprintf("/directives/%d", id), "dir.flash.attached")
}

func (s directiveHandlers) uiDirectiveAction(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	ctx, a, comment := r.Context(), p.Actor, r.FormValue("comment")
	to, flash := fmt.Sprintf("/directives/%d", id), "flash.saved"
	switch r.PathValue("action") {
	case "submit":
		_, err = s.deps.Directives.Submit(ctx, a, id, comment)
		flash = "dir.flash.submitted"
	case "approve":
		_, err = s.deps.Directives.Approve(ctx, a, id, comment)
		flash = "dir.flash.approved"
	case "return":
		_, err = s.deps.Directives.Return(ctx, a, id, comment)
		flash = "dir.flash.returned"
	case "issue":
		var v *directives.View
		if v, err = s.deps.Directives.Issue(ctx, a, id, directives.IssueInput{Date: r.FormValue("date")}); err == nil {
			to = fmt.Sprintf("/directives/%d/tracking", v.ID)
		}
		flash = "dir.flash.issued"
	case "comment":
		_, err = s.deps.Directives.Comment(ctx, a, id, r.FormValue("text"))
		flash = "dir.flash.commented"
	case "correct":
		var v *directives.View
		if v, err = s.deps.Directives.Correct(ctx, a, id, r.FormValue("kind")); err == nil {
			to = fmt.Sprintf("/directives/%d", v.ID)
		}
		flash = "dir.flash.created"
	case "summary":
		var v *directives.View
		if v, err = s.deps.Directives.CreateSummaryDraft(ctx, a, id); err == nil {
			to = fmt.Sprintf("/directives/%d", v.ID)
		}
		flash = "dir.flash.created"
	case "remind":
		in := directives.RemindInput{Kind: r.FormValue("kind"), Message: r.FormValue("message"), Channels: r.Form["channel"],
			AllOverdue: r.FormValue("all_overdue") == "1"}
		for _, v := range r.Form["delivery"] {
			del, perr := strconv.ParseInt(v, 10, 64)
			if perr != nil {
				s.renderError(w, r, p, model.Invalid("delivery", "%q is not a delivery number", v))
				return
			}
			in.DeliveryIDs = append(in.DeliveryIDs, del)
		}
		var res *directives.RemindResult
		if res, err = s.deps.Directives.Remind(ctx, a, id, in); err == nil && res.Sent == 0 {
			flash = "dir.flash.reminded_none"
		} else {
			flash = "dir.flash.reminded"
		}
		to = fmt.Sprintf("/directives/%d/tracking", id)
	case "settings":
		err = s.saveReminderSettings(r, a)
		to, flash = fmt.Sprintf("/directives/%d/tracking", id), "flash.saved"
	case "close":
		del, perr := strconv.ParseInt(r.FormValue("delivery"), 10, 64)
		if perr != nil {
			s.renderError(w, r, p, model.Invalid("delivery", "choose the delivery to close"))
			return
		}
		_, err = s.deps.Directives.Close(ctx, a, del)
		to, flash = fmt.Sprintf("/directives/%d/tracking", id), "dir.flash.closed"
	default:
		s.renderError(w, r, p, fmt.Errorf("no such action %q: %w", r.PathValue("action"), model.ErrNotFound))
		return
	}
	if err != nil {
		s.orgs().formFailure(w, r, p, err, func(msg string, code int) { s.directivePage(w, r, p, id, msg, code) })
		return
	}
	redirectFlash(w, r, to, flash)
}

type trackingData struct {
	T        *directives.Tracking
	Tree     *directives.Branch
	Filter   directives.TrackingFilter
	States   []string
	Query    string
	CanTrack bool
	// Settings are the issuing unit's reminder and escalation settings,
	// shown for editing to its administrators.
	Settings *directives.Settings
}

// saveReminderSettings changes the reminder and escalation settings of a
// unit from the tracking page's form, keeping its other settings.
func (s directiveHandlers) saveReminderSettings(r *http.Request, a model.Actor) error {
	unit, err := strconv.ParseInt(r.FormValue("unit"), 10, 64)
	if err != nil {
		return model.Invalid("unit", "choose the unit whose settings change")
	}
	cur, err := s.deps.Directives.GetSettings(r.Context(), a, unit)
	if err != nil {
		return err
	}
	next := *cur
	next.WebhookSecret = ""
	for _, f := range []struct {
		name string
		dst  *int
	}{{"remind_after_minutes", &next.RemindAfterMinutes}, {"remind_every_minutes", &next.RemindEveryMinutes},
		{"max_reminders", &next.MaxReminders}, {"escalate_after_minutes", &next.EscalateAfterMinutes}} {
		v, err := strconv.Atoi(strings.TrimSpace(r.FormValue(f.name)))
		if err != nil {
			return model.Invalid(f.name, "write a whole number (0 turns it off)")
		}
		*f.dst = v
	}
	next.EmailNotifications = r.FormValue("email_notifications") == "1"
	_, err = s.deps.Directives.SaveSettings(r.Context(), a, unit, next)
	return err
}

func (s directiveHandlers) uiTracking(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	f := dirTrackingFilter(r)
	t, err := s.deps.Directives.Track(r.Context(), p.Actor, id, f)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	tree, err := s.deps.Directives.Tree(r.Context(), p.Actor, id)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	pd := s.newPage(r, p, "dir.tracking", "directives")
	if err := s.withDirectory(r, pd); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	pd.Title = pd.T("dir.tracking") + " · " + t.Directive.Code
	td := trackingData{T: t, Tree: tree, Filter: f, Query: r.URL.RawQuery, CanTrack: t.Directive.Can.Track,
		States: []string{"pending", "delivered", "read", "acknowledged", "assigned", "forwarded", "reported", "closed", "declined", "failed"}}
	if slices.Contains(p.Actor.Roles, model.RoleAdmin) {
		if st, err := s.deps.Directives.GetSettings(r.Context(), p.Actor, t.Directive.UnitID); err == nil {
			td.Settings = st
		}
	}
	pd.Data = td
	s.render(w, r, "directives_tracking", pd, http.StatusOK)
}

type inboxData struct {
	Items    []*directives.DeliveryView
	Filter   directives.InboxFilter
	States   []string
	Next     string
	Assigned bool
}

func (s directiveHandlers) uiInbox(w http.ResponseWriter, r *http.Request, p *principal) {
	f, err := dirInboxFilter(r)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	list, err := s.deps.Directives.Inbox(r.Context(), p.Actor, f)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	pd := s.newPage(r, p, "dir.inbox", "inbox")
	if err := s.withDirectory(r, pd); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	d := inboxData{Items: list, Filter: f, Assigned: f.Assigned, States: []string{"delivered", "read", "acknowledged", "assigned", "forwarded", "reported", "closed", "declined"}}
	limit := f.Limit
	if limit == 0 {
		limit = 50
	}
	if len(list) == limit {
		q := r.URL.Query()
		q.Set("before", strconv.FormatInt(list[len(list)-1].ID, 10))
		d.Next = "/inbox?" + q.Encode()
	}
	pd.Data = d
	s.render(w, r, "directives_inbox", pd, http.StatusOK)
}

type deliveryData struct {
	D     *directives.DeliveryDetail
	Users []*model.User
	Units []*model.Unit
}

func (s directiveHandlers) uiDelivery(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	s.deliveryPage(w, r, p, id, "", http.StatusOK)
}

func (s directiveHandlers) deliveryPage(w http.ResponseWriter, r *http.Request, p *principal, id int64, errMsg string, code int) {
	ctx := r.Context()
	// Opening the delivery is reading it (recorded once, with who and when).
	if _, err := s.deps.Directives.MarkRead(ctx, p.Actor, id); err != nil && !errors.Is(err, model.ErrForbidden) {
		s.renderError(w, r, p, err)
		return
	}
	d, err := s.deps.Directives.Delivery(ctx, p.Actor, id)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	pd := s.newPage(r, p, "dir.inbox", "inbox")
	if err := s.withDirectory(r, pd); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	pd.Title = d.Code + " · " + d.Subject
	data := deliveryData{D: d}
	if d.Can.Assign {
		if pages, ok := s.pages(); ok {
			if data.Users, data.Units, err = pages.Assignees(ctx, p.Actor, id); err != nil {
				s.renderError(w, r, p, err)
				return
			}
		}
	}
	pd.Data = data
	pd.Error = errMsg
	s.render(w, r, "directives_delivery", pd, code)
}

// parseFigures reads "name = value" lines.
func parseFigures(text string) (map[string]float64, error) {
	out := map[string]float64{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			name, value, ok = strings.Cut(line, ":")
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if !ok || err != nil || strings.TrimSpace(name) == "" {
			return nil, &model.ValidationError{Line: i + 1, Field: "figures", Msg: fmt.Sprintf("write \"name = number\", e.g. \"Lượt phát thanh = 24\" (got %q)", line)}
		}
		out[strings.TrimSpace(name)] = f
	}
	return out, nil
}

func (s directiveHandlers) uiDeliveryAction(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	ctx, a := r.Context(), p.Actor
	to, flash := fmt.Sprintf("/inbox/%d", id), "flash.saved"
	switch r.PathValue("action") {
	case "acknowledge":
		_, err = s.deps.Directives.Acknowledge(ctx, a, id)
		flash = "dir.flash.acknowledged"
	case "assign":
		in := directives.AssignInput{Note: r.FormValue("note"), Deadline: r.FormValue("deadline")}
		if v := r.FormValue("assignee"); v != "" {
			kind, idText, _ := strings.Cut(v, ":")
			n, perr := strconv.ParseInt(idText, 10, 64)
			if perr != nil {
				s.renderError(w, r, p, model.Invalid("assignee", "choose a person or a sub-unit"))
				return
			}
			if kind == "u" {
				in.UserID = n
			} else {
				in.UnitID = n
			}
		}
		_, err = s.deps.Directives.Assign(ctx, a, id, in)
		flash = "dir.flash.assigned"
	case "forward":
		var v *directives.View
		if v, err = s.deps.Directives.Forward(ctx, a, id); err == nil {
			to = fmt.Sprintf("/directives/%d", v.ID)
		}
		flash = "dir.flash.created"
	case "report":
		var figures map[string]float64
		if figures, err = parseFigures(r.FormValue("figures")); err == nil {
			_, err = s.deps.Directives.SubmitReport(ctx, a, id, directives.Report{Text: r.FormValue("text"), Figures: figures})
		}
		flash = "dir.flash.reported"
	case "decline":
		_, err = s.deps.Directives.Decline(ctx, a, id, r.FormValue("reason"))
		flash = "dir.flash.declined"
	default:
		s.renderError(w, r, p, fmt.Errorf("no such action %q: %w", r.PathValue("action"), model.ErrNotFound))
		return
	}
	if err != nil {
		s.orgs().formFailure(w, r, p, err, func(msg string, code int) { s.deliveryPage(w, r, p, id, msg, code) })
		return
	}
	redirectFlash(w, r, to, flash)
}

func (s directiveHandlers) uiNotifications(w http.ResponseWriter, r *http.Request, p *principal) {
	list, err := s.deps.Directives.Notifications(r.Context(), p.Actor, false, 100)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	pd := s.newPage(r, p, "dir.notifications", "notifications")
	if err := s.withDirectory(r, pd); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	pd.Data = list
	s.render(w, r, "directives_notifications", pd, http.StatusOK)
}

func (s directiveHandlers) uiNotificationRead(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	if err := s.deps.Directives.MarkNotificationRead(r.Context(), p.Actor, id); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	http.Redirect(w, r, sameSiteTarget(r.FormValue("next"), "/notifications"), http.StatusSeeOther)
}
