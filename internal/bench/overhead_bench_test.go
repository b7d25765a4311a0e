package bench

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"testing"

	retryablehttp "github.com/hashicorp/go-retryablehttp"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu"
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
