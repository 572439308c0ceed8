//go:build !linux

package broadcast

// lowerThreadPriority does nothing where threads have no priority of
// their own the process may lower.
func lowerThreadPriority() {}
