package specgen

import (
	"reflect"
	"strings"
	"testing"
)

type withFloat struct {
	F float64 `json:"f"`
}

type withArray struct {
	A [2]string `json:"a"`
}

type withBytes struct {
	B []byte `json:"b"`
}

type withIntKey struct {
	M map[int]string `json:"m"`
}

type withStringOpt struct {
	N int64 `json:"n,string"`
}

type withOmitZero struct {
	N int64 `json:"n,omitzero"`
}

type custom string

func (custom) MarshalJSON() ([]byte, error) { return nil, nil }

type withMarshaler struct {
	C *custom `json:"c"`
}

type textKey string

func (*textKey) UnmarshalText([]byte) error { return nil }

type withTextKey struct {
	M map[textKey]string `json:"m"`
}

type inner struct {
	X string `json:"x"`
}

type withConflict struct {
	Inner2
	X string `json:"x"`
}

type Inner2 struct {
	X string `json:"x"`
}

type withEmbeddedPtr struct {
	*inner
}

type withIface struct {
	E error `json:"e"`
}

type withOddName struct {
	S string `json:"a b"`
}

type withUnnamed struct {
	S struct{ A int } `json:"s"`
}

type withChan struct {
	C chan int `json:"c"`
}

// TestRefuses: the generator fails, naming the problem, on what it does not
// reproduce.
func TestRefuses(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{withFloat{}, "kind float64"},
		{withArray{}, "kind array"},
		{withBytes{}, "base64"},
		{withIntKey{}, "not a string kind"},
		{withStringOpt{}, `tag option "string"`},
		{withOmitZero{}, `tag option "omitzero"`},
		{withMarshaler{}, "implements json.Marshaler"},
		{withTextKey{}, "implements encoding.TextUnmarshaler"},
		{withConflict{}, "two fields named"},
		{withEmbeddedPtr{}, "embedded pointer"},
		{withIface{}, "non-empty interface"},
		{withOddName{}, "character"},
		{withUnnamed{}, "unnamed struct"},
		{withChan{}, "kind chan"},
	} {
		_, err := generate(reflect.TypeOf(tc.v))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%T: error %v, want one containing %q", tc.v, err, tc.want)
		}
	}
}

// TestFieldOrder: promoted fields take the embedded struct's place, "-"
// and unexported fields are left out, and an empty tag name is the Go name.
func TestFieldOrder(t *testing.T) {
	type embedded struct {
		B int `json:"b"`
		C int `json:"c,omitempty"`
	}
	type outer struct {
		A string `json:"a"`
		embedded
		Skip   int `json:"-"`
		Dash   int `json:"-,"`
		hidden int
		Plain  string
		Opt    *int `json:",omitempty"`
	}
	_ = outer{}.hidden
	fs, err := structFields(reflect.TypeOf(outer{}))
	if err == nil {
		t.Fatal("embedded unexported struct accepted")
	}
	type Embedded embedded
	type outer2 struct {
		A string `json:"a"`
		Embedded
		Skip   int `json:"-"`
		Dash   int `json:"-,"`
		hidden int
		Plain  string
		Opt    *int `json:",omitempty"`
	}
	_ = outer2{}.hidden
	fs, err = structFields(reflect.TypeOf(outer2{}))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		s := f.name + "=" + f.sel
		if f.omitEmpty {
			s += ",omitempty"
		}
		got = append(got, s)
	}
	want := "a=.A b=.Embedded.B c=.Embedded.C,omitempty -=.Dash Plain=.Plain Opt=.Opt,omitempty"
	if strings.Join(got, " ") != want {
		t.Errorf("fields %q, want %q", strings.Join(got, " "), want)
	}
}
