//go:build !unix

package imagefile

// oNonblock is 0 where open(2) has no FIFOs to wait on.
const oNonblock = 0
