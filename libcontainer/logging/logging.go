package logging

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

var (
	mu     sync.Mutex
	out    io.Writer = os.Stderr
	asJSON bool
	debug  bool
	toFile bool
)

// Setup chooses where and how log lines are written. An empty path means stderr.
func Setup(path, format string, debugOn bool) error {
	switch format {
	case "text", "":
		asJSON = false
	case "json":
		asJSON = true
	default:
		return fmt.Errorf("--log-format: unknown format %q (want text or json)", format)
	}
	debug = debugOn
	if path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("open log file %q: %w", path, err)
		}
		out = f
		toFile = true
	}
	return nil
}

// ToFile reports whether log lines go to a file rather than stderr.
func ToFile() bool { return toFile }

// DebugEnabled reports whether --debug was given.
func DebugEnabled() bool { return debug }

func write(level, msg string) {
	mu.Lock()
	defer mu.Unlock()
	now := time.Now()
	if asJSON {
		b, _ := json.Marshal(struct {
			Level string `json:"level"`
			Msg   string `json:"msg"`
			Time  string `json:"time"`
		}{level, msg, now.Format(time.RFC3339Nano)})
		out.Write(append(b, '\n'))
		return
	}
	if toFile {
		fmt.Fprintf(out, "time=%q level=%s msg=%q\n", now.Format(time.RFC3339Nano), level, msg)
		return
	}
	if level == "error" {
		fmt.Fprintf(out, "berth: %s\n", msg)
		return
	}
	fmt.Fprintf(out, "berth: %s: %s\n", level, msg)
}

// Error logs a failure.
func Error(msg string) { write("error", msg) }

// Warn logs something that went wrong but did not stop the operation, such as
// a failed poststart hook.
func Warn(format string, args ...any) { write("warning", fmt.Sprintf(format, args...)) }

// Debug logs only under --debug.
func Debug(format string, args ...any) {
	if debug {
		write("debug", fmt.Sprintf(format, args...))
	}
}
