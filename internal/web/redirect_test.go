package web

import "testing"

func TestSameSiteTarget(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "/"},
		{"/", "/"},
		{"/org", "/org"},
		{"/documents?q=a+b&before=3", "/documents?q=a+b&before=3"},
		{"/documents/5#fields", "/documents/5"},
		{"/t%C3%A0i-li%E1%BB%87u", "/t%C3%A0i-li%E1%BB%87u"},
		{"//evil", "/"},
		{"//evil.example/", "/"},
		{"///evil", "/"},
		{"/\\evil", "/"},
		{"\\\\evil", "/"},
		{"/%5Cevil", "/"},
		{"/%5cevil", "/"},
		{"/%2F/evil", "/"},
		{"/%2f%2fevil", "/"},
		{"/%09/evil", "/"},
		{"/%0d%0a/evil", "/"},
		{"/%00", "/"},
		{"/\t/evil", "/"},
		{"/\r\n/evil", "/"},
		{"/\x7f", "/"},
		{"/org\nSet-Cookie: x=1", "/"},
		{"https://evil", "/"},
		{"http:/evil", "/"},
		{"HTTPS://evil", "/"},
		{"javascript:alert(1)", "/"},
		{"JaVaScRiPt:alert(1)", "/"},
		{"data:text/html,<script>alert(1)</script>", "/"},
		{"evil", "/"},
		{" /evil", "/"},
		{"/%", "/"},
		{"/%zz", "/"},
		{"/%C0%AF", "/"},
	}
	for _, c := range cases {
		if got := sameSiteTarget(c.in, "/"); got != c.want {
			t.Errorf("sameSiteTarget(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := sameSiteTarget("//evil", "/notifications"); got != "/notifications" {
		t.Errorf("fallback: got %q", got)
	}
}
