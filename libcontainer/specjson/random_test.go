package specjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// filler fills values of any specs type with random, awkward content.
type filler struct {
	r     *rand.Rand
	depth int
}

// stringPieces are what random strings are made of.
var stringPieces = []string{
	"a", "Z", "0", " ", "/", "path", `"`, `\`, "<", ">", "&", "'", "\n", "\r", "\t", "\b", "\f",
	"\x00", "\x01", "\x1f", "\x7f", "é", "€", "😀", "\u2028", "\u2029", "\ufffd", "\uffff",
	"\xff", "\xc3", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "ключ", "SCMP_ACT_ALLOW",
}

func (f *filler) str() string {
	switch f.r.Intn(8) {
	case 0:
		return ""
	case 1:
		return "x"
	}
	var b strings.Builder
	for n := f.r.Intn(6); n >= 0; n-- {
		b.WriteString(stringPieces[f.r.Intn(len(stringPieces))])
	}
	return b.String()
}

func (f *filler) intValue(bits int) int64 {
	min, max := int64(-1)<<(bits-1), int64(1)<<(bits-1)-1
	switch f.r.Intn(7) {
	case 0, 1:
		return 0
	case 2:
		return max
	case 3:
		return min
	case 4:
		return -1
	}
	return f.r.Int63n(max)
}

func (f *filler) uintValue(bits int) uint64 {
	max := uint64(1)<<(bits-1)<<1 - 1
	switch f.r.Intn(6) {
	case 0, 1:
		return 0
	case 2:
		return max
	case 3:
		return 1
	}
	return f.r.Uint64() & max
}

// anyValue is a random JSON value as encoding/json decodes into any.
func (f *filler) anyValue(depth int) any {
	switch k := f.r.Intn(7); {
	case k == 0:
		return nil
	case k == 1:
		return f.str()
	case k == 2:
		return []float64{0, 1, -1, 0.5, 1e21, 1e-7, 123456789, math.MaxFloat64, -math.SmallestNonzeroFloat64}[f.r.Intn(9)]
	case k == 3:
		return f.r.Intn(2) == 0
	case k == 4 && depth < 3:
		m := map[string]any{}
		for n := f.r.Intn(4); n > 0; n-- {
			m[f.str()] = f.anyValue(depth + 1)
		}
		return m
	case k == 5 && depth < 3:
		a := []any{}
		for n := f.r.Intn(4); n > 0; n-- {
			a = append(a, f.anyValue(depth+1))
		}
		return a
	}
	return "s"
}

func (f *filler) fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(f.str())
	case reflect.Bool:
		v.SetBool(f.r.Intn(2) == 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(f.intValue(v.Type().Bits()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(f.uintValue(v.Type().Bits()))
	case reflect.Pointer:
		if f.r.Intn(4) == 0 || f.depth > 8 {
			return
		}
		p := reflect.New(v.Type().Elem())
		if f.r.Intn(6) != 0 { // else a non-nil pointer to a zero value
			f.depth++
			f.fill(p.Elem())
			f.depth--
		}
		v.Set(p)
	case reflect.Slice:
		switch f.r.Intn(5) {
		case 0:
			return
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, f.r.Intn(2)))
			return
		}
		n := 1 + f.r.Intn(3)
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := 0; i < n; i++ {
			f.fill(s.Index(i))
		}
		v.Set(s)
	case reflect.Map:
		switch f.r.Intn(5) {
		case 0:
			return
		case 1:
			v.Set(reflect.MakeMap(v.Type()))
			return
		}
		m := reflect.MakeMap(v.Type())
		for n := 1 + f.r.Intn(4); n > 0; n-- {
			k := reflect.New(v.Type().Key()).Elem()
			k.SetString(f.str())
			e := reflect.New(v.Type().Elem()).Elem()
			f.fill(e)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() && f.r.Intn(8) != 0 {
				f.fill(v.Field(i))
			}
		}
	case reflect.Interface:
		if a := f.anyValue(0); a != nil {
			v.Set(reflect.ValueOf(a))
		}
	default:
		panic(fmt.Sprintf("filler: %v", v.Type()))
	}
}

func randomSpec(r *rand.Rand) *specs.Spec {
	var s specs.Spec
	(&filler{r: r}).fill(reflect.ValueOf(&s).Elem())
	return &s
}

// TestRandom: Marshal matches json.Marshal byte for byte on random Specs,
// and the fast path decodes that output by itself, to json.Unmarshal's value.
func TestRandom(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	r := rand.New(rand.NewSource(1))
	for i := 0; i < n; i++ {
		s := randomSpec(r)
		got, errGot := Marshal(s)
		want, errWant := json.Marshal(s)
		if errGot != nil || errWant != nil || !bytes.Equal(got, want) {
			t.Fatalf("iteration %d: Marshal differs from json.Marshal:\n got %q %v\nwant %q %v", i, got, errGot, want, errWant)
		}
		name := fmt.Sprintf("iteration %d", i)
		if !check(t, name, want) {
			t.Errorf("%s: json.Marshal output fell back to encoding/json", name)
		}
		indented, _ := json.MarshalIndent(s, "", "\t")
		if !check(t, name+" (indented)", indented) {
			t.Errorf("%s: json.MarshalIndent output fell back to encoding/json", name)
		}
		if t.Failed() {
			return
		}
	}
}

// rewriter re-emits a decoded JSON tree as different text: with random
// whitespace, key case and escapes (the same Spec but for the changed map
// keys) and, when odd, with unknown members, duplicated members and nulls.
type rewriter struct {
	r   *rand.Rand
	b   bytes.Buffer
	odd bool // whether to add duplicates, nulls and non-ASCII unknown keys
}

func (w *rewriter) ws() {
	if w.r.Intn(4) == 0 {
		w.b.WriteString([]string{" ", "\n", "\t", "\r\n  ", "  "}[w.r.Intn(5)])
	}
}

func (w *rewriter) str(s string, key bool) {
	if key && w.r.Intn(6) == 0 {
		// Flip the case of an ASCII letter.
		b := []byte(s)
		for i, c := range b {
			if ('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') && w.r.Intn(2) == 0 {
				b[i] ^= 0x20
			}
		}
		s = string(b)
	}
	w.b.WriteByte('"')
	for _, c := range s {
		switch {
		case c == '"' || c == '\\':
			w.b.WriteByte('\\')
			w.b.WriteRune(c)
		case c < 0x20 || w.r.Intn(8) == 0:
			switch {
			case c == '\n' && w.r.Intn(2) == 0:
				w.b.WriteString(`\n`)
			case c == '/' && w.r.Intn(2) == 0:
				w.b.WriteString(`\/`)
			case c >= 0x10000:
				c -= 0x10000
				fmt.Fprintf(&w.b, `\u%04x\u%04X`, 0xD800+(c>>10), 0xDC00+(c&0x3FF))
			default:
				fmt.Fprintf(&w.b, `\u%04x`, c)
			}
		default:
			w.b.WriteRune(c)
		}
	}
	w.b.WriteByte('"')
}

func (w *rewriter) junk(depth int) {
	switch k := w.r.Intn(8); {
	case k == 0 && depth < 4:
		w.b.WriteByte('[')
		for n := w.r.Intn(3); n > 0; n-- {
			w.junk(depth + 1)
			if n > 1 {
				w.b.WriteByte(',')
			}
		}
		w.b.WriteByte(']')
	case k == 1 && depth < 4:
		w.b.WriteByte('{')
		for n := w.r.Intn(3); n > 0; n-- {
			w.str("k"+strconv.Itoa(n), true)
			w.b.WriteByte(':')
			w.junk(depth + 1)
			if n > 1 {
				w.b.WriteByte(',')
			}
		}
		w.b.WriteByte('}')
	case k == 2:
		w.b.WriteString([]string{"-1.5e-3", "0", "1E+2", "-0", "12345678901234567890123", "0.0"}[w.r.Intn(6)])
	case k == 3:
		w.b.WriteString([]string{"true", "false", "null"}[w.r.Intn(3)])
	default:
		w.str(stringPieces[w.r.Intn(len(stringPieces))], false)
	}
}

func (w *rewriter) value(v any) {
	w.ws()
	switch v := v.(type) {
	case nil:
		w.b.WriteString("null")
	case bool:
		w.b.WriteString(strconv.FormatBool(v))
	case json.Number:
		w.b.WriteString(v.String())
	case string:
		w.str(v, false)
	case []any:
		w.b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				w.b.WriteByte(',')
			}
			w.value(e)
		}
		w.ws()
		w.b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		w.r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		w.b.WriteByte('{')
		first := true
		member := func(k string, val func()) {
			if !first {
				w.b.WriteByte(',')
			}
			first = false
			w.ws()
			w.str(k, true)
			w.ws()
			w.b.WriteByte(':')
			val()
			w.ws()
		}
		for _, k := range keys {
			if w.odd && w.r.Intn(10) == 0 {
				member(k, func() { w.b.WriteString("null") }) // overridden below
			}
			if w.odd && w.r.Intn(40) == 0 {
				// In a struct an unknown member, skipped; in a map, an
				// entry, often of the wrong type.
				name := "x-unknown"
				if w.r.Intn(10) == 0 {
					name = "ünknown"
				}
				member(name, func() { w.junk(0) })
			}
			member(k, func() { w.value(v[k]) })
			switch {
			case w.odd && w.r.Intn(12) == 0:
				member(k, func() { w.value(v[k]) }) // a duplicate, merged or replaced
			case w.odd && w.r.Intn(30) == 0:
				member(k, func() { w.b.WriteString("null") }) // clears pointers, slices, maps
			}
		}
		w.b.WriteByte('}')
	default:
		panic(fmt.Sprintf("rewriter: %T", v))
	}
}

// TestRandomRewritten decodes random Specs' JSON rewritten with escapes,
// whitespace, case-folded keys, unknown and duplicate members and nulls,
// both ways.
func TestRandomRewritten(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	r := rand.New(rand.NewSource(2))
	fast, odd := 0, 0
	for i := 0; i < n; i++ {
		data, err := json.Marshal(randomSpec(r))
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var tree any
		if err := dec.Decode(&tree); err != nil {
			t.Fatal(err)
		}
		w := &rewriter{r: r, odd: i%2 == 1}
		w.value(tree)
		out := w.b.Bytes()
		if !json.Valid(out) || !utf8.Valid(out) {
			t.Fatalf("rewriter wrote invalid JSON: %q", out)
		}
		if check(t, fmt.Sprintf("iteration %d", i), out) {
			fast++
			if w.odd {
				odd++
			}
		} else if !w.odd {
			t.Errorf("iteration %d: fell back to encoding/json on %q", i, clip(out))
		}
		if t.Failed() {
			return
		}
	}
	t.Logf("%d documents, %d on the fast path (%d of the %d with duplicates, nulls and non-ASCII unknown keys)", n, fast, odd, n/2)
	if odd < n/4 {
		t.Errorf("only %d of %d odd documents on the fast path", odd, n/2)
	}
}
