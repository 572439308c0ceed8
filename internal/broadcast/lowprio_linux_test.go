package broadcast

import (
	"runtime"
	"syscall"
	"testing"
)

func threadNice(t *testing.T) int {
	t.Helper()
	raw, err := syscall.Getpriority(syscall.PRIO_PROCESS, syscall.Gettid())
	if err != nil {
		t.Fatal(err)
	}
	return 20 - raw
}

// TestRunLowPriority: the work runs on a thread of its own with a nice
// value 10 higher (at most 19), and the caller's thread keeps its own.
func TestRunLowPriority(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before := threadNice(t)
	var inside int
	ran := false
	runLowPriority(func() {
		ran = true
		inside = threadNice(t)
	})
	if !ran {
		t.Fatal("the work did not run")
	}
	if want := min(before+10, 19); inside != want {
		t.Fatalf("nice inside = %d, want %d (caller at %d)", inside, want, before)
	}
	if after := threadNice(t); after != before {
		t.Fatalf("the caller's thread went from nice %d to %d", before, after)
	}
}
