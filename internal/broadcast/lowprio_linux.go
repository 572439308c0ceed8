package broadcast

import "syscall"

// lowerThreadPriority raises the calling thread's nice value by 10 (at
// most 19). Linux applies nice values per thread. Errors are ignored: the
// work runs at the usual priority then.
func lowerThreadPriority() {
	tid := syscall.Gettid()
	raw, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid)
	if err != nil {
		return
	}
	nice := 20 - raw // the system call answers 20 - nice
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, tid, min(nice+10, 19))
}
