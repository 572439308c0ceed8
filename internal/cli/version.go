package cli

import (
	"runtime"
	"runtime/debug"
)

// Version and Commit are set at build time by the Makefile:
//
//	go build -ldflags "-X github.com/loa-project/loa/internal/cli.Version=1.2.0 -X github.com/loa-project/loa/internal/cli.Commit=abc1234"
//
// Without -ldflags they come from the Go build information (module version
// and VCS revision) when the binary has them, and stay "dev"/"unknown"
// otherwise.
var (
	Version = "dev"
	Commit  = ""
)

// BuildInfo is what `loa version` and /healthz report.
type BuildInfo struct {
	Version string
	Commit  string
	Dirty   bool
	Go      string
}

// buildInfo returns the version and commit this binary was built from.
func buildInfo() BuildInfo {
	b := BuildInfo{Version: Version, Commit: Commit, Go: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if b.Version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			b.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if b.Commit == "" {
					b.Commit = s.Value
				}
			case "vcs.modified":
				b.Dirty = s.Value == "true"
			}
		}
	}
	if len(b.Commit) > 12 {
		b.Commit = b.Commit[:12]
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	return b
}
