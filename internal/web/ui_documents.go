package web

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/documents"
	"github.com/loa-project/loa/internal/i18n"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/registry"
)

func (s documentHandlers) registerDocumentUI() {
	pg := func(h pageHandler) http.HandlerFunc { return s.page(MaxJSONBody, h) }
	s.handle("GET /documents", false, pg(s.uiDocuments))
	s.handle("POST /documents/upload", false, s.page(MaxDocumentUpload, s.uiDocumentUpload))
	s.handle("GET /documents/{id}", false, pg(s.uiDocument))
	s.handle("POST /documents/{id}/fields", false, pg(s.uiDocumentCorrect))
	s.handle("POST /documents/{id}/register", false, pg(s.uiDocumentRegister))
	s.handle("POST /documents/{id}/pass", false, pg(s.uiDocumentPass))
	s.handle("POST /documents/{id}/refuse", false, pg(s.uiDocumentRefuse))
	s.handle("POST /documents/{id}/finish", false, pg(s.uiDocumentFinish))
	s.handle("GET /registers", false, pg(s.uiRegisters))
}

type documentsData struct {
	Docs       []*model.Document
	Query      string
	Direction  string
	Directions []string
	CanImport  bool
	Next       string
	// Duplicate is the stored letter an upload was refused as the same
	// as: the page offers to keep the file as another copy of it.
	Duplicate *model.Document
	DupDir    string
}

func (s documentHandlers) uiDocuments(w http.ResponseWriter, r *http.Request, p *principal) {
	s.documentsPage(w, r, p, nil, "", http.StatusOK)
}

// documentsPage lists documents; after a refused upload it says why (in
// the reader's language), and after one refused as a duplicate it offers
// to keep the file as another copy.
func (s documentHandlers) documentsPage(w http.ResponseWriter, r *http.Request, p *principal, refusal error, dupDir string, code int) {
	q := r.URL.Query()
	f := documents.ListFilter{Query: q.Get("q"), Direction: q.Get("direction"), Limit: 50}
	if v := q.Get("before"); v != "" {
		f.BeforeID, _ = strconv.ParseInt(v, 10, 64)
	}
	docs, err := s.deps.Documents.List(r.Context(), p.Actor, f)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	pd := s.newPage(r, p, "docs.title", "documents")
	if err := s.withDirectory(r, pd); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	d := documentsData{Docs: docs, Query: f.Query, Direction: f.Direction, Directions: []string{model.Incoming, model.Outgoing, model.Reference},
		CanImport: s.deps.Policy.Can(p.Actor, authz.DocWrite, p.Actor.UnitPath)}
	if refusal != nil {
		var dup *documents.DuplicateError
		if errors.As(refusal, &dup) {
			d.Duplicate, d.DupDir = dup.Existing, dupDir
		}
		if msg, ok := s.msgs.Message(pd.Lang, refusal); ok {
			pd.Error = msg
		} else {
			pd.Error = s.pageText(pd.Lang, refusal)
		}
	}
	if len(docs) == f.Limit {
		next := url.Values{"q": {f.Query}, "direction": {f.Direction}, "before": {fmt.Sprint(docs[len(docs)-1].ID)}}
		d.Next = "/documents?" + next.Encode()
	}
	pd.Data = d
	s.render(w, r, "documents", pd, code)
}

func (s documentHandlers) uiDocumentUpload(w http.ResponseWriter, r *http.Request, p *principal) {
	f, hdr, err := r.FormFile("file")
	if err != nil {
		s.renderError(w, r, p, model.Invalid("file", "choose a document file (.txt, .docx, .pdf, edXML)"))
		return
	}
	defer f.Close()
	keep, err := keepDuplicate(r.FormValue("duplicate"))
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	var res *documents.ImportResult
	switch strings.ToLower(filepath.Ext(hdr.Filename)) {
	case ".xml", ".edxml":
		res, err = s.deps.Documents.ImportEdXML(r.Context(), p.Actor, 0, f)
	default:
		res, err = s.deps.Documents.Import(r.Context(), p.Actor, documents.ImportInput{Filename: hdr.Filename, Data: f, Direction: r.FormValue("direction"), KeepDuplicate: keep})
	}
	if err != nil {
		var dup *documents.DuplicateError
		if errors.As(err, &dup) {
			s.documentsPage(w, r, p, err, r.FormValue("direction"), http.StatusConflict)
			return
		}
		if _, ok := s.msgs.Message(i18n.VI, err); ok {
			code, _ := errorStatus(err)
			s.documentsPage(w, r, p, err, "", code)
			return
		}
		s.renderError(w, r, p, uploadError(err))
		return
	}
	flash := "flash.imported_doc"
	if res.Duplicate {
		flash = "flash.duplicate_doc"
	} else if res.Document.CopyOf != nil {
		// Another copy of a letter already stored (and registered): it
		// is not entered in the register a second time.
		flash = "flash.kept_copy_doc"
	} else if r.FormValue("register") == "1" && res.Document.Direction == model.Incoming && s.deps.Policy.Can(p.Actor, authz.RegWrite, p.Actor.UnitPath) {
		if _, err := s.deps.Registry.RegisterIncoming(r.Context(), p.Actor, registry.IncomingInput{UnitID: res.Document.UnitID, DocumentID: res.Document.ID}); err != nil {
			var dup *registry.DuplicateRegistrationError
			if errors.As(err, &dup) {
				// Stored, but the register holds the same letter already:
				// the document page shows that line and asks.
				s.documentPageWith(w, r, p, res.Document.ID, docPageExtras{Dup: dup, Refusal: err, Code: http.StatusConflict})
				return
			}
			s.renderError(w, r, p, err)
			return
		}
		flash = "flash.registered_doc"
	}
	redirectFlash(w, r, fmt.Sprintf("/documents/%d", res.Document.ID), flash)
}

type fieldInput struct {
	Name, Label, Value string
	// Conf is the OCR confidence of a field read from a scan (0 when the
	// field was not read by OCR or has been confirmed); Low flags it for
	// the clerk to check against the scan.
	Conf int
	Low  bool
	Rows int // a text area of Rows lines instead of a one-line input
}

type documentData struct {
	D        *model.Document
	Refs     []model.DocRef
	CitedBy  []model.Citation
	Versions []model.DocumentVersion
	Inputs   []fieldInput
	CanEdit  bool
	IsPDF    bool
	IsImage  bool
	Issued   bool
	Readable map[int64]bool // linked documents the reader may open
	Files    []model.DocumentFile
	Exchange []model.ExchangePackage
	// The handling trail and what the reader may do with it.
	Trail       *model.Trail
	Line        *model.RegisterEntry // the document's incoming register line
	CanRegister bool
	CanPass     bool
	CanRefuse   bool // an unregistered document received as edXML
	CanFinish   bool
	DeliveryID  int64 // the document came through Loa: passed on from /inbox/{id}
	PassUsers   []*model.User
	PassUnits   []*model.Unit
	// Dup is the register line a registration was refused for.
	Dup *registry.DuplicateRegistrationError
}

// docPageExtras are what a document page shows after an action.
type docPageExtras struct {
	Err     string
	Refusal error // shown in the reader's language
	Code    int
	Dup     *registry.DuplicateRegistrationError
}

func (s documentHandlers) documentPage(w http.ResponseWriter, r *http.Request, p *principal, id int64, errMsg string, code int) {
	s.documentPageWith(w, r, p, id, docPageExtras{Err: errMsg, Code: code})
}

func (s documentHandlers) documentPageWith(w http.ResponseWriter, r *http.Request, p *principal, id int64, x docPageExtras) {
	errMsg, code := x.Err, x.Code
	det, err := s.deps.Documents.Detail(r.Context(), p.Actor, id)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	pd := s.newPage(r, p, "docs.title", "documents")
	if err := s.withDirectory(r, pd); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	if users, err := s.deps.Accounts.Users(r.Context(), p.Actor); err == nil {
		pd.users = map[int64]string{}
		for _, u := range users {
			pd.users[u.ID] = u.FullName
		}
	}
	d := det.Document
	pd.Title = d.Code()
	f := d.Fields
	inputs := []fieldInput{
		{Name: "doc_type", Label: "doc.type", Value: docmodel.Val(f.DocType)},
		{Name: "number", Label: "doc.number", Value: docmodel.Val(f.Number)},
		{Name: "notation", Label: "doc.notation", Value: docmodel.Val(f.Notation)},
		{Name: "date", Label: "doc.date_iso", Value: docmodel.Val(f.Date)},
		{Name: "place", Label: "doc.place", Value: docmodel.Val(f.Place)},
		{Name: "parent_issuer", Label: "doc.parent_issuer", Value: docmodel.Val(f.ParentIssuer)},
		{Name: "issuer", Label: "doc.issuer", Value: docmodel.Val(f.Issuer)},
		{Name: "urgency", Label: "doc.urgency", Value: docmodel.Val(f.Urgency)},
		{Name: "confidentiality", Label: "doc.confidentiality", Value: docmodel.Val(f.Confidentiality)},
		{Name: "signing_authority", Label: "doc.signing_authority", Value: docmodel.Val(f.SigningAuthority)},
		{Name: "signer_title", Label: "doc.signer_title", Value: docmodel.Val(f.SignerTitle)},
		{Name: "signer_name", Label: "doc.signer_name", Value: docmodel.Val(f.SignerName)},
		{Name: "subject", Label: "doc.subject", Value: docmodel.Val(f.Subject), Rows: 2},
		{Name: "recipients", Label: "doc.recipients", Value: strings.Join(f.Recipients, "\n"), Rows: 4},
	}
	for i := range inputs {
		inputs[i].Conf = f.Confidence[inputs[i].Name]
		inputs[i].Low = f.LowConfidenceField(inputs[i].Name)
	}
	unitPath := ""
	if u, ok := pd.units[d.UnitID]; ok {
		unitPath = u.Path
	}
	dd := documentData{D: d, Refs: det.Refs, CitedBy: det.CitedBy, Versions: det.Versions, Inputs: inputs, Files: det.Files, Exchange: det.Exchange,
		CanEdit: s.deps.Policy.Can(p.Actor, authz.DocWrite, unitPath) && !det.Issued, Issued: det.Issued,
		IsPDF:    d.Original != nil && d.Original.ContentType == "application/pdf",
		IsImage:  d.Original != nil && (d.Original.ContentType == "image/png" || d.Original.ContentType == "image/jpeg"),
		Readable: map[int64]bool{}}
	if d.CopyOf != nil {
		if dd.Readable, err = s.deps.Documents.Readable(r.Context(), p.Actor, []int64{*d.CopyOf}); err != nil {
			s.renderError(w, r, p, err)
			return
		}
	}
	if err := s.withTrail(r, p, &dd, unitPath); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	dd.Dup = x.Dup
	if x.Refusal != nil {
		errMsg = s.pageText(pd.Lang, x.Refusal)
	}
	pd.Data = dd
	pd.Error = errMsg
	s.render(w, r, "document", pd, code)
}

func (s documentHandlers) uiDocument(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	s.documentPage(w, r, p, id, "", http.StatusOK)
}

func (s documentHandlers) uiDocumentCorrect(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	d, err := s.deps.Documents.Get(r.Context(), p.Actor, id)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	base, _ := strconv.Atoi(r.FormValue("base_version"))
	f := d.Fields
	set := func(dst **string, name string) { *dst = docmodel.Str(strings.TrimSpace(r.FormValue(name))) }
	set(&f.DocType, "doc_type")
	set(&f.Number, "number")
	set(&f.Notation, "notation")
	set(&f.Date, "date")
	set(&f.Place, "place")
	set(&f.ParentIssuer, "parent_issuer")
	set(&f.Issuer, "issuer")
	set(&f.Urgency, "urgency")
	set(&f.Confidentiality, "confidentiality")
	set(&f.SigningAuthority, "signing_authority")
	set(&f.SignerTitle, "signer_title")
	set(&f.SignerName, "signer_name")
	set(&f.Subject, "subject")
	f.Recipients = nil
	for _, line := range strings.Split(r.FormValue("recipients"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			f.Recipients = append(f.Recipients, line)
		}
	}
	// Saving the form is the clerk's confirmation of every field on it,
	// including those OCR read with low confidence.
	f.Confidence = maps.Clone(f.Confidence)
	f.Confirm("doc_type", "number", "notation", "date", "place", "parent_issuer", "issuer", "urgency",
		"confidentiality", "signing_authority", "signer_title", "signer_name", "subject", "recipients")
	if _, err := s.deps.Documents.Correct(r.Context(), p.Actor, id, documents.Correction{BaseVersion: base, Fields: f, Note: r.FormValue("note")}); err != nil {
		var ve *model.ValidationError
		if errors.As(err, &ve) || errors.Is(err, model.ErrConflict) {
			code, _ := errorStatus(err)
			msg, ok := s.msgs.Message(i18n.FromRequest(r, p.User.Lang), err)
			if !ok {
				msg = s.reqText(r, p, err)
			}
			s.documentPage(w, r, p, id, msg, code)
			return
		}
		s.renderError(w, r, p, err)
		return
	}
	redirectFlash(w, r, fmt.Sprintf("/documents/%d", id), "flash.saved")
}

type registersData struct {
	Units   []unitOption
	UnitID  int64
	Year    int
	Series  string
	Entries []model.RegisterEntry
	// Readable are the entries' documents the reader may open: the
	// others are shown without a link.
	Readable map[int64]bool
}

func (s documentHandlers) uiRegisters(w http.ResponseWriter, r *http.Request, p *principal) {
	pd := s.newPage(r, p, "reg.title", "registers")
	if err := s.withDirectory(r, pd); err != nil {
		s.renderError(w, r, p, err)
		return
	}
	var opts []unitOption
	for _, o := range s.orgs().unitOptions(pd, p.Actor, false) {
		if s.deps.Policy.Can(p.Actor, authz.RegRead, pd.units[o.ID].Path) {
			opts = append(opts, o)
		}
	}
	q := r.URL.Query()
	d := registersData{Units: opts, Year: time.Now().In(s.loc).Year(), Series: model.SeriesOutgoing}
	if v := q.Get("year"); v != "" {
		if y, err := strconv.Atoi(v); err == nil {
			d.Year = y
		}
	}
	if q.Get("series") == model.SeriesIncoming {
		d.Series = model.SeriesIncoming
	}
	if v := q.Get("unit"); v != "" {
		d.UnitID, _ = strconv.ParseInt(v, 10, 64)
	} else {
		for _, o := range opts {
			if o.ID == p.User.UnitID {
				d.UnitID = o.ID
			}
		}
		if d.UnitID == 0 && len(opts) > 0 {
			d.UnitID = opts[0].ID
		}
	}
	if d.UnitID != 0 {
		entries, err := s.deps.Registry.Entries(r.Context(), p.Actor, d.UnitID, d.Year, d.Series)
		if err != nil {
			s.renderError(w, r, p, err)
			return
		}
		d.Entries = entries
		var ids []int64
		for _, e := range entries {
			if e.DocumentID != nil {
				ids = append(ids, *e.DocumentID)
			}
		}
		if d.Readable, err = s.deps.Documents.Readable(r.Context(), p.Actor, ids); err != nil {
			s.renderError(w, r, p, err)
			return
		}
	}
	pd.Data = d
	s.render(w, r, "registers", pd, http.StatusOK)
}

// withTrail adds the handling trail of an incoming document to its page,
// with the register line and the forms the reader may use.
func (s documentHandlers) withTrail(r *http.Request, p *principal, dd *documentData, unitPath string) error {
	d := dd.D
	if d.Direction != model.Incoming || s.deps.Registry == nil {
		return nil
	}
	ctx := r.Context()
	var err error
	if dd.Trail, err = s.deps.Registry.Trail(ctx, p.Actor, d.ID); err != nil {
		return err
	}
	for _, e := range dd.Trail.Entries {
		if e.DeliveryID != nil {
			dd.DeliveryID = *e.DeliveryID
		}
	}
	if dd.Line, err = s.deps.Registry.IncomingLine(ctx, p.Actor, d.ID); err != nil {
		return err
	}
	refused := dd.Trail.Outcome == model.TrailDeclined
	dd.CanRegister = dd.Line == nil && !refused && s.deps.Policy.Can(p.Actor, authz.RegWrite, unitPath)
	if dd.Line == nil {
		// Not registered yet: a document received as edXML may be
		// refused instead (the service says whether this reader may).
		dd.CanRefuse = !refused && dd.DeliveryID == 0 && s.deps.Registry.MayRefuse(ctx, p.Actor, d.ID) == nil
		return nil
	}
	if dd.DeliveryID != 0 {
		return nil
	}
	users, units, err := s.deps.Registry.PassCandidates(ctx, p.Actor, d.ID)
	if err != nil {
		// Not this reader's to pass on (or its handling is finished):
		// the page shows the trail only.
		return nil
	}
	dd.CanPass, dd.CanFinish, dd.PassUsers, dd.PassUnits = true, true, users, units
	return nil
}

// uiDocumentRefuse refuses an incoming document received as edXML, with
// the reason sent back to its sender.
func (s documentHandlers) uiDocumentRefuse(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	if _, err := s.deps.Registry.Refuse(r.Context(), p.Actor, id, registry.RefuseInput{Reason: r.FormValue("reason")}); err != nil {
		s.orgs().formFailure(w, r, p, err, func(msg string, code int) { s.documentPage(w, r, p, id, msg, code) })
		return
	}
	redirectFlash(w, r, fmt.Sprintf("/documents/%d#trail", id), "flash.refused")
}

// uiDocumentFinish ends the handling of a registered incoming document.
func (s documentHandlers) uiDocumentFinish(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	if _, err := s.deps.Registry.Finish(r.Context(), p.Actor, id, registry.FinishInput{Note: r.FormValue("note")}); err != nil {
		s.orgs().formFailure(w, r, p, err, func(msg string, code int) { s.documentPage(w, r, p, id, msg, code) })
		return
	}
	redirectFlash(w, r, fmt.Sprintf("/documents/%d#trail", id), "flash.finished")
}

// uiDocumentRegister enters a stored incoming document in its unit's
// incoming register; a letter the register holds already is shown with
// its line, and registered again only with confirm_duplicate=1.
func (s documentHandlers) uiDocumentRegister(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	d, err := s.deps.Documents.Get(r.Context(), p.Actor, id)
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	_, err = s.deps.Registry.RegisterIncoming(r.Context(), p.Actor, registry.IncomingInput{UnitID: d.UnitID, DocumentID: d.ID,
		Notes: r.FormValue("notes"), ConfirmDuplicate: r.FormValue("confirm_duplicate") == "1"})
	var dup *registry.DuplicateRegistrationError
	if errors.As(err, &dup) {
		s.documentPageWith(w, r, p, id, docPageExtras{Dup: dup, Refusal: err, Code: http.StatusConflict})
		return
	}
	if err != nil {
		s.orgs().formFailure(w, r, p, err, func(msg string, code int) { s.documentPage(w, r, p, id, msg, code) })
		return
	}
	redirectFlash(w, r, fmt.Sprintf("/documents/%d#trail", id), "flash.registered_doc")
}

// uiDocumentPass passes an incoming document on with an instruction.
func (s documentHandlers) uiDocumentPass(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id")
	if err != nil {
		s.renderError(w, r, p, err)
		return
	}
	in := registry.PassInput{Instruction: r.FormValue("instruction"), Deadline: r.FormValue("deadline")}
	if v := r.FormValue("to"); v != "" {
		kind, idText, _ := strings.Cut(v, ":")
		n, perr := strconv.ParseInt(idText, 10, 64)
		if perr == nil && kind == "u" {
			in.UserID = n
		} else if perr == nil && kind == "n" {
			in.UnitID = n
		}
	}
	if _, err := s.deps.Registry.Pass(r.Context(), p.Actor, id, in); err != nil {
		s.orgs().formFailure(w, r, p, err, func(msg string, code int) { s.documentPage(w, r, p, id, msg, code) })
		return
	}
	redirectFlash(w, r, fmt.Sprintf("/documents/%d#trail", id), "flash.passed")
}
