// Package envelope decodes the error bodies providers send, whatever their
// shape, without panicking on any input.
package envelope

import (
	"bytes"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// Problem is what an error body says, normalised.
type Problem struct {
	Message string              // human-readable message, if any
	Code    string              // machine code, if any (DRF "code")
	Fields  map[string][]string // field errors (DRF serializer errors)
	JSON    bool                // the body was a JSON object
}

// DRF decodes the error bodies of Django REST Framework servers and their
// relatives. Message keys are tried in order: detail (+code), error (a
// string or a list of strings), msg, message, non_field_errors; every other
// key holding a string or a list of strings is a field error. A body that
// is not a JSON object yields its HTML <title>, or its text when short and
// plain, as the message.
func DRF(body []byte) Problem {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil || m == nil {
		return Problem{Message: plainMessage(body)}
	}
	p := Problem{JSON: true}
	if c, ok := text(m["code"]); ok {
		p.Code = c
	}
	for _, k := range [...]string{"detail", "error", "msg", "message", "non_field_errors"} {
		if msg, ok := text(m[k]); ok && msg != "" {
			p.Message = msg
			break
		}
	}
	for k, raw := range m {
		switch k {
		case "detail", "code", "messages", "error", "msg", "message", "non_field_errors", "status":
			continue
		}
		if list, ok := texts(raw); ok {
			if p.Fields == nil {
				p.Fields = make(map[string][]string)
			}
			p.Fields[k] = list
		}
	}
	if p.Message == "" && len(p.Fields) > 0 {
		p.Message = FieldSummary(p.Fields)
	}
	return p
}

// FieldSummary renders field errors as "a: x; b: y", fields sorted.
func FieldSummary(fields map[string][]string) string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+": "+strings.Join(fields[k], " "))
	}
	return strings.Join(parts, "; ")
}

// text reads a JSON string, or the strings of a list joined by spaces.
func text(raw json.RawMessage) (string, bool) {
	list, ok := texts(raw)
	if !ok {
		return "", false
	}
	return strings.Join(list, " "), true
}

// texts reads a JSON string or a list of strings (others in the list skipped).
func texts(raw json.RawMessage) ([]string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, false
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, false
		}
		return []string{s}, true
	case '[':
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return nil, false
		}
		out := make([]string, 0, len(items))
		for _, it := range items {
			var s string
			if json.Unmarshal(it, &s) == nil {
				out = append(out, s)
			}
		}
		return out, len(out) > 0
	}
	return nil, false
}

// plainMessage is the <title> of an HTML page, the first line of a
// Django traceback, or a short plain-text body.
func plainMessage(body []byte) string {
	if t, ok := DjangoDebug(body); ok {
		return t
	}
	if t := htmlTitle(body); t != "" {
		return t
	}
	text := bytes.TrimSpace(body)
	if len(text) == 0 || json.Valid(text) || len(text) > 200 || bytes.ContainsAny(text, "<>{}\x00") || !utf8.Valid(text) {
		return ""
	}
	return strings.Join(strings.Fields(string(text)), " ")
}

var titlePattern = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

// djangoFirstLine is how Django's debug pages name the failure:
// "DoesNotExist at /api/accounts/loans/".
var djangoFirstLine = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.]* at /[^\s]*$`)

// DjangoDebug recognises a Django debug page, in either form Django sends
// by the request's Accept header: the plain-text traceback (what it sends
// for Accept: application/json) or the HTML page. It returns the page's
// first line or title ("KeyError at /api/accounts/loans/"), which is all
// that may be shown of it: the rest lists the server's paths, settings
// and local variables.
func DjangoDebug(body []byte) (string, bool) {
	head := body
	if len(head) > 64<<10 {
		head = head[:64<<10]
	}
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	if line, _, _ := bytes.Cut(trimmed, []byte("\n")); len(line) > 0 && len(line) <= 300 {
		line = bytes.TrimSpace(line)
		if djangoFirstLine.Match(line) && (bytes.Contains(head, []byte("\nRequest Method:")) || bytes.Contains(head, []byte("Traceback"))) {
			return string(line), true
		}
	}
	if bytes.Contains(head, []byte("<title>")) && (bytes.Contains(head, []byte("Traceback")) || bytes.Contains(head, []byte("technical_500")) || bytes.Contains(head, []byte("Request Method:"))) {
		if t := htmlTitle(head); djangoFirstLine.MatchString(t) {
			return t, true
		}
	}
	return "", false
}

// htmlTitle returns the trimmed <title> of an HTML page (a Django debug
// page names the exception there), bounded to 200 bytes.
func htmlTitle(body []byte) string {
	if len(body) > 64<<10 {
		body = body[:64<<10]
	}
	m := titlePattern.FindSubmatch(body)
	if m == nil {
		return ""
	}
	t := strings.Join(strings.Fields(string(m[1])), " ")
	if len(t) > 200 {
		t = t[:200]
	}
	return t
}

// Foreign tells a 4xx answer that did not come from the API (its body is
// not a JSON object) from the API's own: Django's "no such route" page, a
// DisallowedHost page (the server refused the Host header), a proxy's or
// a firewall's page. It returns the code to report and a message that
// says what the page says (its title or first line) and what to check.
// ok is false for the API's own answers, and for 429 and 413.
func Foreign(status int, p Problem) (code, message string, ok bool) {
	if p.JSON || status < 400 || status > 499 || status == 429 || status == 413 {
		return "", "", false
	}
	page := p.Message
	if page == "" {
		page = "an empty or unreadable page"
	}
	switch {
	case status == 404:
		return "route_not_found", page + " (the server has no such route: check the base URL, or the server's version)", true
	case strings.HasPrefix(page, "DisallowedHost"):
		return "disallowed_host", page + " (the server refused the Host it was sent: check the base URL's host)", true
	}
	return "not_an_api_answer", page + " (not an answer from the API: check the base URL, and any proxy or firewall in between)", true
}
