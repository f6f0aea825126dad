//go:build !unix

package cifar

import "time"

// cpuTime is not measured here.
func cpuTime() time.Duration { return 0 }
