package netguard

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
)

func TestCheck(t *testing.T) {
	cases := []struct {
		addr string
		what string // "" means allowed
	}{
		{"127.0.0.1", "loopback"},
		{"127.8.9.10", "loopback"},
		{"::1", "loopback"},
		{"::ffff:127.0.0.1", "loopback"},
		{"10.1.2.3", "private"},
		{"172.16.0.1", "private"},
		{"172.31.255.255", "private"},
		{"192.168.1.1", "private"},
		{"fc00::1", "private"},
		{"fd12:3456::1", "private"},
		{"169.254.169.254", "cloud metadata"},
		{"fd00:ec2::254", "cloud metadata"},
		{"169.254.10.1", "link-local"},
		{"fe80::1", "link-local"},
		{"fe80::1%eth0", "link-local"},
		{"0.0.0.0", "unspecified"},
		{"::", "unspecified"},
		{"224.0.0.1", "multicast"},
		{"239.255.255.250", "multicast"},
		{"ff02::1", "multicast"},
		{"100.64.0.1", "carrier-grade NAT"},
		{"100.127.255.254", "carrier-grade NAT"},
		{"255.255.255.255", "reserved"},
		{"64:ff9b::7f00:1", "loopback"}, // NAT64 of 127.0.0.1
		{"2002:a00:1::1", "private"},    // 6to4 of 10.0.0.1
		{"8.8.8.8", ""},
		{"203.113.131.1", ""},
		{"172.32.0.1", ""},
		{"100.128.0.1", ""},
		{"2001:4860:4860::8888", ""},
		{"64:ff9b::808:808", ""},
	}
	var g *Guard // nil: nothing allowed
	for _, c := range cases {
		err := g.Check(netip.MustParseAddr(c.addr))
		if c.what == "" {
			if err != nil {
				t.Errorf("%s refused: %v", c.addr, err)
			}
			continue
		}
		var ae *AddrError
		if !errors.As(err, &ae) || ae.What != c.what || !errors.Is(err, ErrForbidden) {
			t.Errorf("%s: got %v, want a %s refusal", c.addr, err, c.what)
		}
	}
}

func TestAllowList(t *testing.T) {
	allow, err := ParseAllowList(" 127.0.0.1/32, 10.20.0.0/16,::1 ,")
	if err != nil {
		t.Fatal(err)
	}
	g := New(allow)
	for _, a := range []string{"127.0.0.1", "::ffff:127.0.0.1", "10.20.3.4", "::1"} {
		if err := g.Check(netip.MustParseAddr(a)); err != nil {
			t.Errorf("%s allowed by the list yet refused: %v", a, err)
		}
	}
	for _, a := range []string{"127.0.0.2", "10.21.0.1", "169.254.169.254", "192.168.0.1"} {
		if err := g.Check(netip.MustParseAddr(a)); err == nil {
			t.Errorf("%s not in the list yet allowed", a)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "localhost", "10.0.0"} {
		if _, err := ParseAllowList(bad); err == nil {
			t.Errorf("allow-list %q accepted", bad)
		}
	}
}

type fakeResolver map[string][]netip.Addr

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := f[host]; ok {
		return a, nil
	}
	return nil, errors.New("no such host")
}

func TestCheckURL(t *testing.T) {
	r := fakeResolver{
		"hook.example.vn":     {netip.MustParseAddr("203.113.131.1")},
		"rebind.example.vn":   {netip.MustParseAddr("203.113.131.1"), netip.MustParseAddr("10.0.0.5")},
		"metadata.example.vn": {netip.MustParseAddr("169.254.169.254")},
	}
	ctx := context.Background()
	var g *Guard
	for _, ok := range []string{"https://hook.example.vn/loa", "http://hook.example.vn:8080/x", "https://unknown.example.vn/", "https://203.113.131.1/"} {
		if err := g.CheckURL(ctx, r, ok); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"http://127.0.0.1:9/", "http://[::1]/", "http://[fd00:ec2::254]/", "https://rebind.example.vn/",
		"http://metadata.example.vn/latest"} {
		var ue *URLError
		if err := g.CheckURL(ctx, r, bad); !errors.As(err, &ue) || ue.Scheme || !errors.Is(err, ErrForbidden) {
			t.Errorf("%s: got %v, want an address refusal", bad, err)
		}
	}
	for _, bad := range []string{"ftp://hook.example.vn/", "file:///etc/passwd", "hook.example.vn/x", "https://user:pw@hook.example.vn/", "https:///x", "gopher://x"} {
		var ue *URLError
		if err := g.CheckURL(ctx, r, bad); !errors.As(err, &ue) || !ue.Scheme {
			t.Errorf("%s: got %v, want a scheme refusal", bad, err)
		}
	}
	if err := New([]netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}).CheckURL(ctx, r, "http://127.0.0.1:9/"); err != nil {
		t.Errorf("allow-listed loopback refused: %v", err)
	}
}

// TestClientRefusesLoopback dials a real local server: the guarded client
// never reaches it, unless the allow-list names it; a redirect from an
// allowed server to a forbidden one is refused too.
func TestClientRefusesLoopback(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	_, err := New(nil).Client(0).Get(srv.URL)
	if err == nil || !errors.Is(err, ErrForbidden) || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("loopback request: %v", err)
	}
	if hits.Load() != 0 {
		t.Fatalf("the server was reached %d times", hits.Load())
	}
	// localhost resolves to loopback: the dial-time check sees the address.
	if _, err := New(nil).Client(0).Get(strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)); !errors.Is(err, ErrForbidden) {
		t.Fatalf("localhost request: %v", err)
	}
	allowed := New([]netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}).Client(0)
	resp, err := allowed.Get(srv.URL)
	if err != nil {
		t.Fatalf("allow-listed request: %v", err)
	}
	resp.Body.Close()
	if hits.Load() != 1 {
		t.Fatalf("hits %d", hits.Load())
	}

	// Redirects: from an allowed address to a forbidden one (::1 is not in
	// the list), and endless redirects.
	redir := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/loop" {
			http.Redirect(w, r, "/loop", http.StatusFound)
			return
		}
		http.Redirect(w, r, "http://[::1]:1/secret", http.StatusTemporaryRedirect)
	}))
	defer redir.Close()
	if _, err := allowed.Get(redir.URL); !errors.Is(err, ErrForbidden) {
		t.Fatalf("redirect to ::1: %v", err)
	}
	if _, err := allowed.Get(redir.URL + "/loop"); err == nil || !strings.Contains(err.Error(), "redirects") {
		t.Fatalf("redirect loop: %v", err)
	}
}
