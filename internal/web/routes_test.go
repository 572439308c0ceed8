package web

import (
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/authz"
	"github.com/loa-project/loa/internal/i18n"
)

// Stand-ins that only make the optional route groups register.
type (
	stubDocuments  struct{ Documents }
	stubRegistry   struct{ Registry }
	stubBroadcast  struct{ Broadcast }
	stubChannels   struct{ Channels }
	stubDirectives struct{ Directives }
	stubStats      struct{ Dashboards }
	stubScheduler  struct{ DirectiveScheduler }
	stubArchive    struct{ Archive }
)

func (stubBroadcast) MaxUpload() int64 { return 1 << 20 }

func newBare(t *testing.T) *Server {
	t.Helper()
	s, err := New(Deps{Policy: authz.Default(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Documents: stubDocuments{}, Registry: stubRegistry{}, Broadcast: stubBroadcast{}, Channels: stubChannels{}, Directives: stubDirectives{}, Scheduler: stubScheduler{},
		Archive: stubArchive{}, Stats: stubStats{}, Reports: stubReports{}, Feedback: stubFeedback{}, CAP: stubCAP{}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestOpenAPIMatchesRoutes fails when an API route is missing from the
// OpenAPI document, or the document lists a route the server lacks.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	s := newBare(t)
	b, err := assets.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	served := map[string]bool{}
	for _, r := range s.routes {
		if !r.API && r.Pattern != "/healthz" && r.Pattern != "/metrics" {
			continue
		}
		key := strings.ToLower(r.Method) + " " + r.Pattern
		served[key] = true
		if _, ok := doc.Paths[r.Pattern][strings.ToLower(r.Method)]; !ok {
			t.Errorf("route %s %s is missing from openapi.json", r.Method, r.Pattern)
		}
	}
	var extra []string
	for path, ops := range doc.Paths {
		for m := range ops {
			if !served[m+" "+path] {
				extra = append(extra, m+" "+path)
			}
		}
	}
	sort.Strings(extra)
	for _, e := range extra {
		t.Errorf("openapi.json documents %s, which the server does not serve", e)
	}
	// Generated clients name their methods after operationId: every
	// operation has one, unique across the document.
	ids := map[string]string{}
	for path, ops := range doc.Paths {
		for m, op := range ops {
			o, _ := op.(map[string]any)
			id, _ := o["operationId"].(string)
			if id == "" {
				t.Errorf("openapi.json: %s %s has no operationId", m, path)
				continue
			}
			if other, dup := ids[id]; dup {
				t.Errorf("openapi.json: operationId %q of %s %s is also used by %s", id, m, path, other)
			}
			ids[id] = m + " " + path
		}
	}
}

var tKeyRe = regexp.MustCompile(`\.T "([a-z0-9_.]+)"`)

// TestTemplatesAreTranslated fails when a template uses a message key
// missing from the catalog, or a key lacks Vietnamese or English.
func TestTemplatesAreTranslated(t *testing.T) {
	msgs := i18n.Messages()
	if missing := msgs.Missing(); len(missing) > 0 {
		t.Errorf("catalog entries without a language: %v", missing)
	}
	err := fs.WalkDir(assets, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := assets.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range tKeyRe.FindAllSubmatch(b, -1) {
			if _, ok := msgs[string(m[1])]; !ok {
				t.Errorf("%s uses message %q, which the catalog lacks", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{"admin", "clerk", "drafter", "approver", "receiver", "broadcaster", "viewer"} {
		if _, ok := msgs["role."+role]; !ok {
			t.Errorf("role %s has no name", role)
		}
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{"/org": "/org", "": "/", "//evil.example": "/", "https://evil.example": "/", "/\\evil": "/"} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
