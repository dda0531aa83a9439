// Package logging owns berth's --log/--log-format output: plain text lines for
// people, or one JSON object per line with level, msg and time, which is what
// containerd's shim parses to read a runtime's error back.
package logging
