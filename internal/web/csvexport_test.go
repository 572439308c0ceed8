package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/loa-project/loa/internal/orgs"
)

func postCSV(t *testing.T, e *env, path, token, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// readCSV parses a CSV export, failing on any cell a spreadsheet would
// read as a formula, and returns its rows.
func readCSV(t *testing.T, body []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatalf("CSV export: %v\n%s", err, body)
	}
	for _, row := range rows {
		for _, c := range row {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				t.Errorf("CSV cell starts with a formula character: %q", c)
			}
		}
	}
	return rows
}

// TestOrgCSVExportNeutralisesFormulas: unit names that a spreadsheet would
// run as formulas come out of the organisation CSV export quoted, and the
// export imports back unchanged (the quote is removed on import).
func TestOrgCSVExportNeutralisesFormulas(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		tok := e.creds.AdminToken
		in := "code,parent_code,name,short_name,kind,abbreviation\n" +
			"to-dan-pho-x,ubnd-vinh-lac,\"=HYPERLINK(\"\"http://evil.example/\"\",\"\"Tổ 1\"\")\",'=Tổ 1,other,\n" +
			"to-dan-pho-y,ubnd-vinh-lac,+84 Tổ 2,'quoted,other,\n" +
			"to-dan-pho-z,ubnd-vinh-lac,-Tổ 3,@Tổ 3,other,\n"
		if code, b := postCSV(t, e, "/api/v1/org/import", tok, in); code != 200 {
			t.Fatalf("import: %d %s", code, b)
		}
		x, err := e.store.Orgs().UnitByCode(ctx, "to-dan-pho-x")
		if err != nil {
			t.Fatal(err)
		}
		// A quote in a hand-written import stays unless it escapes a formula character.
		if x.Name != `=HYPERLINK("http://evil.example/","Tổ 1")` || x.ShortName != "=Tổ 1" {
			t.Fatalf("imported unit: %+v", x)
		}
		r := e.do("GET", "/api/v1/org/export?format=csv", tok, nil)
		if r.code != 200 {
			t.Fatalf("export: %d %s", r.code, r.body)
		}
		rows := readCSV(t, r.body)
		want := map[string][]string{
			"to-dan-pho-x": {`'=HYPERLINK("http://evil.example/","Tổ 1")`, "'=Tổ 1"},
			"to-dan-pho-y": {"'+84 Tổ 2", "'quoted"},
			"to-dan-pho-z": {"'-Tổ 3", "'@Tổ 3"},
		}
		seen := 0
		for _, row := range rows {
			if w, ok := want[row[0]]; ok {
				seen++
				if row[2] != w[0] || row[3] != w[1] {
					t.Errorf("exported %v, want name %q short %q", row, w[0], w[1])
				}
			}
		}
		if seen != 3 {
			t.Fatalf("exported rows: %v", rows)
		}
		units, _ := e.store.Orgs().Units(ctx)
		code, b := postCSV(t, e, "/api/v1/org/import", tok, string(r.body))
		var res orgs.ImportResult
		if err := json.Unmarshal(b, &res); err != nil || code != 200 || res.Unchanged != len(units) || res.Created+res.Updated != 0 {
			t.Fatalf("re-import of the CSV export: %d %s", code, b)
		}
		y, _ := e.store.Orgs().UnitByCode(ctx, "to-dan-pho-y")
		z, _ := e.store.Orgs().UnitByCode(ctx, "to-dan-pho-z")
		if y.Name != "+84 Tổ 2" || y.ShortName != "'quoted" || z.Name != "-Tổ 3" || z.ShortName != "@Tổ 3" {
			t.Fatalf("after the round trip: %+v %+v", y, z)
		}
	})
}

// TestAuditCSVNeutralisesFormulas: a user name typed at the login form is
// written to the audit log; the CSV export shows it as text.
func TestAuditCSVNeutralisesFormulas(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		const evil = `=cmd|' /c calc'!a0` // user names are lower-cased
		resp, err := http.PostForm(e.srv.URL+"/login", url.Values{"username": {evil}, "password": {"wrong"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		r := e.do("GET", "/api/v1/audit?format=csv&action=login.failed", e.creds.AdminToken, nil)
		if r.code != 200 {
			t.Fatalf("audit CSV: %d %s", r.code, r.body)
		}
		found := false
		for _, row := range readCSV(t, r.body) {
			for _, c := range row {
				found = found || c == "'"+evil
			}
		}
		if !found {
			t.Fatalf("the failed login is not in the audit CSV:\n%s", r.body)
		}
	})
}
