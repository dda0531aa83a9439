// Command sdnotify is the tests' side of the sd_notify protocol, built
// static so that it also runs in the busybox test rootfs.
//
//	sdnotify send TEXT    send TEXT as one datagram to $NOTIFY_SOCKET
//	sdnotify listen PATH  bind a datagram socket at PATH and print every
//	                      datagram received, one per line (newlines in a
//	                      datagram printed as '|'), until killed
package main

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "sdnotify: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 3 {
		fail("usage: sdnotify send TEXT | sdnotify listen PATH")
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		fail("socket: %v", err)
	}
	switch os.Args[1] {
	case "send":
		path := os.Getenv("NOTIFY_SOCKET")
		if path == "" {
			fail("NOTIFY_SOCKET is not set")
		}
		if err := unix.Sendto(fd, []byte(os.Args[2]), 0, &unix.SockaddrUnix{Name: path}); err != nil {
			fail("send to %s: %v", path, err)
		}
	case "listen":
		os.Remove(os.Args[2])
		if err := unix.Bind(fd, &unix.SockaddrUnix{Name: os.Args[2]}); err != nil {
			fail("bind %s: %v", os.Args[2], err)
		}
		buf := make([]byte, 65536)
		for {
			n, _, err := unix.Recvfrom(fd, buf, 0)
			if err != nil {
				fail("receive: %v", err)
			}
			fmt.Println(strings.ReplaceAll(strings.TrimRight(string(buf[:n]), "\n"), "\n", "|"))
		}
	default:
		fail("unknown command %q", os.Args[1])
	}
}
