package cli

import "log/slog"

// warnNoPublicURL warns, on a server that is not the demo, that the public
// feeds (/feeds/UNIT/…, always served) have no configured public URL: their
// links are then relative to the server's root (never taken from the Host
// header), which some feed readers and e-portals do not resolve. It
// reports whether it warned.
func warnNoPublicURL(log *slog.Logger, publicURL string, demo bool) bool {
	if publicURL != "" || demo {
		return false
	}
	log.Warn("public feeds are served without --public-url: their links are relative to the server's root; " +
		"start loa serve with --public-url https://… (the address the e-portal and citizens reach Loa at) for absolute links")
	return true
}
