package specjson

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// intBits is the size of int and uint.
const intBits = strconv.IntSize

// maxSkipDepth bounds the nesting of values skipped or handed to
// encoding/json; deeper input goes to the fallback, which applies
// encoding/json's own limit.
const maxSkipDepth = 1000

// decoder is the fast path's scanner: a strict JSON reader over data that
// decodes in place. The generated functions drive it; on anything it does not
// reproduce exactly it calls fail, which moves pos to the end so that every
// later read fails too and all loops end, and Unmarshal then falls back to
// encoding/json.
type decoder struct {
	data   []byte
	pos    int
	failed bool

	// key is the last object key read, unescaped; it points into data or
	// into scratch, and is valid until the next string is read.
	key      []byte
	keyASCII bool

	scratch []byte // unescaped strings
}

func (d *decoder) fail() {
	d.failed = true
	d.pos = len(d.data)
}

// ws skips JSON whitespace.
func (d *decoder) ws() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// peek skips whitespace and returns the next byte, 0 at the end.
func (d *decoder) peek() byte {
	d.ws()
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

// literal consumes lit (true, false or null), or fails.
func (d *decoder) literal(lit string) {
	if len(d.data)-d.pos >= len(lit) && string(d.data[d.pos:d.pos+len(lit)]) == lit {
		d.pos += len(lit)
		return
	}
	d.fail()
}

// null consumes a null if one is next.
func (d *decoder) null() bool {
	if d.peek() != 'n' {
		return false
	}
	d.literal("null")
	return true
}

// isObject reports whether an object is next, failing if not.
func (d *decoder) isObject() bool {
	if d.peek() == '{' {
		return true
	}
	d.fail()
	return false
}

// objectStart begins an object and reads its first key and colon; false
// for an empty object, for null (consumed, nothing to do), and on failure.
func (d *decoder) objectStart() bool {
	switch d.peek() {
	case 'n':
		d.literal("null")
		return false
	case '{':
		d.pos++
		if d.peek() == '}' {
			d.pos++
			return false
		}
		return d.readKey()
	}
	d.fail()
	return false
}

// objectNext reads the comma and next key after a member, or the closing
// brace (false).
func (d *decoder) objectNext() bool {
	switch d.peek() {
	case ',':
		d.pos++
		return d.readKey()
	case '}':
		d.pos++
		return false
	}
	d.fail()
	return false
}

func (d *decoder) readKey() bool {
	if d.peek() != '"' {
		d.fail()
		return false
	}
	d.key, d.keyASCII = d.readString()
	if d.peek() != ':' {
		d.fail()
		return false
	}
	d.pos++
	return true
}

// fold returns the key with a-z upper-cased, in buf, as encoding/json folds
// ASCII names; nil when the key is longer than buf (so it matches no field).
// A key that is not ASCII fails: encoding/json folds some non-ASCII letters
// onto ASCII ones (U+212A KELVIN SIGN onto K), which is left to it.
func (d *decoder) fold(buf []byte) []byte {
	if !d.keyASCII {
		d.fail()
		return nil
	}
	if len(d.key) > len(buf) {
		return nil
	}
	for i, c := range d.key {
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[i] = c
	}
	return buf[:len(d.key)]
}

// arrayStart begins an array: false for an empty one and on failure (null
// is the caller's business).
func (d *decoder) arrayStart() bool {
	if d.peek() != '[' {
		d.fail()
		return false
	}
	d.pos++
	if d.peek() == ']' {
		d.pos++
		return false
	}
	return true
}

// arrayNext reads the comma after an element (true) or the closing bracket.
func (d *decoder) arrayNext() bool {
	switch d.peek() {
	case ',':
		d.pos++
		return true
	case ']':
		d.pos++
		return false
	}
	d.fail()
	return false
}

// str decodes a string into *p; null leaves *p as it is.
func (d *decoder) str(p *string) {
	switch d.peek() {
	case '"':
		b, _ := d.readString()
		if !d.failed {
			*p = string(b)
		}
	case 'n':
		d.literal("null")
	default:
		d.fail()
	}
}

// bool decodes true or false into *p; null leaves *p as it is.
func (d *decoder) bool(p *bool) {
	switch d.peek() {
	case 't':
		d.literal("true")
		*p = true
	case 'f':
		d.literal("false")
		*p = false
	case 'n':
		d.literal("null")
	default:
		d.fail()
	}
}

// digits reads a JSON number with no fraction or exponent and returns its
// magnitude. A fraction or exponent (which encoding/json refuses for an
// integer field), a magnitude over 1<<64-1 and malformed numbers fail.
func (d *decoder) digits() uint64 {
	if d.pos >= len(d.data) {
		d.fail()
		return 0
	}
	c := d.data[d.pos]
	if c < '0' || c > '9' {
		d.fail()
		return 0
	}
	d.pos++
	n := uint64(c - '0')
	if c != '0' {
		for d.pos < len(d.data) {
			c = d.data[d.pos]
			if c < '0' || c > '9' {
				break
			}
			if n > (1<<64-1)/10 || n*10 > 1<<64-1-uint64(c-'0') {
				d.fail()
				return 0
			}
			n = n*10 + uint64(c-'0')
			d.pos++
		}
	}
	if d.pos < len(d.data) {
		switch d.data[d.pos] {
		case '.', 'e', 'E', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			d.fail()
			return 0
		}
	}
	return n
}

// int decodes an integer that fits in a signed bits-bit integer; ok is
// false for null (nothing to store) and on failure.
func (d *decoder) int(bits uint) (n int64, ok bool) {
	switch c := d.peek(); {
	case c == 'n':
		d.literal("null")
		return 0, false
	case c == '-':
		d.pos++
		u := d.digits()
		if d.failed || u > 1<<(bits-1) {
			d.fail()
			return 0, false
		}
		return -int64(u), true
	case '0' <= c && c <= '9':
		u := d.digits()
		if d.failed || u > 1<<(bits-1)-1 {
			d.fail()
			return 0, false
		}
		return int64(u), true
	}
	d.fail()
	return 0, false
}

// uint decodes an integer that fits in an unsigned bits-bit integer; a
// minus sign fails, even on -0, as encoding/json refuses it.
func (d *decoder) uint(bits uint) (n uint64, ok bool) {
	switch c := d.peek(); {
	case c == 'n':
		d.literal("null")
		return 0, false
	case '0' <= c && c <= '9':
		u := d.digits()
		if d.failed || (bits < 64 && u > 1<<bits-1) {
			d.fail()
			return 0, false
		}
		return u, true
	}
	d.fail()
	return 0, false
}

// any decodes an interface{} value with encoding/json, which builds maps,
// slices and float64s without touching the struct-field caches; an error
// there fails (the fallback then reports it with its full context).
func (d *decoder) any(p *any) {
	d.ws()
	start := d.pos
	d.skipValue(0)
	if d.failed {
		return
	}
	raw := d.data[start:d.pos]
	if string(raw) == "null" {
		*p = nil
		return
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		d.fail()
		return
	}
	*p = v
}

// skip consumes (and validates) one value of any kind.
func (d *decoder) skip() {
	d.skipValue(0)
}

func (d *decoder) skipValue(depth int) {
	switch c := d.peek(); {
	case c == '{':
		if depth >= maxSkipDepth {
			d.fail()
			return
		}
		d.pos++
		if d.peek() == '}' {
			d.pos++
			return
		}
		for {
			if d.peek() != '"' {
				d.fail()
				return
			}
			d.readString()
			if d.peek() != ':' {
				d.fail()
				return
			}
			d.pos++
			d.skipValue(depth + 1)
			switch d.peek() {
			case ',':
				d.pos++
			case '}':
				d.pos++
				return
			default:
				d.fail()
				return
			}
		}
	case c == '[':
		if depth >= maxSkipDepth {
			d.fail()
			return
		}
		d.pos++
		if d.peek() == ']' {
			d.pos++
			return
		}
		for {
			d.skipValue(depth + 1)
			switch d.peek() {
			case ',':
				d.pos++
			case ']':
				d.pos++
				return
			default:
				d.fail()
				return
			}
		}
	case c == '"':
		d.readString()
	case c == 't':
		d.literal("true")
	case c == 'f':
		d.literal("false")
	case c == 'n':
		d.literal("null")
	case c == '-' || ('0' <= c && c <= '9'):
		d.skipNumber()
	default:
		d.fail()
	}
}

// skipNumber validates a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *decoder) skipNumber() {
	if d.data[d.pos] == '-' {
		d.pos++
	}
	if d.pos < len(d.data) && d.data[d.pos] == '0' {
		d.pos++
	} else if d.moreDigits() == 0 {
		d.fail()
		return
	}
	if d.pos < len(d.data) && d.data[d.pos] == '.' {
		d.pos++
		if d.moreDigits() == 0 {
			d.fail()
			return
		}
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		d.pos++
		if d.pos < len(d.data) && (d.data[d.pos] == '+' || d.data[d.pos] == '-') {
			d.pos++
		}
		if d.moreDigits() == 0 {
			d.fail()
		}
	}
}

func (d *decoder) moreDigits() int {
	start := d.pos
	for d.pos < len(d.data) && '0' <= d.data[d.pos] && d.data[d.pos] <= '9' {
		d.pos++
	}
	return d.pos - start
}

// readString reads the string at d.pos (an opening quote) and returns its
// unescaped bytes, pointing into data when there was nothing to unescape,
// and whether they are all ASCII. Like encoding/json, it turns invalid UTF-8
// and unpaired surrogate escapes into U+FFFD; control characters and bad
// escapes fail.
func (d *decoder) readString() (b []byte, ascii bool) {
	start := d.pos + 1
	ascii = true
	for i := start; i < len(d.data); i++ {
		switch c := d.data[i]; {
		case c == '"':
			b = d.data[start:i]
			if !ascii && !utf8.Valid(b) {
				return d.unescape(start)
			}
			d.pos = i + 1
			return b, ascii
		case c == '\\':
			return d.unescape(start)
		case c < 0x20:
			d.fail()
			return nil, true
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	d.fail()
	return nil, true
}

// unescape is readString's slow path, into d.scratch.
func (d *decoder) unescape(start int) (b []byte, ascii bool) {
	b = d.scratch[:0]
	ascii = true
	data := d.data
	for i := start; i < len(data); {
		c := data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			d.scratch = b
			return b, ascii
		case c == '\\':
			if i+1 >= len(data) {
				d.fail()
				return nil, true
			}
			i += 2
			switch data[i-1] {
			case '"', '\\', '/':
				b = append(b, data[i-1])
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r := hex4(data[i:])
				if r < 0 {
					d.fail()
					return nil, true
				}
				i += 4
				if 0xD800 <= r && r < 0xE000 {
					// A high surrogate followed by an escaped low one is a
					// pair; any other surrogate is U+FFFD, and what follows
					// it is read on its own.
					r2 := rune(-1)
					if len(data)-i >= 6 && data[i] == '\\' && data[i+1] == 'u' {
						r2 = hex4(data[i+2:])
					}
					if r < 0xDC00 && 0xDC00 <= r2 && r2 < 0xE000 {
						r = 0x10000 + (r-0xD800)<<10 + (r2 - 0xDC00)
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				if r >= utf8.RuneSelf {
					ascii = false
				}
				b = utf8.AppendRune(b, r)
			default:
				d.fail()
				return nil, true
			}
		case c < 0x20:
			d.fail()
			return nil, true
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			ascii = false
			r, size := utf8.DecodeRune(data[i:])
			b = utf8.AppendRune(b, r) // RuneError for invalid bytes, one at a time
			i += size
		}
	}
	d.fail()
	return nil, true
}

// hex4 parses 4 hex digits at the start of b; -1 if there are not.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}
