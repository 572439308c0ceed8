package directives

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/schedule"
)

// Workflow statuses of a directive.
const (
	StatusDraft     = "draft"     // being written (or returned with comments)
	StatusSubmitted = "submitted" // waiting for the approval steps
	StatusApproved  = "approved"  // signed off, waiting for the clerk to issue it
	StatusIssued    = "issued"    // numbered, rendered, sent; immutable
)

// States of a delivery (one recipient unit's copy).
const (
	Pending      = "pending" // in the outbox, not yet in the recipient's inbox
	Delivered    = "delivered"
	Read         = "read"
	Acknowledged = "acknowledged"
	Assigned     = "assigned"
	Forwarded    = "forwarded" // the recipient drafted its own implementing directive
	Reported     = "reported"
	Closed       = "closed"
	Declined     = "declined"
	Failed       = "failed" // could not be delivered after many attempts
)

// Recipient roles: who the directive is addressed to ("Kính gửi"), who
// gets it for report ("b/c") and who gets a copy for information.
const (
	RoleMain   = "main"
	RoleReport = "report"
	RoleCopy   = "copy"
)

// Correction kinds: a new document that replaces or corrects an issued one.
const (
	Replaces = "thay thế"
	Corrects = "đính chính"
)

// Limits on draft content.
const (
	MaxSubject     = 2000
	MaxLine        = 300
	MaxText        = 256 << 10
	MaxItemText    = 32 << 10
	MaxItems       = 200
	MaxRecipients  = 500
	MaxAttachments = 50
	MaxAudio       = 20
	MaxComment     = 4000
	MaxReportText  = 64 << 10
	MaxFigures     = 50
)

// Recipient names who receives the directive: one unit, a recipient
// group, or every unit below a unit (optionally only of some kinds, e.g.
// all commune radio stations of a province).
type Recipient struct {
	UnitID    int64    `json:"unit_id,omitempty"`
	GroupID   int64    `json:"group_id,omitempty"`
	SubtreeOf int64    `json:"subtree_of,omitempty"`
	Kinds     []string `json:"kinds,omitempty"`
	Role      string   `json:"role,omitempty"`  // main (default), report, copy
	Label     string   `json:"label,omitempty"` // as printed; default the unit or group name
}

// BroadcastSpec marks a content item as broadcast content: what to read
// or play, at which level, during which period and how often. The
// broadcast service turns these into broadcast orders for the lowest units.
type BroadcastSpec struct {
	Text        string          `json:"text,omitempty"`  // text to read; default the item's text
	Audio       []string        `json:"audio,omitempty"` // sha256 of audio blobs
	Level       schedule.Level  `json:"level"`           // normal, priority or emergency
	StartDate   string          `json:"start_date"`      // YYYY-MM-DD
	EndDate     string          `json:"end_date"`        // YYYY-MM-DD
	TimesPerDay int             `json:"times_per_day"`   // e.g. 2
	Slots       []schedule.Slot `json:"slots,omitempty"`
}

// Item is a numbered content item.
type Item struct {
	Label     string         `json:"label"`
	Text      string         `json:"text"`
	Broadcast *BroadcastSpec `json:"broadcast,omitempty"`
}

// Attachment is a file sent with a directive: a stored document (such as
// 576 with the propaganda materials), an audio file or another file.
type Attachment struct {
	Kind        string `json:"kind"` // document, audio, file
	DocumentID  int64  `json:"document_id,omitempty"`
	SHA256      string `json:"sha256,omitempty"`
	Name        string `json:"name"`
	ContentType string `json:"content_type,omitempty"`
	Size        int64  `json:"size,omitempty"`
}

// Content is the editable part of a directive.
type Content struct {
	DocType          string                  `json:"doc_type"`
	Subject          string                  `json:"subject"`
	Urgency          string                  `json:"urgency,omitempty"`
	Confidentiality  string                  `json:"confidentiality,omitempty"`
	Place            string                  `json:"place,omitempty"`
	ParentIssuer     string                  `json:"parent_issuer,omitempty"`
	Issuer           string                  `json:"issuer,omitempty"`
	Recipients       []Recipient             `json:"recipients"`
	Intro            string                  `json:"intro"`
	Items            []Item                  `json:"items"`
	Closing          string                  `json:"closing"`
	References       []docmodel.Reference    `json:"references"`
	Attachments      []Attachment            `json:"attachments"`
	Distribution     []docmodel.Distribution `json:"distribution"` // extra "Nơi nhận" lines
	Archive          []string                `json:"archive"`
	Deadline         string                  `json:"deadline,omitempty"` // YYYY-MM-DD: recipients report by this day
	SignerUserID     int64                   `json:"signer_user_id,omitempty"`
	SigningAuthority string                  `json:"signing_authority,omitempty"`
	SignerTitle      string                  `json:"signer_title,omitempty"`
	SignerName       string                  `json:"signer_name,omitempty"`
}

// Normalize replaces nil lists by empty ones (the JSON form always has
// arrays) and gives recipients without a role the main role.
func (c *Content) Normalize() {
	if c.Recipients == nil {
		c.Recipients = []Recipient{}
	}
	if c.Items == nil {
		c.Items = []Item{}
	}
	if c.References == nil {
		c.References = []docmodel.Reference{}
	}
	if c.Attachments == nil {
		c.Attachments = []Attachment{}
	}
	if c.Distribution == nil {
		c.Distribution = []docmodel.Distribution{}
	}
	if c.Archive == nil {
		c.Archive = []string{}
	}
	for i := range c.Recipients {
		if c.Recipients[i].Role == "" {
			c.Recipients[i].Role = RoleMain
		}
	}
}

var validUrgency = map[string]bool{"": true, "KHẨN": true, "THƯỢNG KHẨN": true, "HỎA TỐC": true}
var validSecrecy = map[string]bool{"": true, "MẬT": true, "TỐI MẬT": true, "TUYỆT MẬT": true}

func checkText(field, v string, max int) (string, error) {
	v = strings.TrimSpace(v)
	if !utf8.ValidString(v) {
		return "", model.Invalid(field, "is not valid UTF-8 text")
	}
	if len(v) > max {
		return "", model.Invalid(field, "is %d bytes long; at most %d are allowed", len(v), max)
	}
	return v, nil
}

func checkLine(field, v string) (string, error) {
	v, err := checkText(field, v, MaxLine)
	if err != nil {
		return "", err
	}
	if strings.ContainsAny(v, "\r\n") {
		return "", model.Invalid(field, "must be a single line")
	}
	return v, nil
}

func checkDate(field, v string) error {
	if v == "" {
		return nil
	}
	if _, err := time.Parse("2006-01-02", v); err != nil {
		return model.Invalid(field, "%q is not a date: use YYYY-MM-DD (e.g. 2021-06-20)", v)
	}
	return nil
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// validate checks the shape of the content (sizes, formats, enumerations).
// Whether units, groups and files exist is checked against the database by
// the service. It trims and normalises in place.
func (c *Content) validate() error {
	c.Normalize()
	var err error
	for _, f := range []struct {
		name string
		p    *string
	}{{"doc_type", &c.DocType}, {"place", &c.Place}, {"parent_issuer", &c.ParentIssuer}, {"issuer", &c.Issuer},
		{"signing_authority", &c.SigningAuthority}, {"signer_title", &c.SignerTitle}, {"signer_name", &c.SignerName}} {
		if *f.p, err = checkLine(f.name, *f.p); err != nil {
			return err
		}
	}
	if c.Subject, err = checkText("subject", c.Subject, MaxSubject); err != nil {
		return err
	}
	c.Subject = strings.Join(strings.Fields(c.Subject), " ")
	c.Urgency = strings.ToUpper(strings.TrimSpace(c.Urgency))
	if !validUrgency[c.Urgency] {
		return model.Invalid("urgency", "%q: use KHẨN, THƯỢNG KHẨN, HỎA TỐC or leave it empty", c.Urgency)
	}
	c.Confidentiality = strings.ToUpper(strings.TrimSpace(c.Confidentiality))
	if !validSecrecy[c.Confidentiality] {
		return model.Invalid("confidentiality", "%q: use MẬT, TỐI MẬT, TUYỆT MẬT or leave it empty", c.Confidentiality)
	}
	if c.Intro, err = checkText("intro", c.Intro, MaxText); err != nil {
		return err
	}
	if c.Closing, err = checkText("closing", c.Closing, MaxText); err != nil {
		return err
	}
	if err := checkDate("deadline", c.Deadline); err != nil {
		return err
	}
	if len(c.Recipients) > MaxRecipients {
		return model.Invalid("recipients", "has %d entries; at most %d are allowed (use a group or a subtree)", len(c.Recipients), MaxRecipients)
	}
	for i := range c.Recipients {
		r := &c.Recipients[i]
		field := fmt.Sprintf("recipients[%d]", i)
		n := 0
		for _, id := range []int64{r.UnitID, r.GroupID, r.SubtreeOf} {
			if id < 0 {
				return model.Invalid(field, "ids must be positive")
			}
			if id > 0 {
				n++
			}
		}
		if n != 1 {
			return model.Invalid(field, "give exactly one of unit_id, group_id or subtree_of")
		}
		if len(r.Kinds) > 0 && r.SubtreeOf == 0 {
			return model.Invalid(field+".kinds", "kinds only apply with subtree_of")
		}
		if len(r.Kinds) > 50 {
			return model.Invalid(field+".kinds", "at most 50 kinds")
		}
		if r.Role != RoleMain && r.Role != RoleReport && r.Role != RoleCopy {
			return model.Invalid(field+".role", "%q: use main (Kính gửi), report (b/c) or copy", r.Role)
		}
		if r.Label, err = checkLine(field+".label", r.Label); err != nil {
			return err
		}
	}
	if len(c.Items) > MaxItems {
		return model.Invalid("items", "has %d items; at most %d are allowed", len(c.Items), MaxItems)
	}
	for i := range c.Items {
		it := &c.Items[i]
		field := fmt.Sprintf("items[%d]", i)
		if it.Label, err = checkLine(field+".label", it.Label); err != nil {
			return err
		}
		if it.Text, err = checkText(field+".text", it.Text, MaxItemText); err != nil {
			return err
		}
		if it.Text == "" {
			return model.Invalid(field+".text", "an item needs its text (remove empty items)")
		}
		if it.Label == "" {
			it.Label = fmt.Sprint(i + 1)
		}
		if b := it.Broadcast; b != nil {
			if err := b.validate(field + ".broadcast"); err != nil {
				return err
			}
		}
	}
	if len(c.References) > 100 {
		return model.Invalid("references", "at most 100 references")
	}
	for i := range c.References {
		r := &c.References[i]
		if err := checkDate(fmt.Sprintf("references[%d].date", i), docmodel.Val(r.Date)); err != nil {
			return err
		}
		if r.Text, err = checkText(fmt.Sprintf("references[%d].text", i), r.Text, MaxSubject); err != nil {
			return err
		}
	}
	if len(c.Attachments) > MaxAttachments {
		return model.Invalid("attachments", "at most %d attachments", MaxAttachments)
	}
	for i := range c.Attachments {
		a := &c.Attachments[i]
		field := fmt.Sprintf("attachments[%d]", i)
		switch a.Kind {
		case "document":
			if a.DocumentID <= 0 {
				return model.Invalid(field+".document_id", "give the id of the stored document to attach")
			}
		case "audio", "file":
			if !isSHA256(a.SHA256) {
				return model.Invalid(field+".sha256", "upload the file first and give its sha256 (64 lower-case hex digits)")
			}
		default:
			return model.Invalid(field+".kind", "%q: use document, audio or file", a.Kind)
		}
		if a.Name, err = checkLine(field+".name", a.Name); err != nil {
			return err
		}
	}
	if len(c.Distribution) > MaxRecipients || len(c.Archive) > 20 {
		return model.Invalid("distribution", "too many entries")
	}
	for i := range c.Distribution {
		if c.Distribution[i].Name, err = checkLine(fmt.Sprintf("distribution[%d].name", i), c.Distribution[i].Name); err != nil {
			return err
		}
	}
	for i := range c.Archive {
		if c.Archive[i], err = checkLine(fmt.Sprintf("archive[%d]", i), c.Archive[i]); err != nil {
			return err
		}
	}
	return nil
}

func (b *BroadcastSpec) validate(field string) error {
	var err error
	if b.Text, err = checkText(field+".text", b.Text, MaxItemText); err != nil {
		return err
	}
	switch b.Level {
	case schedule.LevelNormal, schedule.LevelPriority, schedule.LevelEmergency:
	case 0:
		b.Level = schedule.LevelNormal
	default:
		return model.Invalid(field+".level", "use normal, priority or emergency (the three levels of commune radio rules)")
	}
	if len(b.Audio) > MaxAudio {
		return model.Invalid(field+".audio", "at most %d audio files per item", MaxAudio)
	}
	for j, sha := range b.Audio {
		if !isSHA256(sha) {
			return model.Invalid(fmt.Sprintf("%s.audio[%d]", field, j), "give the sha256 of an uploaded audio file (64 lower-case hex digits)")
		}
	}
	if err := checkDate(field+".start_date", b.StartDate); err != nil {
		return err
	}
	if err := checkDate(field+".end_date", b.EndDate); err != nil {
		return err
	}
	if b.StartDate != "" && b.EndDate != "" && b.EndDate < b.StartDate {
		return model.Invalid(field+".end_date", "the period ends (%s) before it starts (%s)", b.EndDate, b.StartDate)
	}
	if b.TimesPerDay < 0 || b.TimesPerDay > 48 {
		return model.Invalid(field+".times_per_day", "give 0 to 48 broadcasts a day")
	}
	if len(b.Slots) > 48 {
		return model.Invalid(field+".slots", "at most 48 time slots")
	}
	return nil
}

// checkComplete verifies that a draft can be submitted or issued: what a
// document needs beyond what saving a draft requires.
func (c *Content) checkComplete() error {
	if c.DocType == "" {
		return model.Invalid("doc_type", "give the document type (Công văn, Kế hoạch, Thông báo, …)")
	}
	if c.Subject == "" {
		return model.Invalid("subject", "give the subject (trích yếu) of the document")
	}
	main := false
	for _, r := range c.Recipients {
		if r.Role == RoleMain {
			main = true
		}
	}
	if !main {
		return model.Invalid("recipients", "address the document to at least one unit or group (role main, \"Kính gửi\")")
	}
	if c.Intro == "" && len(c.Items) == 0 && c.Closing == "" {
		return model.Invalid("intro", "the document has no content: write the text or add content items")
	}
	return nil
}

// Report is a recipient's execution report.
type Report struct {
	Text string `json:"text"`
	// LetterID and LetterCode name the report letter (Báo cáo) that
	// answered the delivery, when the report came as an issued letter
	// rather than from the inbox form.
	LetterID    int64              `json:"letter_id,omitempty"`
	LetterCode  string             `json:"letter_code,omitempty"`
	Figures     map[string]float64 `json:"figures,omitempty"` // e.g. "broadcasts": 24
	Attachments []Attachment       `json:"attachments,omitempty"`
}

func (r *Report) validate() error {
	var err error
	if r.Text, err = checkText("text", r.Text, MaxReportText); err != nil {
		return err
	}
	if r.Text == "" {
		return model.Invalid("text", "write what was done (the execution report)")
	}
	if len(r.Figures) > MaxFigures {
		return model.Invalid("figures", "at most %d figures", MaxFigures)
	}
	for k, v := range r.Figures {
		if k == "" || len(k) > 100 || !utf8.ValidString(k) {
			return model.Invalid("figures", "figure names must be 1-100 bytes of text")
		}
		if v < 0 || v > 1e12 || v != v {
			return model.Invalid("figures."+k, "must be a number between 0 and 10^12")
		}
	}
	if len(r.Attachments) > MaxAttachments {
		return model.Invalid("attachments", "at most %d attachments", MaxAttachments)
	}
	for i := range r.Attachments {
		a := &r.Attachments[i]
		if a.Kind == "" {
			a.Kind = "file"
		}
		if a.Kind != "audio" && a.Kind != "file" || !isSHA256(a.SHA256) {
			return model.Invalid(fmt.Sprintf("attachments[%d]", i), "attach uploaded files by sha256 with kind audio or file")
		}
		if a.Name, err = checkLine(fmt.Sprintf("attachments[%d].name", i), a.Name); err != nil {
			return err
		}
	}
	return nil
}

// searchWords splits text into the words the inbox search matches: lower
// case, without diacritics (đ → d), letters and digits only, each once.
func searchWords(text string) []string {
	var words []string
	seen := map[string]bool{}
	var cur strings.Builder
	flush := func() {
		w := cur.String()
		cur.Reset()
		if w == "" || seen[w] || len(words) >= 200 {
			return
		}
		if len(w) > 40 {
			w = w[:40]
		}
		seen[w] = true
		words = append(words, w)
	}
	for _, r := range norm.NFD.String(text) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ' || r == 'Đ':
			cur.WriteByte('d')
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			cur.WriteRune(unicode.ToLower(r))
		default:
			flush()
		}
	}
	flush()
	return words
}
