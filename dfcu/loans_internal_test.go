package dfcu

import (
	"testing"
	"time"
)

// The reflection-free reader takes the answer real servers send, and
// hands anything unusual to encoding/json.
func TestFastLoansTakesTheUsualAnswerOnly(t *testing.T) {
	usual := `{"response": {"customer_id": "C001", "customer_name": "Paul Logan", "customer_account": "1002000989",
		"customer_loans": [{"loan_id": "L000001", "disbursement_date": "2023-03-01T12:09:05Z", "outstanding_amount": 2000000}]}}`
	got, ok := fastLoans([]byte(usual), "1002000989")
	if !ok {
		t.Fatal("the usual answer was not read")
	}
	want := Loan{ID: "L000001", Disbursed: time.Date(2023, 3, 1, 12, 9, 5, 0, time.UTC), Outstanding: 2000000}
	if got.CustomerID != "C001" || got.CustomerName != "Paul Logan" || got.Account != "1002000989" || len(got.Loans) != 1 || got.Loans[0] != want {
		t.Fatalf("read as %+v", got)
	}
	for _, unusual := range []string{
		`{"response": "No Loans found for account - 6010105070"}`,
		`{"response": {"customer_id": 7}}`,
		`{"response": {"customer_name": "Ren\u00e9e"}}`,
		`{"response": {"customer_loans": [{"loan_id": "L1", "disbursement_date": "2023-03-01", "outstanding_amount": 1}]}}`,
		`{"response": {"customer_loans": [{"loan_id": "L1", "disbursement_date": "2023-03-01T00:00:00Z", "outstanding_amount": 1500.00}]}}`,
		`{"response": {"customer_loans": [{"loan_id": "L1", "disbursement_date": "2023-03-01T00:00:00Z"}]}}`,
		`{"response": null}`, `{}`, `{"response": {}} {}`,
	} {
		if got, ok := fastLoans([]byte(unusual), "1002000989"); ok {
			t.Errorf("%s: read as %+v", unusual, got)
		}
	}
}
