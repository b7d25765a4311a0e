package dfcutest

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"strings"
	"time"
)

func (s *Server) handler() http.Handler {
	routes := map[string]http.HandlerFunc{
		"/token/":              s.Route(RouteToken, s.token),
		"/token/refresh/":      s.Route(RouteRefresh, s.refresh),
		"/api/accounts/loans/": s.Route(RouteLoans, s.loans),
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, ok := routes[r.URL.Path]; ok {
			h(w, r)
			return
		}
		if _, ok := routes[r.URL.Path+"/"]; ok {
			// Django's APPEND_SLASH cannot redirect a POST: a debug 500.
			debugPage(w, "RuntimeError", r.URL.Path)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>Page not found at %s</title></head><body><h1>Page not found (404)</h1></body></html>", html.EscapeString(r.URL.Path))
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type detail struct {
	Detail   string `json:"detail"`
	Code     string `json:"code,omitempty"`
	Messages []any  `json:"messages,omitempty"`
}

// debugPage answers like Django with DEBUG on: a big HTML page naming the
// exception in its <title>.
func debugPage(w http.ResponseWriter, exc, path string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	title := html.EscapeString(exc + " at " + path)
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <meta name=\"robots\" content=\"NONE,NOARCHIVE\">\n  <title>%s</title>\n</head>\n<body>\n<div id=\"summary\"><h1>%s</h1>", title, title)
	io.WriteString(w, strings.Repeat("<tr><td>django/core/handlers/exception.py</td><td>inner</td></tr>\n", 500))
	io.WriteString(w, "</div></body></html>\n")
}

// requireMethod answers 405 like DRF for any method but POST.
func requireMethod(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodPost {
		return true
	}
	writeJSON(w, http.StatusMethodNotAllowed, detail{Detail: fmt.Sprintf("Method \"%s\" not allowed.", r.Method)})
	return false
}

// parseBody reads a JSON or form body into a map, answering DRF's 400 for
// malformed JSON.
func parseBody(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if err := r.ParseForm(); err != nil {
			writeJSON(w, http.StatusBadRequest, detail{Detail: "Form parse error"})
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
	if len(strings.TrimSpace(string(raw))) == 0 {
		return map[string]any{}, true
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		writeJSON(w, http.StatusBadRequest, detail{Detail: "JSON parse error - Expecting value: line 1 column 1 (char 0)"})
		return nil, false
	}
	return m, true
}

// fieldErrors checks required non-blank string fields like a DRF serializer.
func fieldErrors(m map[string]any, fields ...string) map[string][]string {
	errs := map[string][]string{}
	for _, f := range fields {
		v, ok := m[f]
		switch str, isStr := v.(string); {
		case !ok || v == nil:
			errs[f] = []string{"This field is required."}
		case isStr && strings.TrimSpace(str) == "":
			errs[f] = []string{"This field may not be blank."}
		}
	}
	return errs
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if !requireMethod(w, r) {
		return
	}
	m, ok := parseBody(w, r)
	if !ok {
		return
	}
	if errs := fieldErrors(m, "username", "password"); len(errs) > 0 {
		writeJSON(w, http.StatusBadRequest, errs)
		return
	}
	name, _ := m["username"].(string)
	pass, _ := m["password"].(string)
	s.mu.Lock()
	u := s.users[name]
	s.mu.Unlock()
	if u == nil || u.deleted || u.password != pass {
		writeJSON(w, http.StatusUnauthorized, detail{Detail: "No active account found with the given credentials"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{
		"refresh": s.issue("refresh", u.id, s.refreshTTL),
		"access":  s.issue("access", u.id, s.accessTTL),
	})
}

func (s *Server) refresh(w http.ResponseWriter, r *http.Request) {
	if !requireMethod(w, r) {
		return
	}
	m, ok := parseBody(w, r)
	if !ok {
		return
	}
	if errs := fieldErrors(m, "refresh"); len(errs) > 0 {
		writeJSON(w, http.StatusBadRequest, errs)
		return
	}
	tok, _ := m["refresh"].(string)
	c, err := verify(s.secret, tok, "refresh", time.Now())
	if err != nil || s.isRevoked(c.JTI) {
		writeJSON(w, http.StatusUnauthorized, detail{Detail: "Token is invalid or expired", Code: "token_not_valid"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"access": s.issue("access", c.UserID, s.accessTTL)})
}

func (s *Server) isRevoked(jti string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.revoked[jti]
}

// authenticate applies simplejwt's rules: only "Bearer" (case-sensitive),
// a valid unexpired access token, an existing user.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) bool {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(tok) == "" {
		writeJSON(w, http.StatusUnauthorized, detail{Detail: "Authentication credentials were not provided."})
		return false
	}
	c, err := verify(s.secret, tok, "access", time.Now())
	if err != nil || s.isRevoked(c.JTI) {
		writeJSON(w, http.StatusUnauthorized, detail{
			Detail: "Given token not valid for any token type", Code: "token_not_valid",
			Messages: []any{map[string]string{"token_class": "AccessToken", "token_type": "access", "message": "Token is invalid or expired"}},
		})
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if u.id == c.UserID && !u.deleted {
			return true
		}
	}
	writeJSON(w, http.StatusUnauthorized, detail{Detail: "User not found", Code: "user_not_found"})
	return false
}

type wireLoan struct {
	LoanID            string `json:"loan_id"`
	DisbursementDate  string `json:"disbursement_date"`
	OutstandingAmount int64  `json:"outstanding_amount"`
}

func (s *Server) loans(w http.ResponseWriter, r *http.Request) {
	if !s.authenticate(w, r) || !requireMethod(w, r) {
		return
	}
	m, ok := parseBody(w, r)
	if !ok {
		return
	}
	raw, present := m["account"]
	if !present {
		debugPage(w, "KeyError", r.URL.Path) // the view reads request.data["account"]
		return
	}
	var number string
	isNumber := false
	switch v := raw.(type) {
	case string:
		number = v // not trimmed: " 1002000989" is unknown
	case float64:
		number, isNumber = fmt.Sprintf("%.0f", v), true
	}
	if number == "" {
		writeJSON(w, http.StatusOK, map[string]string{"response": "You need to provide account number."})
		return
	}
	s.mu.Lock()
	a, known := s.accounts[number]
	s.mu.Unlock()
	switch {
	case !known:
		writeJSON(w, http.StatusOK, map[string]string{"response": "An error ocurred. The Account number (" + number + ") provided does not exist."})
	case len(a.Loans) == 0 && isNumber:
		debugPage(w, "TypeError", r.URL.Path) // "No Loans found for account - " + int
	case len(a.Loans) == 0:
		writeJSON(w, http.StatusOK, map[string]string{"response": "No Loans found for account - " + number})
	default:
		loans := make([]wireLoan, len(a.Loans))
		for i, l := range a.Loans {
			loans[i] = wireLoan{LoanID: l.ID, DisbursementDate: l.Disbursed.UTC().Format(time.RFC3339), OutstandingAmount: l.Outstanding}
		}
		writeJSON(w, http.StatusOK, map[string]any{"response": map[string]any{
			"customer_id": a.CustomerID, "customer_name": a.CustomerName,
			"customer_account": a.Number, "customer_loans": loans,
		}})
	}
}
