package nsenter

/*
#cgo CFLAGS: -Wall -Wextra -O2
*/
import "C"
