package dfcutest

import (
	"fmt"
	"net/http"
	"time"

	"github.com/banklink/banklink-go/internal/fake"
)

func (s *Server) handler() http.Handler {
	return fake.Routes(map[string]http.HandlerFunc{
		"/token/":              s.Route(RouteToken, s.token),
		"/token/refresh/":      s.Route(RouteRefresh, s.refresh),
		"/api/accounts/loans/": s.Route(RouteLoans, s.loans),
	}, nil)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if !fake.MethodAllowed(w, r, http.MethodPost) {
		return
	}
	m, ok := fake.ParseBody(w, r)
	if !ok {
		return
	}
	if errs := fake.FieldErrors(m, "username", "password"); len(errs) > 0 {
		fake.WriteJSON(w, http.StatusBadRequest, errs)
		return
	}
	name, _ := m["username"].(string)
	pass, _ := m["password"].(string)
	s.mu.Lock()
	u := s.users[name]
	s.mu.Unlock()
	if u == nil || u.deleted || u.password != pass {
		fake.WriteJSON(w, http.StatusUnauthorized, fake.Detail{Detail: "No active account found with the given credentials"})
		return
	}
	fake.WriteJSON(w, http.StatusOK, map[string]string{
		"refresh": s.jwt.Issue("refresh", u.id),
		"access":  s.jwt.Issue("access", u.id),
	})
}

func (s *Server) refresh(w http.ResponseWriter, r *http.Request) {
	if !fake.MethodAllowed(w, r, http.MethodPost) {
		return
	}
	if m, ok := fake.ParseBody(w, r); ok {
		s.jwt.Refresh(w, m)
	}
}

// authenticate applies simplejwt's rules and checks the user still exists.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) bool {
	id, ok := s.jwt.Authenticate(w, r)
	if !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if u.id == id && !u.deleted {
			return true
		}
	}
	fake.UserNotFound(w)
	return false
}

type wireLoan struct {
	LoanID            string `json:"loan_id"`
	DisbursementDate  string `json:"disbursement_date"`
	OutstandingAmount int64  `json:"outstanding_amount"`
}

func (s *Server) loans(w http.ResponseWriter, r *http.Request) {
	if !s.authenticate(w, r) || !fake.MethodAllowed(w, r, http.MethodPost) {
		return
	}
	m, ok := fake.ParseBody(w, r)
	if !ok {
		return
	}
	raw, present := m["account"]
	if !present {
		fake.DebugPage(w, "KeyError", r.URL.Path) // the view reads request.data["account"]
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
		fake.WriteJSON(w, http.StatusOK, map[string]string{"response": "You need to provide account number."})
		return
	}
	s.mu.Lock()
	a, known := s.accounts[number]
	s.mu.Unlock()
	switch {
	case !known:
		fake.WriteJSON(w, http.StatusOK, map[string]string{"response": "An error ocurred. The Account number (" + number + ") provided does not exist."})
	case len(a.Loans) == 0 && isNumber:
		fake.DebugPage(w, "TypeError", r.URL.Path) // "No Loans found for account - " + int
	case len(a.Loans) == 0:
		fake.WriteJSON(w, http.StatusOK, map[string]string{"response": "No Loans found for account - " + number})
	default:
		loans := make([]wireLoan, len(a.Loans))
		for i, l := range a.Loans {
			loans[i] = wireLoan{LoanID: l.ID, DisbursementDate: l.Disbursed.UTC().Format(time.RFC3339), OutstandingAmount: l.Outstanding}
		}
		fake.WriteJSON(w, http.StatusOK, map[string]any{"response": map[string]any{
			"customer_id": a.CustomerID, "customer_name": a.CustomerName,
			"customer_account": a.Number, "customer_loans": loans,
		}})
	}
}
