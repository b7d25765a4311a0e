package bench

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	retryablehttp "github.com/hashicorp/go-retryablehttp"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/fintiv"
	"github.com/banklink/banklink-go/fintract"
	"github.com/banklink/banklink-go/merchant"
)

// canned answers every request in memory, as a server would, after
// draining its body: what remains is only what the client itself does.
type canned struct{ header http.Header }

func (c canned) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	if req.Header.Get("Authorization") != "Bearer "+access {
		return &http.Response{StatusCode: http.StatusUnauthorized, Header: http.Header{}, Body: http.NoBody, Request: req}, nil
	}
	return &http.Response{
		StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: c.header, ContentLength: int64(len(loansBody)),
		Body: io.NopCloser(bytes.NewReader([]byte(loansBody))), Request: req,
	}, nil
}

func newCanned() canned {
	return canned{header: http.Header{"Content-Type": {"application/json"}, "Content-Length": {strconv.Itoa(len(loansBody))}}}
}

// BenchmarkOverhead: the loans call through each client over an in-memory
// RoundTripper. No network and no server: the time is the client's own.
func BenchmarkOverhead(b *testing.B) {
	const url = "http://127.0.0.1:1/api/accounts/loans/"
	clients := map[string]call{}
	clients["raw"] = rawLoans(&http.Client{Transport: newCanned()}, url)
	rc := retryablehttp.NewClient()
	rc.Logger = nil
	rc.HTTPClient = &http.Client{Transport: newCanned()}
	clients["retryablehttp"] = retryableLoans(rc, url)
	c, err := dfcu.New(banklink.WithBaseURL("http://127.0.0.1:1"), banklink.WithTransport(newCanned()),
		dfcu.WithSession(dfcu.Session{Access: access, Refresh: refresh}))
	if err != nil {
		b.Fatal(err)
	}
	clients["banklink"] = func(ctx context.Context) error {
		_, err := c.Loans(ctx, "1002000989")
		return err
	}
	for _, name := range rotate([]string{"raw", "retryablehttp", "banklink"}) {
		b.Run(name, func(b *testing.B) { run(b, 1, clients[name]) })
	}
}

// fixed answers every request in memory with one body, as canned does.
type fixed struct{ body string }

func (f fixed) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return &http.Response{
		StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}}, ContentLength: int64(len(f.body)),
		Body: io.NopCloser(strings.NewReader(f.body)), Request: req,
	}, nil
}

// BenchmarkProvidersInMemory: one call of each other provider and the same
// request by hand, over an in-memory RoundTripper: each client's own cost.
func BenchmarkProvidersInMemory(b *testing.B) {
	const base = "http://127.0.0.1:1"
	bearer := map[string]string{"Authorization": "Bearer " + access}
	fc, err := fintract.New(banklink.WithBaseURL(base), banklink.WithTransport(fixed{infoBody}), fintract.WithSession(fintract.Session{Access: access, Refresh: refresh}))
	if err != nil {
		b.Fatal(err)
	}
	vc, err := fintiv.New(banklink.WithBaseURL(base), banklink.WithTransport(fixed{myinfoBody}), fintiv.WithAPIKey(apiKey), fintiv.WithSession(fintiv.Session{Access: access, Refresh: refresh}))
	if err != nil {
		b.Fatal(err)
	}
	mc, err := merchant.New(banklink.WithBaseURL(base+"/api/v1/"), banklink.WithTransport(fixed{profileBody}), merchant.WithSession(merchant.Session{Access: access, Refresh: refresh}))
	if err != nil {
		b.Fatal(err)
	}
	providers := []struct {
		name          string
		raw, banklink call
	}{
		{"fintract-UserInfo", rawVia[rawInfo](fixed{infoBody}, base+"/auth/info/93/", bearer), func(ctx context.Context) error {
			_, err := fc.UserInfo(ctx, 93)
			return err
		}},
		{"fintiv-Me", rawVia[rawMyinfo](fixed{myinfoBody}, base+"/auth/api/myinfo", map[string]string{"Authorization": "Bearer " + access, "api-key": apiKey}), func(ctx context.Context) error {
			_, err := vc.Me(ctx)
			return err
		}},
		{"merchant-Do", rawVia[rawProfile](fixed{profileBody}, base+"/api/v1/merchant/profile", map[string]string{"X-Access-Token": access, "X-Refresh-Token": refresh}), func(ctx context.Context) error {
			_, err := merchant.Do[merchant.Merchant](ctx, mc, banklink.Request{Method: http.MethodGet, Path: "/merchant/profile", Auth: true})
			return err
		}},
	}
	for _, p := range providers {
		runs := []func(){
			func() { b.Run(p.name+"/raw", func(b *testing.B) { run(b, 1, p.raw) }) },
			func() { b.Run(p.name+"/banklink", func(b *testing.B) { run(b, 1, p.banklink) }) },
		}
		for _, r := range rotate(runs) {
			r()
		}
	}
}
