package directives

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/loa-project/loa/internal/docmodel"
	"github.com/loa-project/loa/internal/model"
	"github.com/loa-project/loa/internal/orgs"
	"github.com/loa-project/loa/internal/storage"
)

// pcName matches a People's Committee name and captures its locality.
var pcName = regexp.MustCompile(`^(?i:Ủy ban nhân dân|Uỷ ban nhân dân|UBND) (?:tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn) (.+)$`)

// isPC reports whether a unit name is a People's Committee (which prints
// no parent body above its name).
func isPC(name string) bool {
	l := strings.ToLower(name)
	return strings.HasPrefix(l, "ủy ban nhân dân") || strings.HasPrefix(l, "uỷ ban nhân dân") || strings.HasPrefix(l, "ubnd")
}

// headerName is a unit name as the header prints it: "Ủy ban nhân dân"
// may be abbreviated UBND in the parent line.
func headerName(name string) string {
	for _, p := range []string{"Ủy ban nhân dân ", "Uỷ ban nhân dân "} {
		if rest, ok := strings.CutPrefix(name, p); ok {
			return "UBND " + rest
		}
	}
	return name
}

// stripLocality removes from an agency name the words it shares at the
// end with its parent's name ("Sở Thông tin và Truyền thông tỉnh Kiên
// Giang" under "Ủy ban nhân dân tỉnh Kiên Giang" prints as "Sở Thông tin
// và Truyền thông"), since the parent line already says where.
func stripLocality(name, parent string) string {
	a, p := strings.Fields(name), strings.Fields(parent)
	n := 0
	for n < len(a)-1 && n < len(p) && strings.EqualFold(a[len(a)-1-n], p[len(p)-1-n]) {
		n++
	}
	if n < 2 {
		return name
	}
	return strings.Join(a[:len(a)-n], " ")
}

// defaultPlace is the locality of the nearest People's Committee among
// the unit and its ancestors ("Kiên Giang" for the Sở).
func defaultPlace(ctx context.Context, q storage.Q, u *model.Unit) string {
	for cur, depth := u, 0; cur != nil && depth < 20; depth++ {
		if m := pcName.FindStringSubmatch(cur.Name); m != nil {
			return m[1]
		}
		if cur.ParentID == nil {
			return ""
		}
		p, err := q.Orgs().Unit(ctx, *cur.ParentID)
		if err != nil {
			return ""
		}
		cur = p
	}
	return ""
}

// shortDate formats a date as references print it: "03/6/2021".
func shortDate(day string) string {
	t, err := time.Parse("2006-01-02", day)
	if err != nil {
		return day
	}
	if t.Month() <= 2 {
		return t.Format("02/01/2006")
	}
	return fmt.Sprintf("%02d/%d/%d", t.Day(), int(t.Month()), t.Year())
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	// Keep acronyms ("UBND …") as they are.
	if r2, _ := utf8.DecodeRuneInString(s[n:]); unicode.IsUpper(r2) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// resolved is one recipient unit of an issued directive.
type resolved struct {
	unit *model.Unit
	role string
}

// rolePriority: a unit addressed in several ways gets the strongest role.
var rolePriority = map[string]int{RoleMain: 3, RoleReport: 2, RoleCopy: 1}

// resolveRecipients turns recipient entries into units (groups and
// subtrees expanded for the day), each unit once with its strongest role,
// leaving out the issuing agency and units not active that day.
func (s Drafts) resolveRecipients(ctx context.Context, q storage.Q, agency *model.Unit, c Content, day string) ([]resolved, error) {
	units, err := q.Orgs().Units(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*model.Unit, len(units))
	for _, u := range units {
		byID[u.ID] = u
	}
	index := map[int64]int{}
	var out []resolved
	add := func(u *model.Unit, role string) {
		if u == nil || u.ID == agency.ID || !u.Active(day) {
			return
		}
		if i, ok := index[u.ID]; ok {
			if rolePriority[role] > rolePriority[out[i].role] {
				out[i].role = role
			}
			return
		}
		index[u.ID] = len(out)
		out = append(out, resolved{unit: u, role: role})
	}
	for i, r := range c.Recipients {
		field := fmt.Sprintf("recipients[%d]", i)
		switch {
		case r.UnitID != 0:
			u := byID[r.UnitID]
			if u == nil {
				return nil, model.Invalid(field+".unit_id", "unit %d does not exist", r.UnitID)
			}
			if !u.Active(day) {
				return nil, model.Invalid(field+".unit_id", "%q is not active on %s; address its successor", u.Name, day)
			}
			add(u, r.Role)
		case r.GroupID != 0:
			g, err := q.Orgs().Group(ctx, r.GroupID)
			if err != nil {
				return nil, model.Invalid(field+".group_id", "recipient group %d does not exist", r.GroupID)
			}
			for _, u := range orgs.Resolve(g, units, day) {
				add(u, r.Role)
			}
		case r.SubtreeOf != 0:
			root := byID[r.SubtreeOf]
			if root == nil {
				return nil, model.Invalid(field+".subtree_of", "unit %d does not exist", r.SubtreeOf)
			}
			kinds := map[string]bool{}
			for _, k := range r.Kinds {
				kinds[k] = true
			}
			var below []*model.Unit
			for _, u := range units {
				if u.ID != root.ID && strings.HasPrefix(u.Path, root.Path) && (len(kinds) == 0 || kinds[u.Kind]) {
					below = append(below, u)
				}
			}
			sort.Slice(below, func(i, j int) bool { return below[i].Path < below[j].Path })
			for _, u := range below {
				add(u, r.Role)
			}
		}
	}
	return out, nil
}

// recipientLabel is how a recipient entry is printed.
func recipientLabel(ctx context.Context, q storage.Q, r Recipient) string {
	if r.Label != "" {
		return r.Label
	}
	switch {
	case r.UnitID != 0:
		if u, err := q.Orgs().Unit(ctx, r.UnitID); err == nil {
			return u.Name
		}
	case r.GroupID != 0:
		if g, err := q.Orgs().Group(ctx, r.GroupID); err == nil {
			return g.Name
		}
	case r.SubtreeOf != 0:
		if u, err := q.Orgs().Unit(ctx, r.SubtreeOf); err == nil {
			if len(r.Kinds) == 1 && r.Kinds[0] == "commune_pc" {
				return "Ủy ban nhân dân các xã, phường thuộc " + strings.TrimPrefix(u.Name, "Ủy ban nhân dân ")
			}
			return "Các đơn vị thuộc " + u.Name
		}
	}
	return "?"
}

// recipientPrinter prints recipient entries: a recipient group as its
// member agencies on the day (Decree 30 names each agency in "Kính gửi"
// and "Nơi nhận", not the sender's private list), anything else as one
// line. A group given its own label prints that label.
type recipientPrinter struct {
	ctx   context.Context
	q     storage.Q
	day   string
	units []*model.Unit // loaded on the first group
}

func (p *recipientPrinter) names(r Recipient) ([]string, error) {
	if r.GroupID == 0 || r.Label != "" {
		return []string{recipientLabel(p.ctx, p.q, r)}, nil
	}
	g, err := p.q.Orgs().Group(p.ctx, r.GroupID)
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return []string{"?"}, nil
		}
		return nil, fmt.Errorf("recipient group %d: %w", r.GroupID, err)
	}
	if p.units == nil {
		if p.units, err = p.q.Orgs().Units(p.ctx); err != nil {
			return nil, fmt.Errorf("units for recipient group %q: %w", g.Name, err)
		}
	}
	members := orgs.Resolve(g, p.units, p.day)
	if len(members) == 0 {
		return []string{g.Name}, nil
	}
	out := make([]string, 0, len(members))
	for _, u := range members {
		out = append(out, u.Name)
	}
	return out, nil
}

// composeBody is the text of the document: the introduction, the
// numbered items and the closing, one paragraph per line.
func composeBody(c Content) string {
	var parts []string
	if c.Intro != "" {
		parts = append(parts, c.Intro)
	}
	for _, it := range c.Items {
		label := strings.TrimRight(it.Label, ".)")
		if label == "" || label == "-" || label == "+" {
			parts = append(parts, strings.TrimSpace(it.Label+" "+it.Text))
			continue
		}
		if strings.HasSuffix(it.Label, ")") {
			parts = append(parts, it.Label+" "+it.Text)
			continue
		}
		parts = append(parts, label+". "+it.Text)
	}
	if c.Closing != "" {
		parts = append(parts, c.Closing)
	}
	return strings.Join(parts, "\n")
}

// buildFields lays the content out as document fields: header from the
// agency and its parent, recipients, body, signer, distribution ("Như
// trên", b/c copies, other copies) and archive.
func (s Drafts) buildFields(ctx context.Context, q storage.Q, d *model.Directive, c Content, number, notation, date string) (docmodel.Fields, error) {
	agency, err := q.Orgs().Unit(ctx, d.UnitID)
	if err != nil {
		return docmodel.Fields{}, err
	}
	drafting, err := q.Orgs().Unit(ctx, d.DraftingUnitID)
	if err != nil {
		return docmodel.Fields{}, err
	}
	var parent *model.Unit
	if agency.ParentID != nil {
		if parent, err = q.Orgs().Unit(ctx, *agency.ParentID); err != nil {
			return docmodel.Fields{}, err
		}
	}
	f := docmodel.Fields{}
	parentIssuer, issuer := c.ParentIssuer, c.Issuer
	if parentIssuer == "" && parent != nil && !isPC(agency.Name) {
		parentIssuer = headerName(parent.Name)
	}
	if issuer == "" {
		issuer = agency.Name
		if parent != nil && !isPC(agency.Name) {
			issuer = stripLocality(agency.Name, parent.Name)
		}
	}
	f.ParentIssuer = docmodel.Str(strings.ToUpper(parentIssuer))
	f.Issuer = docmodel.Str(strings.ToUpper(issuer))
	f.DocType = docmodel.Str(c.DocType)
	f.Number = docmodel.Str(number)
	f.Notation = docmodel.Str(notation)
	place := c.Place
	if place == "" {
		place = defaultPlace(ctx, q, agency)
	}
	f.Place = docmodel.Str(place)
	f.Date = docmodel.Str(date)
	f.Subject = docmodel.Str(c.Subject)
	f.Urgency = docmodel.Str(c.Urgency)
	f.Confidentiality = docmodel.Str(c.Confidentiality)
	day := date
	if day == "" {
		day = s.today()
	}
	lines := recipientPrinter{ctx: ctx, q: q, day: day}
	hasMain := false
	for _, r := range c.Recipients {
		if r.Role == RoleMain {
			hasMain = true
			names, err := lines.names(r)
			if err != nil {
				return docmodel.Fields{}, err
			}
			f.Recipients = append(f.Recipients, names...)
		}
	}
	f.References = append(f.References, c.References...)
	for _, it := range c.Items {
		f.Items = append(f.Items, docmodel.Item{Label: strings.TrimRight(it.Label, "."), Text: it.Text})
	}
	f.Body = docmodel.Str(composeBody(c))
	f.SigningAuthority = docmodel.Str(c.SigningAuthority)
	f.SignerTitle = docmodel.Str(c.SignerTitle)
	f.SignerName = docmodel.Str(c.SignerName)
	if hasMain {
		f.Distribution = append(f.Distribution, docmodel.Distribution{Name: "Như trên"})
	}
	bc := "b/c"
	for _, r := range c.Recipients {
		if r.Role != RoleReport && r.Role != RoleCopy {
			continue
		}
		names, err := lines.names(r)
		if err != nil {
			return docmodel.Fields{}, err
		}
		for _, name := range names {
			d := docmodel.Distribution{Name: name}
			if r.Role == RoleReport {
				d.Purpose = &bc
			}
			f.Distribution = append(f.Distribution, d)
		}
	}
	f.Distribution = append(f.Distribution, c.Distribution...)
	f.Archive = append(f.Archive, c.Archive...)
	if len(f.Archive) == 0 {
		f.Archive = []string{"VT"}
		if drafting.ID != agency.ID && drafting.Abbreviation != "" {
			f.Archive = append(f.Archive, drafting.Abbreviation)
		}
	}
	for _, a := range c.Attachments {
		f.AttachmentsMentioned = append(f.AttachmentsMentioned, a.Name)
	}
	f.Normalize()
	return f, nil
}
