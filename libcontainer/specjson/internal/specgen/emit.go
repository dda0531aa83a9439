package specgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// body emits every function; the decoder/encoder methods it calls (d.str,
// e.key, ...) are the hand-written ones in package specjson.
func (g *gen) body(root reflect.Type) ([]byte, error) {
	var b bytes.Buffer
	if err := g.emitIsZero(&b, root); err != nil {
		return nil, err
	}
	for _, t := range g.structs {
		g.emitDecodeStruct(&b, t)
		g.emitKey(&b, t)
		g.emitEncodeStruct(&b, t)
	}
	for _, t := range g.composites {
		switch t.Kind() {
		case reflect.Slice:
			g.emitSlice(&b, t)
		case reflect.Map:
			g.emitMap(&b, t)
		}
	}
	return b.Bytes(), nil
}

// emitIsZero writes isZero<Root>, which Unmarshal uses to take the fast
// path only for a zero value (encoding/json merges into a non-zero one).
func (g *gen) emitIsZero(b *bytes.Buffer, t reflect.Type) error {
	m := mangledName(t)
	fmt.Fprintf(b, "// isZero%s reports whether *v is the zero value (nil, not merely empty, slices and maps).\n", m)
	fmt.Fprintf(b, "func isZero%s(v *%s) bool {\n\treturn true", m, g.mustType(t))
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		x := "v." + sf.Name
		switch sf.Type.Kind() {
		case reflect.String:
			fmt.Fprintf(b, " &&\n\t\t%s == \"\"", x)
		case reflect.Bool:
			fmt.Fprintf(b, " &&\n\t\t!%s", x)
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			fmt.Fprintf(b, " &&\n\t\t%s == 0", x)
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
			fmt.Fprintf(b, " &&\n\t\t%s == nil", x)
		default:
			return fmt.Errorf("specgen: root field %v.%s of kind %v: isZero not implemented", t, sf.Name, sf.Type.Kind())
		}
	}
	b.WriteString("\n}\n\n")
	return nil
}

func (g *gen) emitDecodeStruct(b *bytes.Buffer, t reflect.Type) {
	m := mangledName(t)
	fmt.Fprintf(b, "func decode%s(d *decoder, v *%s) {\n", m, g.mustType(t))
	b.WriteString("for ok := d.objectStart(); ok; ok = d.objectNext() {\n")
	fmt.Fprintf(b, "switch key%s(d) {\n", m)
	for i, f := range g.fields[t] {
		fmt.Fprintf(b, "case %d: // %s\n", i, f.name)
		b.WriteString(g.dec(f.typ, "v"+f.sel))
	}
	b.WriteString("default:\nd.skip()\n}\n}\n}\n\n")
}

func foldASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

// emitKey writes key<T>, the field number for d.key: an exact match first,
// else an ASCII case-insensitive one (the first field wins, as in
// encoding/json), else -1.
func (g *gen) emitKey(b *bytes.Buffer, t reflect.Type) {
	m := mangledName(t)
	fs := g.fields[t]
	fmt.Fprintf(b, "func key%s(d *decoder) int {\n", m)
	maxLen := 0
	b.WriteString("switch string(d.key) {\n")
	for i, f := range fs {
		fmt.Fprintf(b, "case %q:\nreturn %d\n", f.name, i)
		maxLen = max(maxLen, len(f.name))
	}
	b.WriteString("}\n")
	fmt.Fprintf(b, "var buf [%d]byte\n", maxLen)
	b.WriteString("switch string(d.fold(buf[:])) {\n")
	done := map[string]bool{}
	for i, f := range fs {
		k := foldASCII(f.name)
		if done[k] {
			continue
		}
		done[k] = true
		fmt.Fprintf(b, "case %q:\nreturn %d\n", k, i)
	}
	b.WriteString("}\nreturn -1\n}\n\n")
}

// jsonKey is `"name":` as encoding/json writes it (HTML-escaped).
func jsonKey(name string) string {
	q, err := json.Marshal(name)
	if err != nil {
		panic(err)
	}
	return string(q) + ":"
}

func (g *gen) emitEncodeStruct(b *bytes.Buffer, t reflect.Type) {
	m := mangledName(t)
	fs := g.fields[t]
	fmt.Fprintf(b, "func encode%s(e *encoder, v *%s) {\n", m, g.mustType(t))
	if len(fs) == 0 {
		b.WriteString("e.buf = append(e.buf, \"{}\"...)\n}\n\n")
		return
	}
	b.WriteString("n := e.open()\n")
	for _, f := range fs {
		x := "v" + f.sel
		cond := ""
		if f.omitEmpty {
			cond = nonEmpty(f.typ, x)
		}
		if cond != "" {
			fmt.Fprintf(b, "if %s {\n", cond)
		}
		fmt.Fprintf(b, "e.key(n, %s)\n", strconv.Quote(jsonKey(f.name)))
		if f.omitEmpty && f.typ.Kind() == reflect.Pointer {
			// Known not nil.
			b.WriteString(g.enc(f.typ.Elem(), "(*"+x+")"))
		} else {
			b.WriteString(g.enc(f.typ, x))
		}
		if cond != "" {
			b.WriteString("}\n")
		}
	}
	b.WriteString("e.close()\n}\n\n")
}

func (g *gen) emitSlice(b *bytes.Buffer, t reflect.Type) {
	m := mangledName(t)
	te, ee := g.mustType(t), g.mustType(t.Elem())
	fmt.Fprintf(b, "func decode%s(d *decoder, p *%s) {\n", m, te)
	b.WriteString("if d.null() {\n*p = nil\nreturn\n}\n")
	b.WriteString("s := *p\ni := 0\n")
	b.WriteString("for ok := d.arrayStart(); ok; ok = d.arrayNext() {\n")
	// Reuse the slice as encoding/json does: an element still in the
	// slice, or left past its length by an earlier decode, is decoded
	// into, not replaced.
	b.WriteString("if i == len(s) {\nif i < cap(s) {\ns = s[:i+1]\n} else {\n")
	fmt.Fprintf(b, "var zero %s\ns = append(s, zero)\n}\n}\n", ee)
	b.WriteString(g.dec(t.Elem(), "s[i]"))
	b.WriteString("i++\n}\n")
	fmt.Fprintf(b, "if i == 0 {\ns = make(%s, 0)\n} else {\ns = s[:i]\n}\n*p = s\n}\n\n", te)

	fmt.Fprintf(b, "func encode%s(e *encoder, s %s) {\n", m, te)
	b.WriteString("if s == nil {\ne.null()\nreturn\n}\n")
	b.WriteString("e.buf = append(e.buf, '[')\nfor i := range s {\nif i > 0 {\ne.buf = append(e.buf, ',')\n}\n")
	b.WriteString(g.enc(t.Elem(), "s[i]"))
	b.WriteString("}\ne.buf = append(e.buf, ']')\n}\n\n")
}

func (g *gen) emitMap(b *bytes.Buffer, t reflect.Type) {
	m := mangledName(t)
	te, ke, ee := g.mustType(t), g.mustType(t.Key()), g.mustType(t.Elem())
	fmt.Fprintf(b, "func decode%s(d *decoder, p *%s) {\n", m, te)
	b.WriteString("if d.null() {\n*p = nil\nreturn\n}\n")
	b.WriteString("if !d.isObject() {\nreturn\n}\n")
	fmt.Fprintf(b, "m := *p\nif m == nil {\nm = make(%s)\n*p = m\n}\n", te)
	b.WriteString("for ok := d.objectStart(); ok; ok = d.objectNext() {\n")
	fmt.Fprintf(b, "k := %s(d.key)\n", ke)
	// Each value is decoded into a fresh zero element, not merged into
	// an existing entry, as encoding/json does.
	fmt.Fprintf(b, "var x %s\n", ee)
	b.WriteString(g.dec(t.Elem(), "x"))
	b.WriteString("m[k] = x\n}\n}\n\n")

	fmt.Fprintf(b, "func encode%s(e *encoder, m %s) {\n", m, te)
	b.WriteString("if m == nil {\ne.null()\nreturn\n}\n")
	conv, str := ke+"(k)", "string(k)"
	if ke == "string" {
		conv, str = "k", "k"
	}
	fmt.Fprintf(b, "keys := make([]string, 0, len(m))\nfor k := range m {\nkeys = append(keys, %s)\n}\nsortStrings(keys)\n", str)
	b.WriteString("e.buf = append(e.buf, '{')\nfor i, k := range keys {\nif i > 0 {\ne.buf = append(e.buf, ',')\n}\n")
	b.WriteString("e.str(k)\ne.buf = append(e.buf, ':')\n")
	fmt.Fprintf(b, "x := m[%s]\n", conv)
	b.WriteString(g.enc(t.Elem(), "x"))
	b.WriteString("}\ne.buf = append(e.buf, '}')\n}\n\n")
}

// addr is &x, simplified for x of the form (*p).
func addr(x string) string {
	if strings.HasPrefix(x, "(*") && strings.HasSuffix(x, ")") {
		return x[2 : len(x)-1]
	}
	return "&" + x
}

// plain is x without the parentheses of a (*p) form, for use as a value or
// an assignment target.
func plain(x string) string {
	if strings.HasPrefix(x, "(*") && strings.HasSuffix(x, ")") {
		return x[1 : len(x)-1]
	}
	return x
}

// conv is x converted to type to, unless it already has that type.
func conv(to, te, x string) string {
	if te == to {
		return plain(x)
	}
	return to + "(" + plain(x) + ")"
}

func bits(k reflect.Kind) string {
	switch k {
	case reflect.Int8, reflect.Uint8:
		return "8"
	case reflect.Int16, reflect.Uint16:
		return "16"
	case reflect.Int32, reflect.Uint32:
		return "32"
	case reflect.Int64, reflect.Uint64:
		return "64"
	}
	return "intBits"
}

// dec is the code that decodes the next JSON value into the variable x of
// type t.
func (g *gen) dec(t reflect.Type, x string) string {
	te := g.mustType(t)
	switch t.Kind() {
	case reflect.String:
		if te == "string" {
			return fmt.Sprintf("d.str(%s)\n", addr(x))
		}
		return fmt.Sprintf("d.str((*string)(%s))\n", addr(x))
	case reflect.Bool:
		if te == "bool" {
			return fmt.Sprintf("d.bool(%s)\n", addr(x))
		}
		return fmt.Sprintf("d.bool((*bool)(%s))\n", addr(x))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return fmt.Sprintf("if n, ok := d.int(%s); ok {\n%s = %s\n}\n", bits(t.Kind()), plain(x), conv(te, "int64", "n"))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return fmt.Sprintf("if n, ok := d.uint(%s); ok {\n%s = %s\n}\n", bits(t.Kind()), plain(x), conv(te, "uint64", "n"))
	case reflect.Pointer:
		// null sets the pointer to nil; anything else is decoded into
		// the existing target, allocated if nil.
		x = plain(x)
		return fmt.Sprintf("if d.null() {\n%s = nil\n} else {\nif %s == nil {\n%s = new(%s)\n}\n%s}\n",
			x, x, x, g.mustType(t.Elem()), g.dec(t.Elem(), "(*"+x+")"))
	case reflect.Struct, reflect.Slice, reflect.Map:
		return fmt.Sprintf("decode%s(d, %s)\n", mangledName(t), addr(x))
	case reflect.Interface:
		return fmt.Sprintf("d.any(%s)\n", addr(x))
	}
	panic(fmt.Sprintf("specgen: dec: unexpected %v", t))
}

// enc is the code that encodes x, a value of type t.
func (g *gen) enc(t reflect.Type, x string) string {
	te := g.mustType(t)
	switch t.Kind() {
	case reflect.String:
		return fmt.Sprintf("e.str(%s)\n", conv("string", te, x))
	case reflect.Bool:
		return fmt.Sprintf("e.bool(%s)\n", conv("bool", te, x))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return fmt.Sprintf("e.int(%s)\n", conv("int64", te, x))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return fmt.Sprintf("e.uint(%s)\n", conv("uint64", te, x))
	case reflect.Pointer:
		x = plain(x)
		return fmt.Sprintf("if %s == nil {\ne.null()\n} else {\n%s}\n", x, g.enc(t.Elem(), "(*"+x+")"))
	case reflect.Struct:
		return fmt.Sprintf("encode%s(e, %s)\n", mangledName(t), addr(x))
	case reflect.Slice, reflect.Map:
		return fmt.Sprintf("encode%s(e, %s)\n", mangledName(t), plain(x))
	case reflect.Interface:
		return fmt.Sprintf("e.any(%s)\n", plain(x))
	}
	panic(fmt.Sprintf("specgen: enc: unexpected %v", t))
}

// nonEmpty is the condition under which an omitempty field is written;
// "" for a struct, which encoding/json never omits.
func nonEmpty(t reflect.Type, x string) string {
	switch t.Kind() {
	case reflect.String:
		return x + ` != ""`
	case reflect.Bool:
		return x
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return x + " != 0"
	case reflect.Pointer, reflect.Interface:
		return x + " != nil"
	case reflect.Slice, reflect.Map:
		return "len(" + x + ") != 0"
	}
	return ""
}
