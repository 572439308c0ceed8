// Package netguard keeps outbound HTTP requests to user-configured URLs
// (webhooks) away from the server's own network: loopback, link-local,
// private, carrier-grade NAT, unspecified, multicast and cloud metadata
// addresses are refused unless an installation-wide allow-list names
// them. The check runs on the address actually dialled, after DNS
// resolution, so a name that resolves (or later rebinds) to a forbidden
// address cannot reach it; redirects are dialled through the same guard.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// MaxRedirects is the number of redirects a guarded client follows.
const MaxRedirects = 5

// ErrForbidden is wrapped by every refusal of an address.
var ErrForbidden = errors.New("address not allowed for outbound requests")

// forbidden are the ranges refused unless allowed.
var forbidden = []struct {
	prefix netip.Prefix
	what   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private"},
	{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT"},
	{netip.MustParsePrefix("169.254.169.254/32"), "cloud metadata"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignments"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("fd00:ec2::254/128"), "cloud metadata"},
	{netip.MustParsePrefix("fc00::/7"), "private"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("fec0::/10"), "site-local"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local NAT64"},
}

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// Guard decides which addresses outbound requests may reach. The zero
// value (and nil) refuses every forbidden range.
type Guard struct {
	allow []netip.Prefix
}

// New returns a guard that lets the allow-listed ranges through.
func New(allow []netip.Prefix) *Guard {
	return &Guard{allow: append([]netip.Prefix(nil), allow...)}
}

// ParseAllowList reads a comma-separated list of CIDR ranges or single
// addresses ("127.0.0.1/32,10.1.0.0/16,::1"); empty gives none.
func ParseAllowList(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("allow-list entry %q: give a CIDR range such as 10.1.0.0/16 or an address", f)
			}
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("allow-list entry %q: give a CIDR range such as 10.1.0.0/16 or an address", f)
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// AddrError is the refusal of one address.
type AddrError struct {
	Addr netip.Addr
	What string // e.g. "loopback", "private"
}

func (e *AddrError) Error() string {
	return fmt.Sprintf("%s is a %s address: %v (an installation may allow it with loa serve --webhook-allow)", e.Addr, e.What, ErrForbidden)
}

// Unwrap makes errors.Is(err, ErrForbidden) hold.
func (e *AddrError) Unwrap() error { return ErrForbidden }

// Check refuses a forbidden address the allow-list does not name.
func (g *Guard) Check(a netip.Addr) error {
	a = a.Unmap().WithZone("") // a zoned address matches no prefix
	if g != nil {
		for _, p := range g.allow {
			if p.Contains(a) {
				return nil
			}
		}
	}
	if !a.IsValid() {
		return &AddrError{Addr: a, What: "invalid"}
	}
	for _, f := range forbidden {
		if f.prefix.Contains(a) {
			return &AddrError{Addr: a, What: f.what}
		}
	}
	// IPv4 addresses embedded in NAT64 or 6to4 addresses.
	if a.Is6() {
		b := a.As16()
		var v4 netip.Addr
		switch {
		case nat64.Contains(a):
			v4 = netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
		case sixToFour.Contains(a):
			v4 = netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})
		}
		if v4.IsValid() {
			if err := g.Check(v4); err != nil {
				return &AddrError{Addr: a, What: err.(*AddrError).What}
			}
		}
	}
	return nil
}

// control is a net.Dialer Control function: it sees the resolved
// address of every connection attempt.
func (g *Guard) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("netguard: dial %s %q: %w", network, address, ErrForbidden)
	}
	return g.Check(ap.Addr())
}

// Dialer returns a dialer that refuses forbidden addresses.
func (g *Guard) Dialer(timeout time.Duration) *net.Dialer {
	return &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: g.control}
}

// Client returns an HTTP client whose every connection, redirects
// included, goes through the guarded dialer, never through a proxy, and
// that follows at most MaxRedirects http(s) redirects.
func (g *Guard) Client(timeout time.Duration) *http.Client {
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would connect on our behalf, unchecked
		DialContext:           g.Dialer(10 * time.Second).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{Timeout: timeout, Transport: tr, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) > MaxRedirects {
			return fmt.Errorf("stopped after %d redirects", MaxRedirects)
		}
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return fmt.Errorf("redirect to %s: only http and https are followed", req.URL.Scheme)
		}
		return nil
	}}
}

// URLError is the refusal of a URL at save time.
type URLError struct {
	URL    string
	Scheme bool // the scheme or form is wrong (not an http(s) URL)
	Host   string
	Err    error // the address refusal, when !Scheme
}

func (e *URLError) Error() string {
	if e.Scheme {
		return fmt.Sprintf("%q is not an absolute http or https URL", e.URL)
	}
	return fmt.Sprintf("host %s: %v", e.Host, e.Err)
}

func (e *URLError) Unwrap() error { return e.Err }

// Resolver looks host names up; net.DefaultResolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// CheckURL checks a URL before it is saved: http or https with a host,
// no credentials, and a host that resolves to no forbidden address. A
// name that does not resolve now is accepted (the dialler checks again on
// every request). r nil means net.DefaultResolver.
func (g *Guard) CheckURL(ctx context.Context, r Resolver, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" || u.User != nil || u.Opaque != "" {
		return &URLError{URL: raw, Scheme: true}
	}
	host := u.Hostname()
	if a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")); err == nil {
		if err := g.Check(a); err != nil {
			return &URLError{URL: raw, Host: host, Err: err}
		}
		return nil
	}
	if r == nil {
		r = net.DefaultResolver
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if err := g.Check(a); err != nil {
			return &URLError{URL: raw, Host: host, Err: err}
		}
	}
	return nil
}
