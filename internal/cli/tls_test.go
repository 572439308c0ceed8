package cli

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"
)

// writeCert writes a self-signed certificate for 127.0.0.1 with the given
// serial number to certFile and keyFile, and returns it.
func writeCert(t *testing.T, certFile, keyFile string, serial int64) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "loa test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	// Key first: a reload that reads between the two writes fails and
	// keeps the old certificate; the test polls until the new one shows.
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var (
	httpsRe    = regexp.MustCompile(`running at (https://\S+)`)
	redirectRe = regexp.MustCompile(`redirecting plain HTTP to HTTPS" addr=(\S+)`)
)

// TestServeTLS: with --tls-cert/--tls-key serve answers HTTPS with HSTS
// and reports version and commit on /healthz, the redirect listener sends
// plain HTTP to HTTPS, and SIGHUP loads a renewed certificate.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	first := writeCert(t, certFile, keyFile, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, errOut := &lockedBuffer{}, &lockedBuffer{}
	env := Env{Stdout: out, Stderr: errOut, Getenv: func(string) string { return "" }}
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, env, []string{"--data", filepath.Join(dir, "data"), "--addr", "127.0.0.1:0", "--tls-cert", certFile, "--tls-key", keyFile,
			"--http-redirect-addr", "127.0.0.1:0", "--log-level", "info"})
	}()
	var base, redirect string
	for i := 0; base == "" || redirect == ""; i++ {
		select {
		case err := <-done:
			t.Fatalf("serve ended: %v\n%s", err, errOut.String())
		case <-time.After(50 * time.Millisecond):
		}
		if m := httpsRe.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
		if m := redirectRe.FindStringSubmatch(errOut.String()); m != nil {
			redirect = m[1]
		}
		if i == 1200 {
			t.Fatalf("server not up after 60 s:\n%s\n%s", out.String(), errOut.String())
		}
	}
	pool := x509.NewCertPool()
	pool.AddCert(first)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var health map[string]string
	err = json.NewDecoder(resp.Body).Decode(&health)
	resp.Body.Close()
	b := buildInfo()
	if err != nil || resp.StatusCode != 200 || health["version"] != b.Version || health["commit"] != b.Commit {
		t.Fatalf("/healthz: %d %v %v, want version %s commit %s", resp.StatusCode, health, err, b.Version, b.Commit)
	}
	if hsts := resp.Header.Get("Strict-Transport-Security"); hsts == "" {
		t.Error("no HSTS header over HTTPS")
	}

	resp, err = client.Get("http://" + redirect + "/login?next=%2F")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if want := base + "/login?next=%2F"; resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want {
		t.Fatalf("redirect: %d to %q, want 301 to %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}

	// Renew the certificate and send SIGHUP: new connections get it.
	writeCert(t, certFile, keyFile, 2)
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	host := base[len("https://"):]
	for i := 0; ; i++ {
		conn, err := tls.Dial("tcp", host, &tls.Config{InsecureSkipVerify: true}) // the serial is what is checked
		if err != nil {
			t.Fatal(err)
		}
		serial := conn.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
		conn.Close()
		if serial == 2 {
			break
		}
		if i == 100 {
			t.Fatalf("certificate not reloaded after SIGHUP (serial %d)\n%s", serial, errOut.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30 s")
	}
}
