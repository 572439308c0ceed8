package broadcast

import "runtime"

// runLowPriority runs fn on an operating-system thread of its own whose
// CPU priority is lowered (where the system allows it: Linux), and waits
// for it. An emergency's second transaction (its plays on every targeted
// device: hundreds of milliseconds of CPU at 10,000 devices) runs so,
// right after the push: the connections' writers, device polls and
// operators' pages go first when the CPU is short, and it takes what is
// left. The thread is not handed back to the Go runtime (the goroutine
// ends locked to it, so the runtime ends the thread): no goroutine runs
// on a lowered thread afterwards.
func runLowPriority(fn func()) {
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer close(done)
		lowerThreadPriority()
		fn()
	}()
	<-done
}
