package initproc

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/berth-runtime/berth/libcontainer/caps"
	"github.com/berth-runtime/berth/libcontainer/hooks"
	"github.com/berth-runtime/berth/libcontainer/phase"
	"github.com/berth-runtime/berth/libcontainer/rootfs"
	"github.com/berth-runtime/berth/libcontainer/syncmsg"
	"github.com/berth-runtime/berth/libcontainer/sysctl"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Main runs the init; it never returns.
func Main() {
	phase.Mark("init")
	fd, _ := strconv.Atoi(os.Getenv(EnvSyncFd))
	sync := os.NewFile(uintptr(fd), "sync")
	startFd, _ := strconv.Atoi(os.Getenv(EnvStartFd))
	msg, err := syncmsg.Read(sync)
	switch {
	case err != nil:
		err = fmt.Errorf("read config from runtime: %w", err)
	case msg.Type == syncmsg.ExecConfig:
		err = runExec(sync, msg.Payload)
	case msg.Type == syncmsg.Config:
		err = run(sync, startFd, msg)
	default:
		err = fmt.Errorf("expected config from runtime, got message %d", msg.Type)
	}
	// run and runExec only return on failure (success ends in execve).
	syncmsg.Write(sync, syncmsg.Error, []byte(err.Error()))
	os.Exit(1)
}

func run(sync *os.File, startFd int, msg syncmsg.Message) error {
	var c InitConfig
	if err := json.Unmarshal(msg.Payload, &c); err != nil {
		return fmt.Errorf("decode config: %w", err)
	}
	phase.Mark("init-config")
	s := c.Spec
	unix.Umask(0)
	os.Clearenv()

	if s.Hostname != "" {
		if err := unix.Sethostname([]byte(s.Hostname)); err != nil {
			return fmt.Errorf("set hostname %q: %w", s.Hostname, err)
		}
	}
	if s.Domainname != "" {
		if err := unix.Setdomainname([]byte(s.Domainname)); err != nil {
			return fmt.Errorf("set domainname %q: %w", s.Domainname, err)
		}
	}
	// In the container's namespaces, through a verified procfs handle;
	// Validate allowed only keys of namespaces the container has.
	for k, v := range s.Linux.Sysctl {
		if err := sysctl.Write(k, v); err != nil {
			return err
		}
	}
	trees, err := recvIDMapTrees(sync, s)
	if err != nil {
		return err
	}
	if err := rootfs.Prepare(&rootfs.Config{Spec: s, Rootfs: c.Rootfs, Bundle: c.Bundle, UserNS: c.UserNS, Cgroups: c.Cgroups, IDMapTrees: trees}); err != nil {
		return err
	}
	if s.Hooks != nil && (len(s.Hooks.Prestart) > 0 || len(s.Hooks.CreateRuntime) > 0) { //nolint:staticcheck // prestart is deprecated but still honoured
		if err := syncmsg.Write(sync, syncmsg.HooksReq, nil); err != nil {
			return err
		}
		m, err := syncmsg.Read(sync)
		if err != nil || m.Type != syncmsg.HooksDone {
			return errors.New("runtime did not confirm the prestart/createRuntime hooks")
		}
	}
	st := &specs.State{Version: specs.Version, ID: c.ID, Status: specs.StateCreating, Pid: c.HostPid, Bundle: c.Bundle, Annotations: s.Annotations}
	if s.Hooks != nil {
		if err := hooks.Run("createContainer", s.Hooks.CreateContainer, st); err != nil {
			return err
		}
	}
	phase.Mark("init-rootfs")
	if c.NoPivot {
		err = rootfs.MoveRoot(c.Rootfs)
	} else {
		err = rootfs.PivotRoot(c.Rootfs)
	}
	if err != nil {
		return err
	}
	phase.Mark("init-pivot")
	if err := rootfs.SharedRoot(s); err != nil {
		return err
	}
	if err := rootfs.MaskPaths(s.Linux.MaskedPaths); err != nil {
		return err
	}
	if err := rootfs.ReadonlyPaths(s.Linux.ReadonlyPaths); err != nil {
		return err
	}
	// The cwd is created before the root turns read-only, as runc does,
	// so an image without it still runs with root.readonly.
	if err := makeCwd(s.Process.Cwd); err != nil {
		return err
	}
	if s.Root != nil && s.Root.Readonly {
		if err := rootfs.ReadonlyRoot(); err != nil {
			return err
		}
	}
	p := s.Process
	if p.Terminal {
		if err := setupConsole(sync, p.ConsoleSize, true); err != nil {
			return err
		}
	}
	if !c.NoNewKeyring {
		// A fresh session keyring, so the container cannot read the
		// host's keys through the one it would otherwise inherit.
		if _, err := unix.KeyctlJoinSessionKeyring("_ses." + c.ID); err != nil && !errors.Is(err, unix.ENOSYS) {
			return fmt.Errorf("join a new session keyring: %w", err)
		}
	}
	env := p.Env
	if c.ListenFDs > 0 {
		env = listenEnv(env, c.ListenFDs, c.ListenFDNames)
	}
	// The seccomp filter goes in through the hooks of the shared tail: just
	// before the user change when it must be loaded with privileges, else
	// right before execve (see SeccompEarly).
	early := SeccompEarly(c.Seccomp, p.NoNewPrivileges)
	var guard *threadGuard
	path, env, err := prepareProcess(p, env, func() (err error) {
		if early {
			guard, err = loadSeccomp(c.Seccomp, sync)
		}
		return err
	})
	if err != nil {
		return err
	}
	phase.Mark("init-ready")
	if err := syncmsg.Write(sync, syncmsg.Ready, nil); err != nil {
		return fmt.Errorf("report ready: %w", err)
	}
	conn, err := waitStart(startFd)
	if err != nil {
		return err
	}
	guard.setStart(conn)
	phase.Mark("init-start")
	// From here on failures are reported to `start`, whose connection
	// closes by itself (close-on-exec) when execve succeeds.
	fail := func(err error) error {
		conn.Write([]byte(err.Error()))
		os.Exit(1)
		return err
	}
	if s.Hooks != nil {
		st.Status = specs.StateCreated
		if err := hooks.Run("startContainer", s.Hooks.StartContainer, st); err != nil {
			return fail(err)
		}
	}
	return fail(execProcess(p, path, env, c.ListenFDs+c.PreserveFDs, func() (err error) {
		if !early {
			guard, err = loadSeccomp(c.Seccomp, sync)
			guard.setStart(conn)
		}
		return err
	}))
}

func envGet(env []string, key string) string {
	for _, e := range env {
		if k, v, ok := strings.Cut(e, "="); ok && k == key {
			return v
		}
	}
	return ""
}

func homeOf(uid uint32) string {
	b, err := readRegular("/etc/passwd")
	if err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Split(line, ":")
			if len(f) >= 6 && f[2] == strconv.Itoa(int(uid)) && f[5] != "" {
				return f[5]
			}
		}
	}
	return "/"
}

// readRegular reads a file of the container that must be a regular file:
// opened non-blocking and checked, so that a FIFO in its place cannot hang
// the runtime (and a `berth exec` with it).
func readRegular(p string) ([]byte, error) {
	f, err := os.OpenFile(p, os.O_RDONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", p)
	}
	return io.ReadAll(io.LimitReader(f, 16<<20))
}

func makeCwd(cwd string) error {
	if cwd == "" {
		return nil
	}
	if !filepath.IsAbs(cwd) {
		return fmt.Errorf("process.cwd %q must be an absolute path", cwd)
	}
	// After pivot_root, "/" is the container's root: MkdirAll cannot
	// leave it through "..", and the rootfs's symlinks resolve inside it.
	if err := os.MkdirAll(cwd, 0o755); err != nil {
		return fmt.Errorf("create process.cwd %q: %w", cwd, err)
	}
	return nil
}

func chdirIn(cwd string) error {
	if cwd == "" {
		cwd = "/"
	}
	if err := unix.Chdir(cwd); err != nil {
		return fmt.Errorf("chdir to process.cwd %q: %w", cwd, err)
	}
	// A cwd that leads outside the root (a leaked fd's /proc/self/fd/N,
	// CVE-2024-21626) shows up as a path that does not start with "/".
	wd, err := unix.Getwd()
	if err != nil || !strings.HasPrefix(wd, "/") {
		return fmt.Errorf("process.cwd %q is outside the container", cwd)
	}
	return nil
}

const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// lookPath finds args[0] in the container (after pivot_root), so a missing
// program is a create-time error, as with runc.
func lookPath(args, env []string) (string, error) {
	if len(args) == 0 || args[0] == "" {
		return "", errors.New("process.args is empty: nothing to run")
	}
	name := args[0]
	if strings.Contains(name, "/") {
		if err := isExecutable(name); err != nil {
			return "", fmt.Errorf("process.args[0] %q: %w", name, err)
		}
		return name, nil
	}
	path := envGet(env, "PATH")
	if path == "" {
		path = defaultPath
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		if isExecutable(p) == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("process.args[0] %q: executable file not found in the container's $PATH (%s)", name, path)
}

func isExecutable(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return errors.New("is a directory")
	}
	if fi.Mode()&0o111 == 0 {
		return errors.New("permission denied: not executable")
	}
	return nil
}

var rlimits = map[string]int{
	"RLIMIT_CPU": unix.RLIMIT_CPU, "RLIMIT_FSIZE": unix.RLIMIT_FSIZE, "RLIMIT_DATA": unix.RLIMIT_DATA,
	"RLIMIT_STACK": unix.RLIMIT_STACK, "RLIMIT_CORE": unix.RLIMIT_CORE, "RLIMIT_RSS": unix.RLIMIT_RSS,
	"RLIMIT_NPROC": unix.RLIMIT_NPROC, "RLIMIT_NOFILE": unix.RLIMIT_NOFILE, "RLIMIT_MEMLOCK": unix.RLIMIT_MEMLOCK,
	"RLIMIT_AS": unix.RLIMIT_AS, "RLIMIT_LOCKS": unix.RLIMIT_LOCKS, "RLIMIT_SIGPENDING": unix.RLIMIT_SIGPENDING,
	"RLIMIT_MSGQUEUE": unix.RLIMIT_MSGQUEUE, "RLIMIT_NICE": unix.RLIMIT_NICE, "RLIMIT_RTPRIO": unix.RLIMIT_RTPRIO,
	"RLIMIT_RTTIME": unix.RLIMIT_RTTIME,
}

// RlimitNumber maps a spec rlimit type to its number (exported for validation).
func RlimitNumber(name string) (int, bool) { n, ok := rlimits[name]; return n, ok }

func setRlimit(rl specs.POSIXRlimit) error {
	n, ok := rlimits[rl.Type]
	if !ok {
		return fmt.Errorf("process.rlimits: unknown type %q", rl.Type)
	}
	lim := unix.Rlimit{Cur: rl.Soft, Max: rl.Hard}
	if err := unix.Prlimit(0, n, &lim, nil); err != nil {
		return fmt.Errorf("set %s (soft %d, hard %d): %w", rl.Type, rl.Soft, rl.Hard, err)
	}
	return nil
}

func setUser(u specs.User, cs *caps.Set) error {
	if cs != nil {
		if err := cs.DropBounding(); err != nil {
			return err
		}
	}
	if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("prctl(PR_SET_KEEPCAPS): %w", err)
	}
	// Credentials are changed on this (locked) thread only, with raw
	// syscalls: the execve below runs here, and the kernel discards the
	// other threads with their credentials. The libc wrappers would
	// instead signal every Go thread to change it too (glibc's setxid
	// broadcast), a cost every start would pay for nothing.
	groups := make([]int, len(u.AdditionalGids))
	for i, g := range u.AdditionalGids {
		groups[i] = int(g)
	}
	if err := unix.Setgroups(groups); err != nil && !(len(groups) == 0 && errors.Is(err, unix.EPERM)) {
		return fmt.Errorf("set additional gids %v: %w", u.AdditionalGids, err)
	}
	if err := threadSetres(unix.SYS_SETRESGID, u.GID); err != nil {
		return fmt.Errorf("set gid %d: %w", u.GID, err)
	}
	if err := threadSetres(unix.SYS_SETRESUID, u.UID); err != nil {
		return fmt.Errorf("set uid %d: %w", u.UID, err)
	}
	if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("prctl(PR_SET_KEEPCAPS): %w", err)
	}
	if cs != nil {
		return cs.Apply()
	}
	return nil
}

// threadSetres is setresuid/setresgid(id, id, id) for the calling thread only.
func threadSetres(trap uintptr, id uint32) error {
	if _, _, e := unix.RawSyscall(trap, uintptr(id), uintptr(id), uintptr(id)); e != 0 {
		return e
	}
	return nil
}

// waitStart blocks until `berth start` connects to the start socket and
// sends 'S'. Other connections (a probe, a stray client) are dropped.
func waitStart(fd int) (*os.File, error) {
	for {
		nfd, _, err := unix.Accept4(fd, unix.SOCK_CLOEXEC)
		if err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return nil, fmt.Errorf("wait for start: %w", err)
		}
		conn := os.NewFile(uintptr(nfd), "start")
		var b [1]byte
		if n, _ := conn.Read(b[:]); n == 1 && b[0] == 'S' {
			unix.Close(fd)
			return conn, nil
		}
		conn.Close()
	}
}
