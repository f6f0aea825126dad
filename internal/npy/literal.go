package npy

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// This file parses the header dict, a Python literal, in the way Python's
// ast.literal_eval (which numpy uses) would for the values a header can
// reasonably contain: dicts, tuples, lists, strings, integers, True, False
// and None.

// Limits on the header literal. A valid header has a handful of values;
// the limits keep a hostile header from costing much time or memory.
const (
	maxValues = 256
	maxDepth  = 16
)

// tuple and list are parsed Python tuples and lists.
type (
	tuple []any
	list  []any
)

// dict is a parsed Python dict, with its entries in order.
type dict []entry

type entry struct{ key, val any }

// A parser parses a Python literal. Values are string, int64, bool, nil
// (None), tuple, list and dict.
type parser struct {
	s     string
	pos   int
	long  bool // accept Python 2 long integers such as 3L
	n     int  // values parsed so far
	depth int
}

// parseLiteral parses s, which must hold one Python literal surrounded by
// optional whitespace. If long is set, integers may have Python 2's 'L'
// suffix, which numpy strips from version 1.0 and 2.0 headers.
func parseLiteral(s string, long bool) (any, error) {
	p := &parser{s: s, long: long}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos < len(p.s) {
		return nil, p.errorf("unexpected %s after the literal", p.what())
	}
	return v, nil
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("offset %d: %s", p.pos, fmt.Sprintf(format, args...))
}

// what describes the input at p.pos for error messages.
func (p *parser) what() string {
	if p.pos >= len(p.s) {
		return "end of header"
	}
	return strconv.QuoteRune(rune(p.s[p.pos]))
}

// space skips whitespace and comments.
func (p *parser) space() {
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ' ', '\t', '\n', '\r', '\f', '\v':
			p.pos++
		case '#':
			for p.pos < len(p.s) && p.s[p.pos] != '\n' {
				p.pos++
			}
		default:
			return
		}
	}
}

func (p *parser) value() (any, error) {
	p.space()
	if p.n++; p.n > maxValues {
		return nil, p.errorf("more than %d values", maxValues)
	}
	if p.pos >= len(p.s) {
		return nil, p.errorf("unexpected end of header")
	}
	switch c := p.s[p.pos]; {
	case c == '{' || c == '(' || c == '[':
		if p.depth++; p.depth > maxDepth {
			return nil, p.errorf("nested more than %d deep", maxDepth)
		}
		defer func() { p.depth-- }()
		p.pos++
		switch c {
		case '{':
			return p.dict()
		case '(':
			items, comma, err := p.items(')')
			if err != nil {
				return nil, err
			}
			if len(items) == 1 && !comma {
				return items[0], nil // parenthesized value, not a tuple
			}
			return tuple(items), nil
		default:
			items, _, err := p.items(']')
			return list(items), err
		}
	case c == '\'' || c == '"':
		return p.str()
	case c == '-' || c == '+' || isDigit(c):
		return p.int()
	case isIdentStart(c):
		start := p.pos
		for p.pos < len(p.s) && isIdent(p.s[p.pos]) {
			p.pos++
		}
		switch name := p.s[start:p.pos]; name {
		case "True":
			return true, nil
		case "False":
			return false, nil
		case "None":
			return nil, nil
		case "u", "U":
			if p.pos < len(p.s) && (p.s[p.pos] == '\'' || p.s[p.pos] == '"') {
				return p.str() // Python 2 unicode literal
			}
			fallthrough
		default:
			p.pos = start
			return nil, p.errorf("unexpected name %q", name)
		}
	default:
		return nil, p.errorf("unexpected %s", p.what())
	}
}

// items parses comma-separated values up to the closing bracket and
// reports whether the last value was followed by a comma.
func (p *parser) items(close byte) (items []any, comma bool, err error) {
	for {
		p.space()
		if p.pos < len(p.s) && p.s[p.pos] == close {
			p.pos++
			return items, comma, nil
		}
		v, err := p.value()
		if err != nil {
			return nil, false, err
		}
		items = append(items, v)
		if comma, err = p.sep(close); err != nil {
			return nil, false, err
		}
		if !comma {
			p.pos++ // close
			return items, false, nil
		}
	}
}

// sep parses the ',' after a value, reporting whether it found one, or
// checks that the closing bracket follows.
func (p *parser) sep(close byte) (comma bool, err error) {
	p.space()
	if p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ',':
			p.pos++
			return true, nil
		case close:
			return false, nil
		}
	}
	return false, p.errorf("expected ',' or %q, found %s", close, p.what())
}

func (p *parser) dict() (dict, error) {
	var d dict
	for {
		p.space()
		if p.pos < len(p.s) && p.s[p.pos] == '}' {
			p.pos++
			return d, nil
		}
		k, err := p.value()
		if err != nil {
			return nil, err
		}
		if _, ok := k.(string); !ok {
			return nil, p.errorf("dict key %v is not a string", k)
		}
		p.space()
		if p.pos >= len(p.s) || p.s[p.pos] != ':' {
			return nil, p.errorf("expected ':', found %s", p.what())
		}
		p.pos++
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		d = append(d, entry{k, v})
		comma, err := p.sep('}')
		if err != nil {
			return nil, err
		}
		if !comma {
			p.pos++ // '}'
			return d, nil
		}
	}
}

// int parses an integer literal with an optional sign: decimal, or
// hexadecimal, octal or binary with a 0x, 0o or 0b prefix, with optional
// underscores between digits.
func (p *parser) int() (int64, error) {
	neg := p.s[p.pos] == '-'
	if c := p.s[p.pos]; c == '-' || c == '+' {
		p.pos++
		p.space()
	}
	start := p.pos
	if p.pos >= len(p.s) || !isDigit(p.s[p.pos]) {
		return 0, p.errorf("expected a digit, found %s", p.what())
	}
	for p.pos < len(p.s) && isIdent(p.s[p.pos]) {
		p.pos++
	}
	if p.pos < len(p.s) && p.s[p.pos] == '.' {
		return 0, p.errorf("unsupported number syntax")
	}
	num := p.s[start:p.pos]
	if p.long && len(num) > 1 && (num[len(num)-1] == 'L' || num[len(num)-1] == 'l') {
		num = num[:len(num)-1]
	}
	// Go's base prefixes and underscores are Python's, but a leading 0
	// means octal in Go and is an error in Python unless all digits are 0.
	if len(num) > 1 && num[0] == '0' && strings.IndexByte("xXoObB", num[1]) < 0 && strings.Trim(num, "0_") != "" {
		return 0, fmt.Errorf("offset %d: invalid integer %q", start, num)
	}
	if neg {
		num = "-" + num
	}
	v, err := strconv.ParseInt(num, 0, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return 0, fmt.Errorf("offset %d: integer %s out of range", start, num)
		}
		return 0, fmt.Errorf("offset %d: invalid integer %q", start, num)
	}
	return v, nil
}

// str parses a single- or double-quoted string with the common escapes.
func (p *parser) str() (string, error) {
	start := p.pos
	q := p.s[p.pos]
	p.pos++
	var b strings.Builder
	for {
		if p.pos >= len(p.s) || p.s[p.pos] == '\n' {
			p.pos = start
			return "", p.errorf("unterminated string")
		}
		c := p.s[p.pos]
		p.pos++
		switch c {
		case q:
			return b.String(), nil
		case '\\':
			if p.pos >= len(p.s) {
				p.pos = start
				return "", p.errorf("unterminated string")
			}
			e := p.s[p.pos]
			p.pos++
			switch e {
			case '\n':
				// Line continuation.
			case '\\', '\'', '"':
				b.WriteByte(e)
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			case 'x':
				if p.pos+2 > len(p.s) {
					return "", p.errorf("invalid \\x escape")
				}
				v, err := strconv.ParseUint(p.s[p.pos:p.pos+2], 16, 8)
				if err != nil {
					return "", p.errorf("invalid \\x escape")
				}
				b.WriteByte(byte(v))
				p.pos += 2
			default:
				p.pos -= 2
				return "", p.errorf("unsupported escape \\%c", e)
			}
		default:
			b.WriteByte(c)
		}
	}
}

func isDigit(c byte) bool      { return '0' <= c && c <= '9' }
func isIdentStart(c byte) bool { return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isIdent(c byte) bool      { return isIdentStart(c) || isDigit(c) }
