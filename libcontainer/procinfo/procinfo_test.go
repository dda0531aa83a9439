package procinfo

import (
	"os"
	"os/exec"
	"testing"

	"golang.org/x/sys/unix"
)

func TestAliveAndSignal(t *testing.T) {
	st, err := ReadStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if st.PPid != os.Getppid() {
		t.Fatalf("PPid = %d, want %d", st.PPid, os.Getppid())
	}
	if !Alive(os.Getpid(), st.StartTime) {
		t.Fatal("this process should be alive")
	}
	if Alive(os.Getpid(), st.StartTime+1) {
		t.Fatal("another start time means another process")
	}
	cmd := exec.Command("sleep", "100")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	cst, err := ReadStat(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if err := Signal(cmd.Process.Pid, cst.StartTime+1, unix.SIGKILL); err != ErrGone {
		t.Fatalf("signal with a wrong start time: %v, want ErrGone", err)
	}
	if err := Signal(cmd.Process.Pid, cst.StartTime, unix.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if Alive(cmd.Process.Pid, cst.StartTime) {
		t.Fatal("reaped process still alive")
	}
}
