package cgroups

import (
	"bytes"
	"encoding/binary"
	"os"
	"testing"

	"github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"
)

// The hand encodings must be what cilium/ebpf's assembler emits for the
// same instructions: it is the reference the kernel's own tools agree with.
func TestInsnsMatchCiliumAssembler(t *testing.T) {
	jne := asm.JNE.Imm(asm.R4, 7, "")
	jne.Offset = 3
	jeq := asm.JEq.Imm(asm.R6, 0, "")
	jeq.Offset = 1
	cases := []struct {
		name string
		ours bpfInsn
		ref  asm.Instruction
	}{
		{"ldx word", ldxWord(r5, r1, 8), asm.LoadMem(asm.R5, asm.R1, 8, asm.Word)},
		{"mov reg32", movReg32(r3, r2), asm.Mov.Reg32(asm.R3, asm.R2)},
		{"rsh imm32", aluImm32(bpfRsh, r3, 16), asm.RSh.Imm32(asm.R3, 16)},
		{"and imm32", aluImm32(bpfAnd, r2, 0xffff), asm.And.Imm32(asm.R2, 0xffff)},
		{"and imm32 negative", aluImm32(bpfAnd, r6, -8), asm.And.Imm32(asm.R6, -8)},
		{"mov imm64", movImm64(r0, 1), asm.Mov.Imm(asm.R0, 1)},
		{"jne imm", bpfInsn{code: bpfJmp | bpfJne | bpfK, dst: r4, imm: 7, off: 3}, jne},
		{"jeq imm", bpfInsn{code: bpfJmp | bpfJeq | bpfK, dst: r6, off: 1}, jeq},
		{"exit", exit(), asm.Return()},
	}
	order := binary.ByteOrder(binary.LittleEndian)
	if !nativeLittleEndian() {
		order = binary.BigEndian
	}
	for _, c := range cases {
		var ref bytes.Buffer
		if _, err := c.ref.Marshal(&ref, order); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := encodeInsns([]bpfInsn{c.ours}); !bytes.Equal(got, ref.Bytes()) {
			t.Errorf("%s: ours % x, cilium/ebpf % x", c.name, got, ref.Bytes())
		}
	}
}

func TestJumpPastLandsAfterTheBlock(t *testing.T) {
	rules := []DeviceRule{{true, 'c', 1, 3, "rw"}}
	insns := deviceProgram(rules)
	// Header (6); block: type, mov, and, jne, major, minor, verdict (2);
	// final deny (2).
	if len(insns) != 6+8+2 {
		t.Fatalf("program has %d instructions, want 16: %v", len(insns), insns)
	}
	for i := 6; i < 14; i++ {
		in := insns[i]
		if in.code&0x07 == bpfJmp && in.code != bpfJmp|bpfExit {
			if target := i + 1 + int(in.off); target != 14 {
				t.Errorf("jump at %d lands on %d, want 14 (the final deny)", i, target)
			}
		}
		if in.jumpPastBlock {
			t.Errorf("jump at %d left unresolved", i)
		}
	}
}

// tempCgroup2 makes an empty cgroup2 directory, removed (with anything
// below it) at the end of the test; it skips where that cannot be.
func tempCgroup2(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to attach BPF programs")
	}
	root := "/sys/fs/cgroup/unified"
	if _, err := os.Stat(root + "/cgroup.procs"); err != nil {
		root = "/sys/fs/cgroup"
		var st unix.Statfs_t
		if unix.Statfs(root, &st) != nil || st.Type != unix.CGROUP2_SUPER_MAGIC {
			t.Skip("no cgroup2 hierarchy on this host")
		}
	}
	d, err := os.MkdirTemp(root, "berth-unit-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := removeTree(d); err != nil {
			t.Error(err)
		}
	})
	return d
}

// Attaching a second filter replaces the first: BPF_PROG_QUERY,
// BPF_PROG_GET_FD_BY_ID and BPF_PROG_DETACH, on a real cgroup2 directory.
func TestAttachDeviceFilterReplacesTheOldOne(t *testing.T) {
	d := tempCgroup2(t)
	rules := []DeviceRule{{true, 'c', 1, 3, "rwm"}}
	for i := 0; i < 2; i++ {
		if err := attachDeviceFilter(d, rules, ""); err != nil {
			t.Fatalf("attach %d: %v", i+1, err)
		}
	}
	// Removing the cgroup (tempCgroup2's cleanup) detaches what is left.
	if ids := attachedIDs(t, d); len(ids) != 1 {
		t.Errorf("%d device programs attached after two attaches, want 1", len(ids))
	}
}
