package fake

import (
	"fmt"
	"regexp"
	"strings"
)

// PythonJSONError returns the message Python's json.loads gives for a
// malformed document ("Expecting value: line 1 column 13 (char 12)"), or
// "" when it parses. DRF puts it in its 400 "JSON parse error - …".
// Positions count characters, as Python's do.
func PythonJSONError(raw []byte) (msg string) {
	p := &pyParser{s: []rune(string(raw))}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(pyError); !ok {
				panic(r)
			}
			msg = p.msg
		}
	}()
	p.parse()
	return ""
}

type pyParser struct {
	s   []rune
	msg string
}

type pyError struct{}

func (p *pyParser) fail(msg string, pos int) {
	line := 1 + strings.Count(string(p.s[:pos]), "\n")
	col := pos + 1
	if i := strings.LastIndex(string(p.s[:pos]), "\n"); i >= 0 {
		col = pos - len([]rune(string(p.s[:pos])[:i]))
	}
	p.msg = fmt.Sprintf("%s: line %d column %d (char %d)", msg, line, col, pos)
	panic(pyError{})
}

func (p *pyParser) ws(i int) int {
	for i < len(p.s) && strings.ContainsRune(" \t\n\r", p.s[i]) {
		i++
	}
	return i
}

func (p *pyParser) parse() {
	i := p.ws(0)
	end, ok := p.value(i)
	if !ok {
		p.fail("Expecting value", i)
	}
	if end = p.ws(end); end != len(p.s) {
		p.fail("Extra data", end)
	}
}

var pyNumber = regexp.MustCompile(`^(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?`)

// value scans one value at i and returns where it ends; false where
// Python's scanner stops (StopIteration: "Expecting value").
func (p *pyParser) value(i int) (int, bool) {
	if i >= len(p.s) {
		return i, false
	}
	rest := string(p.s[i:])
	switch c := p.s[i]; {
	case c == '"':
		return p.str(i + 1), true
	case c == '{':
		return p.object(i + 1), true
	case c == '[':
		return p.array(i + 1), true
	}
	for _, lit := range []string{"null", "true", "false", "NaN", "Infinity", "-Infinity"} {
		if strings.HasPrefix(rest, lit) {
			return i + len(lit), true
		}
	}
	if m := pyNumber.FindString(rest); m != "" {
		return i + len([]rune(m)), true
	}
	return i, false
}

func (p *pyParser) str(i int) int {
	begin := i - 1
	for {
		if i >= len(p.s) {
			p.fail("Unterminated string starting at", begin)
		}
		switch c := p.s[i]; {
		case c == '"':
			return i + 1
		case c == '\\':
			i++
			if i >= len(p.s) {
				p.fail("Unterminated string starting at", begin)
			}
			switch p.s[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if i+5 > len(p.s) || !isHex(p.s[i+1:i+5]) {
					p.fail("Invalid \\uXXXX escape", i-1)
				}
				i += 5
			default:
				p.fail(fmt.Sprintf("Invalid \\escape: %s", pyRepr(p.s[i])), i-1)
			}
		case c < 0x20:
			p.fail("Invalid control character at", i)
		default:
			i++
		}
	}
}

func isHex(rs []rune) bool {
	for _, r := range rs {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

func pyRepr(r rune) string {
	if r == '\'' {
		return `"'"`
	}
	return "'" + string(r) + "'"
}

func (p *pyParser) object(i int) int {
	i = p.ws(i)
	if i < len(p.s) && p.s[i] == '}' {
		return i + 1
	}
	if i >= len(p.s) || p.s[i] != '"' {
		p.fail("Expecting property name enclosed in double quotes", i)
	}
	for {
		i = p.str(i + 1)
		i = p.ws(i)
		if i >= len(p.s) || p.s[i] != ':' {
			p.fail("Expecting ':' delimiter", i)
		}
		i = p.ws(i + 1)
		end, ok := p.value(i)
		if !ok {
			p.fail("Expecting value", i)
		}
		i = p.ws(end)
		if i < len(p.s) && p.s[i] == '}' {
			return i + 1
		}
		if i >= len(p.s) || p.s[i] != ',' {
			p.fail("Expecting ',' delimiter", i)
		}
		i = p.ws(i + 1)
		if i >= len(p.s) || p.s[i] != '"' {
			p.fail("Expecting property name enclosed in double quotes", i)
		}
	}
}

func (p *pyParser) array(i int) int {
	i = p.ws(i)
	if i < len(p.s) && p.s[i] == ']' {
		return i + 1
	}
	for {
		end, ok := p.value(i)
		if !ok {
			p.fail("Expecting value", i)
		}
		i = p.ws(end)
		if i < len(p.s) && p.s[i] == ']' {
			return i + 1
		}
		if i >= len(p.s) || p.s[i] != ',' {
			p.fail("Expecting ',' delimiter", i)
		}
		i = p.ws(i + 1)
	}
}
