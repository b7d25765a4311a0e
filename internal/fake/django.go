package fake

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
)

// acceptsHTML reports whether Django's request.accepts("text/html") holds:
// no Accept header, or one naming text/html, text/* or */*.
func acceptsHTML(r *http.Request) bool {
	accept := r.Header.Values("Accept")
	if len(accept) == 0 {
		return true
	}
	for _, v := range accept {
		for _, part := range strings.Split(v, ",") {
			mt, _, _ := mime.ParseMediaType(strings.TrimSpace(part))
			switch mt {
			case "text/html", "text/*", "*/*":
				return true
			}
		}
	}
	return false
}

// DebugPage answers like Django with DEBUG on after an exception, in the
// form Django picks by the Accept header: a 500 HTML page of tens of KB
// naming the exception in its <title>, or for a client that does not
// accept HTML (Accept: application/json) the plain-text traceback whose
// first line names it. Neither holds a real path or setting.
func DebugPage(w http.ResponseWriter, r *http.Request, exc string) {
	title := exc + " at " + r.URL.Path
	if !acceptsHTML(r) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, "%s\n\nRequest Method: %s\nRequest URL: http://%s%s\nDjango Version: 4.1\n\nTraceback (most recent call last):\n  File \"django/core/handlers/exception.py\", line 55, in inner\n    response = get_response(request)\n%s\n",
			title, r.Method, r.Host, r.URL.Path, exc)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	t := html.EscapeString(title)
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <meta name=\"robots\" content=\"NONE,NOARCHIVE\">\n  <title>%s</title>\n</head>\n<body>\n<div id=\"summary\"><h1>%s</h1>", t, t)
	_, _ = io.WriteString(w, strings.Repeat("<tr><td>django/core/handlers/exception.py</td><td>inner</td></tr>\n", 500))
	_, _ = io.WriteString(w, "</div></body></html>\n")
}

// NotFoundPage answers Django's debug 404 page.
func NotFoundPage(w http.ResponseWriter, path string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>Page not found at %s</title></head><body><h1>Page not found (404)</h1></body></html>", html.EscapeString(path))
}

// Routes serves exact paths, and answers like Django's CommonMiddleware
// for the rest: a path missing its trailing slash is redirected (301) to
// the path with it, except that a POST, PUT or PATCH gets the debug 500
// (the body could not follow); anything else gets the debug 404. match,
// when set, maps a path with parameters (e.g. /auth/info/93/) to a route
// key.
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
			switch r.Method {
			case http.MethodPost, http.MethodPut, http.MethodPatch:
				DebugPage(w, r, "RuntimeError")
			default:
				loc := r.URL.EscapedPath() + "/"
				if r.URL.RawQuery != "" {
					loc += "?" + r.URL.RawQuery
				}
				w.Header().Set("Location", loc)
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.WriteHeader(http.StatusMovedPermanently)
			}
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

// Data is a request body as DRF's parsers give it to a view.
type Data struct {
	Values map[string]any
	// Form is a form or multipart body (a QueryDict: a missing key is a
	// MultiValueDictKeyError, not a KeyError).
	Form bool
}

// ParseBody reads a body into a map; see ParseData.
func ParseBody(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	d, ok := ParseData(w, r)
	return d.Values, ok
}

// ParseData parses a body as DRF's default parsers do: JSON, form and
// multipart (first value of each field); an empty body is empty data
// whatever its type; any other media type is DRF's 415, and malformed JSON
// its 400 with Python's parse error message.
func ParseData(w http.ResponseWriter, r *http.Request) (Data, bool) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		return Data{}, false
	}
	ct := r.Header.Get("Content-Type")
	mt, params, _ := mime.ParseMediaType(ct)
	form := mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data"
	if len(raw) == 0 {
		return Data{Values: map[string]any{}, Form: form}, true
	}
	switch mt {
	case "application/json":
		var m map[string]any
		if msg := PythonJSONError(raw); msg != "" {
			WriteJSON(w, http.StatusBadRequest, Detail{Detail: "JSON parse error - " + msg})
			return Data{}, false
		}
		if err := json.Unmarshal(raw, &m); err != nil || m == nil {
			m = map[string]any{} // valid JSON that is not an object: request.data is not a dict
		}
		return Data{Values: m}, true
	case "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(raw))
		if err != nil {
			WriteJSON(w, http.StatusBadRequest, Detail{Detail: "Form parse error"})
			return Data{}, false
		}
		return Data{Values: first(vals), Form: true}, true
	case "multipart/form-data":
		mr := multipart.NewReader(strings.NewReader(string(raw)), params["boundary"])
		f, err := mr.ReadForm(8 << 20)
		if err != nil {
			WriteJSON(w, http.StatusBadRequest, Detail{Detail: "Multipart form parse error - Invalid boundary in multipart: None"})
			return Data{}, false
		}
		defer f.RemoveAll()
		return Data{Values: first(f.Value), Form: true}, true
	}
	WriteJSON(w, http.StatusUnsupportedMediaType, Detail{Detail: fmt.Sprintf("Unsupported media type \"%s\" in request.", ct)})
	return Data{}, false
}

func first(vals map[string][]string) map[string]any {
	m := make(map[string]any, len(vals))
	for k, v := range vals {
		if len(v) > 0 {
			m[k] = v[0]
		}
	}
	return m
}

// FieldErrors checks required CharFields like a DRF serializer, in the
// fields' order: missing ("This field is required."), null, blank, or not
// a string.
func FieldErrors(m map[string]any, fields ...string) Object {
	var errs Object
	for _, f := range fields {
		v, ok := m[f]
		var msg string
		switch s := v.(type) {
		case nil:
			msg = "This field may not be null."
			if !ok {
				msg = "This field is required."
			}
		case string:
			if strings.TrimSpace(s) == "" {
				msg = "This field may not be blank."
			}
		case float64:
		default:
			msg = "Not a valid string."
		}
		if msg != "" {
			errs = append(errs, Field{f, []string{msg}})
		}
	}
	return errs
}

// CharField is a value as DRF's CharField gives it: strings trimmed, numbers
// in their JSON form.
func CharField(v any) string {
	switch s := v.(type) {
	case string:
		return strings.TrimSpace(s)
	case float64:
		b, _ := json.Marshal(s)
		return string(b)
	}
	return ""
}
