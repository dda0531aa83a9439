package cgroups

import (
	"encoding/binary"
	"unsafe"
)

// The few eBPF instructions the device filter is made of, encoded by hand
// (include/uapi/linux/bpf.h, Documentation/bpf/standardization). An
// assembler library costs every container start its package initialisers;
// cilium/ebpf's pulled in encoding/xml, go/format and debug/elf through its
// internal packages, about 1.5 ms of each start here. The unit tests check
// these encodings against cilium/ebpf's assembler, instruction by
// instruction.

type bpfReg uint8

const (
	r0 bpfReg = iota
	r1
	r2
	r3
	r4
	r5
	r6
)

// Opcode parts: class | operation | source.
const (
	bpfLdx   = 0x01
	bpfAlu   = 0x04 // 32-bit ALU
	bpfJmp   = 0x05
	bpfAlu64 = 0x07

	bpfMem = 0x60 // with BPF_LDX
	bpfW   = 0x00 // 32-bit load

	bpfK = 0x00 // immediate operand
	bpfX = 0x08 // register operand

	bpfAnd = 0x50
	bpfRsh = 0x70
	bpfMov = 0xb0

	bpfJeq  = 0x10
	bpfJne  = 0x50
	bpfExit = 0x90
)

// bpfInsn is struct bpf_insn. A jump made by jmpImm has jumpPastBlock set
// until jumpPast gives it its offset.
type bpfInsn struct {
	code          uint8
	dst, src      bpfReg
	off           int16
	imm           int32
	jumpPastBlock bool
}

// ldxWord loads the 32-bit word at src+off into dst.
func ldxWord(dst, src bpfReg, off int16) bpfInsn {
	return bpfInsn{code: bpfLdx | bpfMem | bpfW, dst: dst, src: src, off: off}
}

func movReg32(dst, src bpfReg) bpfInsn {
	return bpfInsn{code: bpfAlu | bpfMov | bpfX, dst: dst, src: src}
}

func aluImm32(op uint8, dst bpfReg, imm int32) bpfInsn {
	return bpfInsn{code: bpfAlu | op | bpfK, dst: dst, imm: imm}
}

func movImm64(dst bpfReg, imm int32) bpfInsn {
	return bpfInsn{code: bpfAlu64 | bpfMov | bpfK, dst: dst, imm: imm}
}

// jmpImm compares dst with imm and, when op holds, jumps to the first
// instruction after the block it ends up in (see jumpPast).
func jmpImm(op uint8, dst bpfReg, imm int32) bpfInsn {
	return bpfInsn{code: bpfJmp | op | bpfK, dst: dst, imm: imm, jumpPastBlock: true}
}

func exit() bpfInsn { return bpfInsn{code: bpfJmp | bpfExit} }

// jumpPast resolves the block's jumps to land just after its last
// instruction.
func jumpPast(block []bpfInsn) []bpfInsn {
	for i := range block {
		if block[i].jumpPastBlock {
			block[i].off = int16(len(block) - i - 1)
			block[i].jumpPastBlock = false
		}
	}
	return block
}

// encodeInsns lays the instructions out as the kernel reads them: eight
// bytes each, in the host's byte order; the register nibbles are C
// bitfields (dst_reg:4, src_reg:4), whose order follows the byte order.
func encodeInsns(insns []bpfInsn) []byte {
	out := make([]byte, 0, 8*len(insns))
	little := nativeLittleEndian()
	for _, in := range insns {
		regs := uint8(in.src)<<4 | uint8(in.dst)
		if !little {
			regs = uint8(in.dst)<<4 | uint8(in.src)
		}
		out = append(out, in.code, regs)
		out = binary.NativeEndian.AppendUint16(out, uint16(in.off))
		out = binary.NativeEndian.AppendUint32(out, uint32(in.imm))
	}
	return out
}

func nativeLittleEndian() bool {
	var x uint16 = 1
	return *(*byte)(unsafe.Pointer(&x)) == 1
}
