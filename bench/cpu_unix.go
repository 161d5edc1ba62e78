//go:build unix

package bench

import (
	"syscall"
	"time"
)

// CPUTime is the CPU time (user and system) this process has used so far,
// every goroutine and the garbage collector included. On a shared machine
// it is steadier than the wall clock: time spent waiting for a CPU that
// another process holds is not counted.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
