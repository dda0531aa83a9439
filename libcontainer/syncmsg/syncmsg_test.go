package syncmsg

import (
	"bytes"
	"encoding/binary"
	"io"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, Error, []byte("boom")); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&b, Config, map[string]int{"a": 1}); err != nil {
		t.Fatal(err)
	}
	m, err := Read(&b)
	if err != nil || m.Type != Error || string(m.Payload) != "boom" {
		t.Fatalf("first = %+v, %v", m, err)
	}
	m, err = Read(&b)
	if err != nil || m.Type != Config || string(m.Payload) != `{"a":1}` {
		t.Fatalf("second = %+v, %v", m, err)
	}
	if _, err := Read(&b); err != io.EOF {
		t.Fatalf("at end: %v, want EOF", err)
	}
}

func TestTruncatedIsEOF(t *testing.T) {
	var b bytes.Buffer
	Write(&b, Ready, []byte("abcdef"))
	short := bytes.NewReader(b.Bytes()[:10])
	if _, err := Read(short); err != io.EOF {
		t.Fatalf("truncated frame: %v, want EOF", err)
	}
}

func TestBootstrapRecords(t *testing.T) {
	var bs BootstrapBuilder
	bs.CloneFlags(0x20000)
	bs.NsPath(0x40000000, "/proc/1/ns/net")
	p := bs.Bytes()
	if k := binary.NativeEndian.Uint32(p[0:]); k != RecCloneFlags {
		t.Fatalf("first record kind %d", k)
	}
	if l := binary.NativeEndian.Uint32(p[4:]); l != 4 {
		t.Fatalf("flags record length %d", l)
	}
	rest := p[12:]
	if k := binary.NativeEndian.Uint32(rest[0:]); k != RecNsPath {
		t.Fatalf("second record kind %d", k)
	}
	l := binary.NativeEndian.Uint32(rest[4:])
	data := rest[8 : 8+l]
	if data[len(data)-1] != 0 || string(data[4:len(data)-1]) != "/proc/1/ns/net" {
		t.Fatalf("ns path record %q", data)
	}
}
