package bundle

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// mountOverlay mounts an overlay on target: lowers bottom first (the
// order of the image's layers), upper and work inside the bundle.
//
// Overlay's mount(2) options must fit in one page, which caps the classic
// lowerdir= list at a few dozen store paths. The new mount API appends
// lowers one fsconfig("lowerdir+") call at a time (Linux 6.8+), with no
// such limit; older kernels get mount(2) with each lower named by an
// O_PATH fd as /proc/self/fd/N, a few bytes each.
func mountOverlay(target string, lowers []string, upper, work string) error {
	err := fsmountOverlay(target, lowers, upper, work)
	if err == nil || !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOSYS) {
		return err
	}
	return legacyMountOverlay(target, lowers, upper, work)
}

// fsmountOverlay: fsopen, one fsconfig per option, fsmount, move_mount.
func fsmountOverlay(target string, lowers []string, upper, work string) error {
	fsfd, err := unix.Fsopen("overlay", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return fmt.Errorf("fsopen overlay: %w", err)
	}
	defer unix.Close(fsfd)
	set := func(key, val string) error {
		if err := unix.FsconfigSetString(fsfd, key, val); err != nil {
			return fmt.Errorf("overlay option %s=%s: %w%s", key, val, err, fsLog(fsfd))
		}
		return nil
	}
	// overlayfs stacks the first lowerdir on top.
	for i := len(lowers) - 1; i >= 0; i-- {
		if err := set("lowerdir+", lowers[i]); err != nil {
			return err
		}
	}
	if err := set("upperdir", upper); err != nil {
		return err
	}
	if err := set("workdir", work); err != nil {
		return err
	}
	if err := unix.FsconfigCreate(fsfd); err != nil {
		return fmt.Errorf("create overlay for %s: %w%s", target, err, fsLog(fsfd))
	}
	mfd, err := unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("fsmount overlay for %s: %w%s", target, err, fsLog(fsfd))
	}
	defer unix.Close(mfd)
	if err := unix.MoveMount(mfd, "", unix.AT_FDCWD, target, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
		return fmt.Errorf("mount overlay on %s: %w", target, err)
	}
	return nil
}

// fsLog reads the kernel's messages about a failed fsconfig, which say
// more than the errno ("overlayfs: failed to resolve ...").
func fsLog(fsfd int) string {
	var msgs []string
	buf := make([]byte, 1024)
	for range 8 {
		n, err := unix.Read(fsfd, buf)
		if err != nil || n <= 0 {
			break
		}
		msgs = append(msgs, strings.TrimSpace(string(buf[:n])))
	}
	if len(msgs) == 0 {
		return ""
	}
	return " (" + strings.Join(msgs, "; ") + ")"
}

func legacyMountOverlay(target string, lowers []string, upper, work string) error {
	// Short fd names also keep ':' and ',' in the bundle's path from
	// being read as option separators.
	var held []*os.File
	fdName := func(dir string) (string, error) {
		f, err := os.OpenFile(dir, unix.O_PATH|unix.O_DIRECTORY, 0)
		if err != nil {
			return "", fmt.Errorf("overlay directory %s: %w", dir, err)
		}
		held = append(held, f)
		return "/proc/self/fd/" + strconv.Itoa(int(f.Fd())), nil
	}
	defer func() {
		for _, f := range held {
			f.Close()
		}
	}()
	var names []string
	for i := len(lowers) - 1; i >= 0; i-- {
		n, err := fdName(lowers[i])
		if err != nil {
			return err
		}
		names = append(names, n)
	}
	up, err := fdName(upper)
	if err != nil {
		return err
	}
	wk, err := fdName(work)
	if err != nil {
		return err
	}
	opts := "lowerdir=" + strings.Join(names, ":") + ",upperdir=" + up + ",workdir=" + wk
	if len(opts) >= os.Getpagesize() {
		return fmt.Errorf("mount overlay on %s: %d layers do not fit in one mount(2) call on this kernel (needs Linux 6.8 for more)", target, len(lowers))
	}
	if err := unix.Mount("overlay", target, "overlay", 0, opts); err != nil {
		return fmt.Errorf("mount overlay on %s (%s): %w", target, opts, err)
	}
	return nil
}
