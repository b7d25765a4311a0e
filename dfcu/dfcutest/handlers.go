package dfcutest

import (
	"fmt"
	"net/http"
	"time"

	"github.com/banklink/banklink-go/internal/fake"
)

func (s *Server) routes() http.Handler {
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
	name, pass := fake.CharField(m["username"]), fake.CharField(m["password"])
	id, ok := s.login(name, pass)
	if !ok {
		fake.WriteJSON(w, http.StatusUnauthorized, fake.Detail{Detail: "No active account found with the given credentials"})
		return
	}
	fake.WriteJSON(w, http.StatusOK, fake.Object{{Key: "refresh", Value: s.jwt.Issue("refresh", id)}, {Key: "access", Value: s.jwt.Issue("access", id)}})
}

// login checks a user's password under the lock and returns its id.
func (s *Server) login(name, pass string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[name]
	if u == nil || u.deleted || u.password != pass {
		return 0, false
	}
	return u.id, true
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

// loans answers as the reference view does: it reads request.data["account"]
// (a KeyError for JSON, a MultiValueDictKeyError for a form when absent),
// answers every outcome with HTTP 200 and Python's separators, and builds
// its messages by concatenation, so a JSON number for an unknown account
// or one without loans is a TypeError.
func (s *Server) loans(w http.ResponseWriter, r *http.Request) {
	if !s.authenticate(w, r) || !fake.MethodAllowed(w, r, http.MethodPost) {
		return
	}
	d, ok := fake.ParseData(w, r)
	if !ok {
		return
	}
	raw, present := d.Values["account"]
	if !present {
		if d.Form {
			fake.DebugPage(w, r, "MultiValueDictKeyError")
		} else {
			fake.DebugPage(w, r, "KeyError")
		}
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
		fake.WritePythonJSON(w, http.StatusOK, map[string]string{"response": "You need to provide account number."})
		return
	}
	s.mu.Lock()
	a, known := s.accounts[number]
	s.mu.Unlock()
	switch {
	case (!known || len(a.Loans) == 0) && isNumber:
		fake.DebugPage(w, r, "TypeError") // "…(" + int + ")…"
	case !known:
		fake.WritePythonJSON(w, http.StatusOK, map[string]string{"response": "An error ocurred. The Account number (" + number + ") provided does not exist."})
	case len(a.Loans) == 0:
		fake.WritePythonJSON(w, http.StatusOK, map[string]string{"response": "No Loans found for account - " + number})
	default:
		loans := make([]wireLoan, len(a.Loans))
		for i, l := range a.Loans {
			loans[i] = wireLoan{LoanID: l.ID, DisbursementDate: l.Disbursed.UTC().Format(time.RFC3339), OutstandingAmount: l.Outstanding}
		}
		fake.WritePythonJSON(w, http.StatusOK, map[string]any{"response": fake.Object{
			{Key: "customer_id", Value: a.CustomerID}, {Key: "customer_name", Value: a.CustomerName},
			{Key: "customer_account", Value: a.Number}, {Key: "customer_loans", Value: loans},
		}})
	}
}
