package fake

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"strings"
)

// DebugPage answers like Django with DEBUG on after an exception: a 500
// HTML page of tens of KB naming the exception in its <title>.
func DebugPage(w http.ResponseWriter, exc, path string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	title := html.EscapeString(exc + " at " + path)
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <meta name=\"robots\" content=\"NONE,NOARCHIVE\">\n  <title>%s</title>\n</head>\n<body>\n<div id=\"summary\"><h1>%s</h1>", title, title)
	_, _ = io.WriteString(w, strings.Repeat("<tr><td>django/core/handlers/exception.py</td><td>inner</td></tr>\n", 500))
	_, _ = io.WriteString(w, "</div></body></html>\n")
}

// NotFoundPage answers Django's debug 404 page.
func NotFoundPage(w http.ResponseWriter, path string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>Page not found at %s</title></head><body><h1>Page not found (404)</h1></body></html>", html.EscapeString(path))
}

// Routes serves exact paths, and answers like Django for the rest: a path
// missing its trailing slash gets the APPEND_SLASH debug 500 (a POST cannot
// be redirected), anything else the debug 404. match, when set, maps a
// path with parameters (e.g. /auth/info/93/) to a route key.
func Routes(routes map[string]http.HandlerFunc, match func(path string) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Path
		if match != nil {
			if k := match(key); k != "" {
				key = k
			}
		}
		if h, ok := routes[key]; ok {
			h(w, r)
			return
		}
		if _, ok := routes[key+"/"]; ok || (match != nil && match(r.URL.Path+"/") != "") {
			DebugPage(w, "RuntimeError", r.URL.Path)
			return
		}
		NotFoundPage(w, r.URL.Path)
	})
}

// MethodAllowed answers DRF's 405 unless r uses method.
func MethodAllowed(w http.ResponseWriter, r *http.Request, method string) bool {
	if r.Method == method {
		return true
	}
	WriteJSON(w, http.StatusMethodNotAllowed, Detail{Detail: fmt.Sprintf("Method \"%s\" not allowed.", r.Method)})
	return false
}

// ParseBody reads a JSON or form body into a map, answering DRF's 400 for
// malformed JSON. An empty body is an empty map.
func ParseBody(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if err := r.ParseForm(); err != nil {
			WriteJSON(w, http.StatusBadRequest, Detail{Detail: "Form parse error"})
			return nil, false
		}
		m := map[string]any{}
		for k, v := range r.PostForm {
			m[k] = v[0]
		}
		return m, true
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, false
	}
	if strings.TrimSpace(string(raw)) == "" {
		return map[string]any{}, true
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		WriteJSON(w, http.StatusBadRequest, Detail{Detail: "JSON parse error - Expecting value: line 1 column 1 (char 0)"})
		return nil, false
	}
	return m, true
}

// FieldErrors checks required non-blank fields like a DRF serializer.
func FieldErrors(m map[string]any, fields ...string) map[string][]string {
	errs := map[string][]string{}
	for _, f := range fields {
		v, ok := m[f]
		switch s, isStr := v.(string); {
		case !ok || v == nil:
			errs[f] = []string{"This field is required."}
		case isStr && strings.TrimSpace(s) == "":
			errs[f] = []string{"This field may not be blank."}
		}
	}
	return errs
}
