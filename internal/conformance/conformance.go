// Package conformance replays the request/response pairs recorded from the
// providers' public reference servers (../shared/conformance) against a
// fake and compares the answers as the corpus's README defines: status,
// media type, the JSON body after placeholders (or a page's title or
// first line and exception), and the WWW-Authenticate and Location
// headers. Byte-faithfulness (Python spacing, key order) is checked apart.
package conformance

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime"
	"net/http"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// Case is one recorded exchange.
type Case struct {
	ID             string   `json:"id"`
	Provider       string   `json:"provider"`
	Desc           string   `json:"desc"`
	Setup          []string `json:"setup"`
	Request        Request  `json:"request"`
	Response       Response `json:"response"`
	DocumentedPath string   `json:"documented_path"`
	// Source, for a case written from a provider's document rather than
	// recorded (no public server exists), names the passage it rests on.
	Source            string `json:"source"`
	UndocumentedRoute bool   `json:"undocumented_route"`
	ReferenceBug      string `json:"reference_bug"`
	Note              string `json:"note"`
}

// Request is what the replayer sends.
type Request struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers"`
	Body    *string           `json:"body"`
}

// Response is what the reference answered.
type Response struct {
	Status           int               `json:"status"`
	MediaType        string            `json:"media_type"`
	ContentType      string            `json:"content_type"`
	Headers          map[string]string `json:"headers"`
	JSON             json.RawMessage   `json:"json"`
	PythonSpacing    *bool             `json:"python_spacing"`
	KeyOrder         []string          `json:"key_order"`
	TitleOrFirstLine *string           `json:"title_or_first_line"`
	Exception        *string           `json:"exception"`
}

// Load reads a corpus file, one case a line.
func Load(path string) ([]Case, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Case
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var c Case
		if err := json.Unmarshal(line, &c); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, c)
	}
	return out, sc.Err()
}

var placeholder = regexp.MustCompile(`\{\{[a-z0-9_]+\}\}`)

// Fill replaces the placeholders of s with their bound values; an unbound
// one is an error.
func Fill(s string, bound map[string]string) (string, error) {
	var missing []string
	out := placeholder.ReplaceAllStringFunc(s, func(p string) string {
		v, ok := bound[p[2:len(p)-2]]
		if !ok {
			missing = append(missing, p)
			return p
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("unbound placeholders %v", missing)
	}
	return out, nil
}

// NewRequest builds the case's request against base (the server root,
// ending in "/"), with the placeholders filled.
func (c Case) NewRequest(base string, bound map[string]string) (*http.Request, error) {
	path, err := Fill(c.Request.Path, bound)
	if err != nil {
		return nil, err
	}
	var body io.Reader
	if c.Request.Body != nil {
		b, err := Fill(*c.Request.Body, bound)
		if err != nil {
			return nil, err
		}
		body = strings.NewReader(b)
	}
	req, err := http.NewRequest(c.Request.Method, base+path, body)
	if err != nil {
		return nil, err
	}
	for k, v := range c.Request.Headers {
		v, err := Fill(v, bound)
		if err != nil {
			return nil, err
		}
		req.Header.Set(k, v)
	}
	return req, nil
}

// Compare checks an answer against the recording and returns the
// differences, none when it conforms. Top-level keys named in extra are
// left out of the fake's JSON first: fields the documented API adds to
// the recorded implementation's answer.
func (c Case) Compare(status int, header http.Header, body []byte, bound map[string]string, extra ...string) []string {
	var diffs []string
	want := c.Response
	if status != want.Status {
		diffs = append(diffs, fmt.Sprintf("status %d, want %d", status, want.Status))
	}
	mt, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	if mt != want.MediaType {
		diffs = append(diffs, fmt.Sprintf("media type %q, want %q", mt, want.MediaType))
	}
	for _, h := range []string{"WWW-Authenticate", "Location"} {
		if v, ok := want.Headers[h]; ok {
			v = strings.ReplaceAll(v, "{{host}}", bound["host"])
			if got := header.Get(h); got != v {
				diffs = append(diffs, fmt.Sprintf("%s %q, want %q", h, got, v))
			}
		}
	}
	if want.MediaType == "application/json" && len(want.JSON) > 0 {
		var got, exp any
		if err := json.Unmarshal(body, &got); err != nil {
			return append(diffs, fmt.Sprintf("body is not JSON: %.120q", body))
		}
		if m, ok := got.(map[string]any); ok {
			for _, k := range extra {
				delete(m, k)
			}
		}
		if err := json.Unmarshal(want.JSON, &exp); err != nil {
			return append(diffs, "recorded JSON does not parse")
		}
		diffs = append(diffs, match("$", exp, got, bound)...)
		return diffs
	}
	if want.TitleOrFirstLine != nil {
		title := TitleOrFirstLine(body)
		wantTitle, _ := Fill(*want.TitleOrFirstLine, bound)
		if title != wantTitle {
			diffs = append(diffs, fmt.Sprintf("title or first line %q, want %q", title, wantTitle))
		}
		if want.Exception != nil && Exception(title) != *want.Exception {
			diffs = append(diffs, fmt.Sprintf("exception %q, want %q", Exception(title), *want.Exception))
		}
	}
	return diffs
}

// Faithful checks what a byte-faithful fake also reproduces: Python's
// separators where the reference used them, compact ones elsewhere, the
// top-level key order (the keys in extra aside), and no trailing newline.
func (c Case) Faithful(body []byte, extra ...string) []string {
	want := c.Response
	if want.MediaType != "application/json" || want.PythonSpacing == nil {
		return nil
	}
	var diffs []string
	if bytes.HasSuffix(body, []byte("\n")) {
		diffs = append(diffs, "body ends with a newline")
	}
	python := bytes.Contains(body, []byte(`": `)) || bytes.Contains(body, []byte(`, "`))
	compact := !bytes.Contains(body, []byte(`": `)) && !bytes.Contains(body, []byte(`, `))
	switch {
	case *want.PythonSpacing && !python && len(want.KeyOrder) > 0:
		diffs = append(diffs, "compact separators, want Python's")
	case !*want.PythonSpacing && !compact:
		diffs = append(diffs, "Python separators, want compact")
	}
	var order []string
	for _, k := range topKeys(body) {
		if !slices.Contains(extra, k) {
			order = append(order, k)
		}
	}
	if len(want.KeyOrder) > 0 && strings.Join(order, ",") != strings.Join(want.KeyOrder, ",") {
		diffs = append(diffs, fmt.Sprintf("key order %v, want %v", order, want.KeyOrder))
	}
	return diffs
}

func topKeys(body []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return keys
		}
		keys = append(keys, fmt.Sprint(t))
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return keys
		}
	}
	return keys
}

var (
	jwtShape = regexp.MustCompile(`^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`)
	echoed   = map[string]bool{"email": true, "username": true, "email2": true, "username2": true, "fresh_email": true,
		"fresh_username": true, "admin_email": true, "admin_username": true}
)

// match deep-compares a recorded value with a fake's, placeholders
// included.
func match(at string, want, got any, bound map[string]string) []string {
	if s, ok := want.(string); ok && strings.Contains(s, "{{") {
		return matchPlaceholder(at, s, got, bound)
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %s, want an object", at, short(got))}
		}
		var diffs []string
		keys := make([]string, 0, len(w)+len(g))
		for k := range w {
			keys = append(keys, k)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			wv, inW := w[k]
			gv, inG := g[k]
			switch {
			case !inG:
				diffs = append(diffs, fmt.Sprintf("%s: missing key %q", at, k))
			case !inW:
				diffs = append(diffs, fmt.Sprintf("%s: extra key %q", at, k))
			default:
				diffs = append(diffs, match(at+"."+k, wv, gv, bound)...)
			}
		}
		return diffs
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: %s, want %s", at, short(got), short(want))}
		}
		var diffs []string
		for i := range w {
			diffs = append(diffs, match(fmt.Sprintf("%s[%d]", at, i), w[i], g[i], bound)...)
		}
		return diffs
	}
	if fmt.Sprint(want) != fmt.Sprint(got) || fmt.Sprintf("%T", want) != fmt.Sprintf("%T", got) {
		return []string{fmt.Sprintf("%s: %s, want %s", at, short(got), short(want))}
	}
	return nil
}

func matchPlaceholder(at, want string, got any, bound map[string]string) []string {
	name := strings.Trim(want, "{}")
	if want == "{{"+name+"}}" {
		switch name {
		case "jwt":
			if s, ok := got.(string); ok && jwtShape.MatchString(s) {
				return nil
			}
			return []string{fmt.Sprintf("%s: %s, want a JWT", at, short(got))}
		case "id", "int":
			if f, ok := got.(float64); ok && f == float64(int64(f)) {
				return nil
			}
			return []string{fmt.Sprintf("%s: %s, want an integer", at, short(got))}
		case "customer_id", "time", "token":
			if s, ok := got.(string); ok && s != "" {
				return nil
			}
			return []string{fmt.Sprintf("%s: %s, want a non-empty string", at, short(got))}
		}
		if !echoed[name] && name != "host" {
			if _, ok := bound[name]; !ok {
				return []string{fmt.Sprintf("%s: unknown placeholder %s", at, want)}
			}
		}
	}
	filled, err := Fill(want, bound)
	if err != nil {
		return []string{fmt.Sprintf("%s: %v", at, err)}
	}
	if s, ok := got.(string); !ok || s != filled {
		return []string{fmt.Sprintf("%s: %s, want %q", at, short(got), filled)}
	}
	return nil
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 120 {
		b = append(b[:120], "…"...)
	}
	return string(b)
}

var titleRE = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

// TitleOrFirstLine is an HTML page's <title> with whitespace collapsed,
// or the first non-empty line of a plain-text body (or of HTML without a
// title); "" for an empty body.
func TitleOrFirstLine(body []byte) string {
	if m := titleRE.FindSubmatch(body); m != nil {
		return strings.Join(strings.Fields(html.UnescapeString(string(m[1]))), " ")
	}
	for _, line := range strings.Split(string(body), "\n") {
		if l := strings.TrimSpace(line); l != "" {
			return l
		}
	}
	return ""
}

var exceptionRE = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_.]*) at /`)

// Exception is the exception type Django names at the start of a debug
// page's title ("KeyError at /…"); "" for pages that are not exceptions.
func Exception(title string) string {
	m := exceptionRE.FindStringSubmatch(title)
	if m == nil || m[1] == "Page" {
		return ""
	}
	return m[1]
}

// Replay sends c's request to base (the server root, ending in "/") with
// client, and fails t with the differences from the recording, byte-faithful
// details included. A case listed in allowed (id → reason) must differ:
// one that conforms fails too, so the list never outlives its reasons.
// extra names top-level keys the fake may add (documented fields).
func Replay(t testing.TB, c Case, client *http.Client, base string, bound map[string]string, allowed map[string]string, extra ...string) {
	t.Helper()
	req, err := c.NewRequest(base, bound)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	diffs := append(c.Compare(resp.StatusCode, resp.Header, body, bound, extra...), c.Faithful(body, extra...)...)
	if reason, ok := allowed[c.ID]; ok {
		if len(diffs) == 0 {
			t.Errorf("listed as an allowed difference (%s) but conforms: take it off the list", reason)
		}
		return
	}
	if len(diffs) > 0 {
		from := ""
		if c.Source != "" {
			from = ", from " + c.Source
		}
		t.Errorf("%s (%s %s)%s:\n  %s\n  body: %.300q", c.Desc, c.Request.Method, c.Request.Path, from, strings.Join(diffs, "\n  "), body)
	}
}
