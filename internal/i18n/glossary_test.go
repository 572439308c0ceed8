package i18n

import (
	"strings"
	"testing"
)

// TestGlossary: the glossary's terms are in the catalogue, and the pages'
// labels for the same ideas use them (one term per idea: "Văn bản đến",
// "Văn bản đi", "Quá hạn" vs "trễ hạn", "Phát khẩn cấp", "Lệnh phát" …).
func TestGlossary(t *testing.T) {
	c := Messages()
	for _, term := range Glossary() {
		if c.T(VI, term.Key) != term.VI || c.T(EN, term.Key) != term.EN || term.Source == "" {
			t.Errorf("glossary term %s is not in the catalogue as given", term.Key)
		}
	}
	term := func(key string) string { return strings.ToLower(c.T(VI, key)) }
	for label, want := range map[string]string{
		"nav.inbox": "term.incoming", "nav.directives": "term.outgoing", "dir.title": "term.outgoing", "dir.overdue": "term.overdue",
		"dir.late": "term.late", "bc.em.button": "term.emergency", "bc.tab.orders": "term.order", "bc.devices.pushed": "term.push",
		"work.overdue": "term.overdue",
	} {
		if !strings.Contains(strings.ToLower(c.T(VI, label)), term(want)) {
			t.Errorf("%s reads %q: it should use the term %q", label, c.T(VI, label), c.T(VI, want))
		}
	}
	// "Quá hạn" (not handled, deadline passed) and "trễ hạn" (handled
	// after the deadline) never share a label.
	if strings.Contains(term("dir.late"), "quá hạn") || strings.Contains(term("dir.overdue"), "trễ") {
		t.Error("the overdue and late labels are ambiguous")
	}
}

// TestAuditWordsAndFallback: action codes, system actors and errors the
// catalogue does not explain read as Vietnamese sentences on Vietnamese
// pages, never as codes or English.
func TestAuditWordsAndFallback(t *testing.T) {
	for _, code := range KnownAuditActions() {
		if v := AuditAction(VI, code); !LooksVietnamese(v) || v == code {
			t.Errorf("audit action %s reads %q", code, v)
		}
		if AuditAction(EN, code) == code {
			t.Errorf("audit action %s has no English name", code)
		}
	}
	if AuditAction(VI, "something.new") != "Thao tác khác" {
		t.Error("an unknown action code is shown as it is")
	}
	if got := ActorName(VI, "system:auto-schedule"); got != "Hệ thống (lên lịch phát tự động)" {
		t.Errorf("system:auto-schedule reads %q", got)
	}
	if got := ActorName(VI, "vanthu.so"); got != "vanthu.so" {
		t.Errorf("a user name reads %q", got)
	}
	for _, kind := range []string{"invalid", "not_found", "forbidden", "conflict", "too_large", "throttled", "unauthorized", "internal"} {
		if v := Fallback(VI, kind, "subject", 0); !LooksVietnamese(v) {
			t.Errorf("fallback for %s reads %q", kind, v)
		}
	}
	if v := Fallback(VI, "invalid", "items[2].title", 3); !strings.Contains(v, "“Các mục nội dung”") || !strings.HasPrefix(v, "Dòng 3: ") {
		t.Errorf("a nested field's fallback reads %q", v)
	}
	if Fallback(EN, "invalid", "subject", 0) != "" {
		t.Error("English pages keep the service's own text")
	}
	if LooksVietnamese(`field "subject": give the subject`) || !LooksVietnamese("Trích yếu") {
		t.Error("LooksVietnamese is wrong")
	}
}
