package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
)

// certReloader serves the certificate of --tls-cert/--tls-key and loads
// it again on SIGHUP (after the operator or certbot renewed it), without
// dropping connections. A failed reload keeps the previous certificate.
type certReloader struct {
	certFile, keyFile string
	mu                sync.RWMutex
	cert              *tls.Certificate
}

func newCertReloader(certFile, keyFile string) (*certReloader, error) {
	c := &certReloader{certFile: certFile, keyFile: keyFile}
	if err := c.reload(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *certReloader) reload() error {
	cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		return fmt.Errorf("TLS certificate %s with key %s: %w (give PEM files with --tls-cert and --tls-key)", c.certFile, c.keyFile, err)
	}
	c.mu.Lock()
	c.cert = &cert
	c.mu.Unlock()
	return nil
}

func (c *certReloader) getCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.cert, nil
}

func (c *certReloader) tlsConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: c.getCertificate}
}

// watchHUP reloads the certificate at every SIGHUP until ctx ends. The
// signal is caught from when watchHUP returns.
func (c *certReloader) watchHUP(ctx context.Context, log *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				if err := c.reload(); err != nil {
					log.Error("TLS certificate not reloaded; keeping the previous one", "err", err)
					continue
				}
				log.Info("TLS certificate reloaded", "cert", c.certFile)
			}
		}
	}()
}

// listenPort is the port of a listener's address.
func listenPort(ln net.Listener) string {
	_, port, err := net.SplitHostPort(ln.Addr().String())
	if err != nil {
		return ""
	}
	return port
}

// startRedirect listens for plain HTTP on addr and redirects every
// request to HTTPS: to the public URL when configured, otherwise to the
// same host on the TLS port. Serve errors go to errc.
func startRedirect(addr, publicURL, tlsPort string, log *slog.Logger, errc chan<- error) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s for the HTTP→HTTPS redirect: %w (choose another with --http-redirect-addr)", addr, err)
	}
	rs := &http.Server{Handler: redirectHandler(strings.TrimRight(publicURL, "/"), tlsPort), ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout: 30 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go func() {
		if err := rs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("HTTP→HTTPS redirect: %w", err)
		}
	}()
	log.Info("redirecting plain HTTP to HTTPS", "addr", ln.Addr().String())
	return rs, nil
}

func redirectHandler(publicURL, tlsPort string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := publicURL
		if target == "" || !strings.HasPrefix(target, "https://") {
			host := r.Host
			if h, _, err := net.SplitHostPort(host); err == nil {
				host = h
			}
			if host == "" || strings.ContainsAny(host, "/\\@") {
				http.Error(w, "bad Host header", http.StatusBadRequest)
				return
			}
			if strings.Contains(host, ":") {
				host = "[" + host + "]"
			}
			if tlsPort != "" && tlsPort != "443" {
				host += ":" + tlsPort
			}
			target = "https://" + host
		}
		http.Redirect(w, r, target+r.URL.RequestURI(), http.StatusMovedPermanently)
	})
}

// withEnv returns env whose Getenv answers the given non-empty values
// first.
func withEnv(env Env, vals map[string]string) Env {
	get := env.Getenv
	env.Getenv = func(k string) string {
		if v := vals[k]; v != "" {
			return v
		}
		return get(k)
	}
	return env
}
