package specjson

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// encoder is the writer behind Marshal; the generated encode functions append
// to buf. failed is set when a value must be left to encoding/json (an error
// marshaling an interface{} field), and Marshal then falls back.
type encoder struct {
	buf    []byte
	failed bool
}

// open writes '{' and returns the length to pass to key.
func (e *encoder) open() int {
	e.buf = append(e.buf, '{')
	return len(e.buf)
}

func (e *encoder) close() {
	e.buf = append(e.buf, '}')
}

// key writes a member's `"name":`, after a comma unless it is the first one
// since open returned n.
func (e *encoder) key(n int, k string) {
	if len(e.buf) != n {
		e.buf = append(e.buf, ',')
	}
	e.buf = append(e.buf, k...)
}

func (e *encoder) null() {
	e.buf = append(e.buf, "null"...)
}

func (e *encoder) bool(b bool) {
	if b {
		e.buf = append(e.buf, "true"...)
	} else {
		e.buf = append(e.buf, "false"...)
	}
}

func (e *encoder) int(n int64) {
	e.buf = strconv.AppendInt(e.buf, n, 10)
}

func (e *encoder) uint(n uint64) {
	e.buf = strconv.AppendUint(e.buf, n, 10)
}

// any writes an interface{} value as json.Marshal does.
func (e *encoder) any(v any) {
	if v == nil {
		e.null()
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		e.failed = true
		return
	}
	e.buf = append(e.buf, b...)
}

const hexDigits = "0123456789abcdef"

// str writes s as a JSON string the way json.Marshal does: HTML-safe (<, >
// and & as \u003c, \u003e, \u0026), \b \f \n \r \t and \" \\ as two-byte
// escapes, other control characters as \u00XX, U+2028 and U+2029 escaped,
// and each byte of invalid UTF-8 as \ufffd.
func (e *encoder) str(s string) {
	b := append(e.buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	e.buf = append(b, '"')
}

// sortStrings sorts map keys into the byte order json.Marshal writes them in
// (insertion sort for the usual handful, merge sort beyond).
func sortStrings(a []string) {
	if len(a) <= 12 {
		for i := 1; i < len(a); i++ {
			for j := i; j > 0 && a[j] < a[j-1]; j-- {
				a[j], a[j-1] = a[j-1], a[j]
			}
		}
		return
	}
	mid := len(a) / 2
	sortStrings(a[:mid])
	sortStrings(a[mid:])
	if a[mid-1] <= a[mid] {
		return
	}
	left := append([]string(nil), a[:mid]...)
	i, j, k := 0, mid, 0
	for i < len(left) && j < len(a) {
		if a[j] < left[i] {
			a[k] = a[j]
			j++
		} else {
			a[k] = left[i]
			i++
		}
		k++
	}
	copy(a[k:], left[i:])
}
