package merchant_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/merchant"
	"github.com/banklink/banklink-go/merchant/merchanttest"
)

func TestNIPNameEnquiry(t *testing.T) {
	n, srv := newNIP(t)
	acct, err := n.AccountName(context.Background(), " "+merchanttest.NIPAccount+" ", merchanttest.NIPBank)
	require.NoError(t, err)
	assert.Equal(t, merchant.NIPAccount{AccountNumber: "1018996198", AccountName: "NNAJI, JOSHUA & VIVIAN", BankCode: "110000",
		ResponseMessage: "Approved or completed successfully"}, *acct)

	banks, err := n.Banks(context.Background())
	require.NoError(t, err)
	assert.Contains(t, banks, merchant.Bank{Code: "110000", Name: "PROVIDUS BANK"})
	assert.Equal(t, 2, srv.Requests())
}

func TestNIPFailuresUnderEveryStatus(t *testing.T) {
	cases := []struct {
		code string
		msg  string
		kind error
	}{
		{"11", "Error Completing Operation", banklink.ErrServerError},
		{"03", " Exception Occured", banklink.ErrServerError},
		{"01", "Account does not exist", banklink.ErrNotFound},
		{"07", "Invalid Account", banklink.ErrNotFound},
		{"25", "Unable to locate record", banklink.ErrNotFound},
		{"91", "Beneficiary Bank not available", merchant.ErrBankUnavailable},
		{"09", "Request processing in progress", merchant.ErrIndeterminate},
		{"97", "Timeout waiting for response from destination", merchant.ErrIndeterminate},
		{"96", "System malfunction", banklink.ErrServerError},
		{"7709", "Transaction reference exists", banklink.ErrInvalidRequest},
		{"X1", "Something new", nil},
	}
	for _, status := range []int{200, 400, 401, 500} {
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%d/%s", status, tc.code), func(t *testing.T) {
				n, srv := newNIP(t, banklink.WithRetry(banklink.RetryPolicy{MaxRetries: -1}))
				srv.Answer("2222222222", merchanttest.NIPAnswer{Status: status, Code: tc.code, Message: tc.msg})
				_, err := n.AccountName(context.Background(), "2222222222", "110000")
				var e *banklink.Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, status, e.StatusCode)
				assert.Equal(t, tc.code, e.Code)
				assert.Equal(t, tc.msg[len(tc.msg)-len(e.Message):], e.Message, "trimmed")
				assert.NotEqual(t, ' ', e.Message[0])
				switch {
				case status == 401 && tc.code == "11": // how the service refuses credentials
					assert.ErrorIs(t, err, banklink.ErrUnauthorized)
					assert.NotErrorIs(t, err, banklink.ErrServerError)
				case tc.kind != nil:
					assert.ErrorIs(t, err, tc.kind)
				}
				assert.NotContains(t, err.Error(), merchanttest.NIPPassword+`"`)
			})
		}
	}
}

func TestNIPWrongCredentials(t *testing.T) {
	srv := merchanttest.NewNIP()
	defer srv.Close()
	n, err := merchant.NewNIP(banklink.WithBaseURL(srv.URL), merchant.WithNIPCredentials("someone", "nip-secret-canary"))
	require.NoError(t, err)
	defer n.CloseIdleConnections()
	_, err = n.AccountName(context.Background(), merchanttest.NIPAccount, merchanttest.NIPBank)
	var e *banklink.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 401, e.StatusCode)
	assert.Equal(t, "11", e.Code)
	// Regression (#11.2): this was a server error; it is the credentials.
	assert.ErrorIs(t, err, banklink.ErrUnauthorized)
	assert.NotErrorIs(t, err, banklink.ErrServerError)
	assert.NotContains(t, err.Error(), "nip-secret-canary")
}

func TestNIPInvalidInputSendsNothing(t *testing.T) {
	n, srv := newNIP(t)
	for _, in := range [][2]string{
		{"101899619", "110000"}, {"10189961980", "110000"}, {"10189961a8", "110000"}, {"", "110000"},
		{"1018996198", "11000"}, {"1018996198", "1100000"}, {"1018996198", "11000O"},
	} {
		_, err := n.AccountName(context.Background(), in[0], in[1])
		require.ErrorIs(t, err, banklink.ErrInvalidRequest, "%v", in)
		var e *banklink.Error
		require.ErrorAs(t, err, &e)
		assert.Len(t, e.FieldErrors, 1)
	}
	assert.Zero(t, srv.Requests())
}

func TestNIPTestURLNeedsTheInsecureOptIn(t *testing.T) {
	_, err := merchant.NewNIP(banklink.WithBaseURL("http://154.113.16.142:8882/postingrest/"), merchant.WithNIPCredentials("test", "test"))
	require.ErrorIs(t, err, banklink.ErrInsecureURL)
	assert.Contains(t, err.Error(), "WithInsecureHTTP")
	_, err = merchant.NewNIP(banklink.WithBaseURL("http://154.113.16.142:8882/postingrest/"), merchant.WithNIPCredentials("test", "test"), banklink.WithInsecureHTTP())
	require.NoError(t, err)

	_, err = merchant.NewNIP(banklink.WithBaseURL("https://nip.example/"))
	assert.ErrorContains(t, err, "no NIP credentials")
	_, err = merchant.NewNIP(banklink.WithBaseURL("https://nip.example/"), merchant.WithCredentials("a@b.c", "p"))
	assert.ErrorContains(t, err, "belongs to another provider", "a wallet option given to the NIP client")
}
