package hooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// RunAll runs every hook even when some fail, passing each failure to warn:
// the spec's rule for poststart and poststop, whose failures must not stop
// the remaining hooks or the lifecycle.
func RunAll(kind string, hooks []specs.Hook, state *specs.State, warn func(error)) {
	input, err := json.Marshal(state)
	if err != nil {
		warn(fmt.Errorf("%s hook: encode state: %w", kind, err))
		return
	}
	for i, h := range hooks {
		if err := runOne(h, input); err != nil {
			warn(fmt.Errorf("%s hook #%d (%s): %w", kind, i, h.Path, err))
		}
	}
}

// Run runs hooks in order and stops at the first failure, which names the
// hook kind, its index and path, and what it printed on stderr.
func Run(kind string, hooks []specs.Hook, state *specs.State) error {
	if len(hooks) == 0 {
		return nil
	}
	input, err := json.Marshal(state)
	if err != nil {
		return fmt.Errorf("%s hook: encode state: %w", kind, err)
	}
	for i, h := range hooks {
		if err := runOne(h, input); err != nil {
			return fmt.Errorf("%s hook #%d (%s): %w", kind, i, h.Path, err)
		}
	}
	return nil
}

func runOne(h specs.Hook, input []byte) error {
	ctx := context.Background()
	if h.Timeout != nil {
		if *h.Timeout <= 0 {
			return fmt.Errorf("timeout must be positive, got %d", *h.Timeout)
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(*h.Timeout)*time.Second)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, h.Path)
	if len(h.Args) > 0 {
		// args follow execv semantics: args[0] is argv[0].
		cmd.Args = h.Args
	}
	// The hook gets its own process group, killed whole at the timeout: a
	// shell hook's children would otherwise live on and hold its stderr
	// pipe open, and Wait would outlast the timeout.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 500 * time.Millisecond
	cmd.Env = h.Env
	if cmd.Env == nil {
		cmd.Env = []string{}
	}
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("timed out after %ds", *h.Timeout)
	}
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		var ee *exec.ExitError
		if errors.As(err, &ee) && msg != "" {
			return fmt.Errorf("%w: %s", err, msg)
		}
		return err
	}
	return nil
}
