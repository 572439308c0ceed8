package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// checkDebugAddr refuses a --debug-addr that is not a loopback host:port.
func checkDebugAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%w: --debug-addr %q: give host:port, e.g. 127.0.0.1:6060", errUsage, addr)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%w: --debug-addr %q: profiles are unauthenticated, listen on a loopback address such as 127.0.0.1:6060", errUsage, addr)
	}
	return nil
}

// startDebug serves Go's runtime profiles (net/http/pprof) and the
// metrics on a separate listener, for profiling a running server: `go
// tool pprof http://ADDR/debug/pprof/heap`. The address must be a
// loopback one: neither is authenticated there. It stops when ctx ends.
func startDebug(ctx context.Context, addr string, metrics http.Handler, log *slog.Logger) error {
	if err := checkDebugAddr(addr); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on --debug-addr %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.Handle("/metrics", metrics)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = hs.Close()
	}()
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Warn("debug listener stopped", "err", err)
		}
	}()
	log.Info("runtime profiles served", "url", "http://"+ln.Addr().String()+"/debug/pprof/")
	return nil
}
