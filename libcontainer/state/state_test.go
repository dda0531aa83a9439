package state

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateID(t *testing.T) {
	good := []string{"a", "web-1", "x.y_z+2", strings.Repeat("a", MaxIDLength)}
	bad := []string{"", ".", "..", "a/b", "../x", "a b", "a\x00b", strings.Repeat("a", MaxIDLength+1)}
	for _, id := range good {
		if err := ValidateID(id); err != nil {
			t.Errorf("ValidateID(%q) = %v, want nil", id, err)
		}
	}
	for _, id := range bad {
		if err := ValidateID(id); err == nil {
			t.Errorf("ValidateID(%q) = nil, want an error", id)
		}
	}
}

func TestCreateSaveLoadRemove(t *testing.T) {
	root := t.TempDir()
	d, err := Create(root, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Create(root, "c1"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second Create: %v, want 'already exists'", err)
	}
	if _, err := Open(root, "c1"); !errors.Is(err, ErrNotExist) {
		t.Fatalf("Open before Save: %v, want ErrNotExist", err)
	}
	if err := d.Save(&State{ID: "c1", Pid: 42, StartTime: 7}); err != nil {
		t.Fatal(err)
	}
	o, err := Open(root, "c1")
	if err != nil {
		t.Fatal(err)
	}
	s, err := o.Load()
	if err != nil || s.Pid != 42 || s.StartTime != 7 {
		t.Fatalf("Load = %+v, %v", s, err)
	}
	ids, _ := List(root)
	if len(ids) != 1 || ids[0] != "c1" {
		t.Fatalf("List = %v", ids)
	}
	if err := o.Remove(); err != nil {
		t.Fatal(err)
	}
	if ids, _ := List(root); len(ids) != 0 {
		t.Fatalf("List after Remove = %v", ids)
	}
}
