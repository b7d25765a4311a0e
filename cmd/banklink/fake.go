package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/banklink/banklink-go/banklinktest"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
	"github.com/banklink/banklink-go/fintiv/fintivtest"
	"github.com/banklink/banklink-go/fintract/fintracttest"
	"github.com/banklink/banklink-go/merchant/merchanttest"
)

// fakeFlags are banklink fake's switches: those of the <provider>test
// packages.
type fakeFlags struct {
	addr                string
	portEach            bool
	latency             time.Duration
	faults              []string
	dfcuTTL             time.Duration
	fintractTTL         time.Duration
	fintivTTL           time.Duration
	merchantTTL         time.Duration
	merchantRotate      bool
	merchantRefusal     int
	fintivSecurityAs200 bool
}

func fakeCmd(e *env) *cobra.Command {
	var f fakeFlags
	c := &cobra.Command{
		Use:   "fake",
		Short: "Serve the four providers' fakes, with faults and counters under your control",
		Long: `fake serves the fakes of every provider, as the <provider>test packages run
them in Go tests: the same answers, quirks included. By default all are on one
address, under a path each:

  DFCU       http://ADDR/dfcu/
  Fintract   http://ADDR/fintract/
  Fintiv     http://ADDR/fintiv/
  Merchant   http://ADDR/merchant/api/v1/
  NIP        http://ADDR/nip/postingrest/

With --port-each they get a port each instead, after the --addr port (with
8080: DFCU on 8081, then Fintract, Fintiv, the merchant wallet and NIP; with
port 0, free ones); the control endpoint stays on --addr. It prints the base URLs and
the demo credentials, and stops on Ctrl-C or SIGTERM.

A JSON control endpoint on ADDR changes the fakes while they run:

  GET  /_banklink/calls                    requests per provider and route
  POST /_banklink/faults                   {"provider":"dfcu","route":"loans","faults":[{"status":503},{"drop":true}]}
  POST /_banklink/expire                   {"provider":"dfcu"}: every access token issued so far expires
  POST /_banklink/revoke                   {"provider":"dfcu"}: every refresh token issued so far is refused
  POST /_banklink/latency                  {"provider":"dfcu","latency":"250ms"}
  POST /_banklink/reset                    {"provider":"dfcu"}: counters back to zero
  GET  /_banklink/fintract/otp?email=E     the OTP the Fintract fake last sent to E

A fault is {"status", "body", "content_type", "retry_after", "delay", "drop",
"cut_after", "pass"} as banklinktest.Fault documents; provider "" or a
route of "" means any. The endpoint answers only requests addressed to
it by an IP address or "localhost" on its port (no other Host: a web
page cannot reach it by DNS rebinding), and POSTs with Content-Type
application/json (a cross-site form cannot send one). Clients of the SDK need banklink.WithInsecureHTTP to
reach a fake on a host that is not this machine (plain http).`,
		Example: `  banklink fake
  banklink fake --addr 0.0.0.0:8080 --merchant-token-ttl 30s --fault dfcu:loans:503:2
  curl -X POST localhost:8080/_banklink/faults -H 'Content-Type: application/json' -d '{"provider":"dfcu","route":"loans","faults":[{"status":503}]}'`,
		Args: exactArgs(),
		RunE: func(c *cobra.Command, _ []string) error { return serveFakes(c.Context(), e, f) },
	}
	fl := c.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8080", "address to serve on (host:port; port 0 picks a free one)")
	fl.BoolVar(&f.portEach, "port-each", false, "serve each provider on a port of its own: the --addr port + 1, + 2, … (any free ones with port 0)")
	fl.DurationVar(&f.latency, "latency", 0, "delay every answer of every fake by this much")
	fl.StringArrayVar(&f.faults, "fault", nil, "inject faults at start: provider:route:status[:count] (repeatable; route \"\" for any)")
	fl.DurationVar(&f.dfcuTTL, "dfcu-token-ttl", 0, "DFCU access token lifetime (0: the fake's default)")
	fl.DurationVar(&f.fintractTTL, "fintract-token-ttl", 0, "Fintract access token lifetime (0: the fake's default, 5m)")
	fl.DurationVar(&f.fintivTTL, "fintiv-token-ttl", 0, "Fintiv access token lifetime, sent as expires_in (0: 3599s)")
	fl.DurationVar(&f.merchantTTL, "merchant-token-ttl", 0, "merchant wallet access token lifetime (0: never expires)")
	fl.BoolVar(&f.merchantRotate, "merchant-rotate-every-answer", false, "the wallet hands out a new token pair on every answer")
	fl.IntVar(&f.merchantRefusal, "merchant-refusal-status", 0, "HTTP status of a refused wallet session (0: 401)")
	fl.BoolVar(&f.fintivSecurityAs200, "fintiv-security-as-200", false, "Fintiv answers token problems with HTTP 200 and statusCode SECURITY")
	return c
}

// service is one fake behind the front.
type service struct {
	name     string
	prefix   string // the path it is served under, on one address
	base     string // the SDK's base path under the fake's root
	target   *url.URL
	controls *banklinktest.Controls
	expire   func()
	revoke   func()
	env      []string // the variables of the examples, with their demo values
	public   string   // the base URL to give the SDK, once served
}

// fakeSet is every running fake.
type fakeSet struct {
	services []*service
	fintract *fintracttest.Server
	closers  []func()
}

func startFakes(f fakeFlags) (*fakeSet, error) {
	var dfcuOpts []dfcutest.Option
	if f.dfcuTTL > 0 {
		dfcuOpts = append(dfcuOpts, dfcutest.WithTokenLifetimes(f.dfcuTTL, 0))
	}
	var fintractOpts []fintracttest.Option
	if f.fintractTTL > 0 {
		fintractOpts = append(fintractOpts, fintracttest.WithTokenLifetimes(f.fintractTTL, 0))
	}
	var fintivOpts []fintivtest.Option
	if f.fintivTTL > 0 {
		fintivOpts = append(fintivOpts, fintivtest.WithTokenLifetimes(f.fintivTTL, 0))
	}
	if f.fintivSecurityAs200 {
		fintivOpts = append(fintivOpts, fintivtest.WithSecurityAs200())
	}
	var walletOpts []merchanttest.Option
	if f.merchantTTL > 0 {
		walletOpts = append(walletOpts, merchanttest.WithTokenLifetimes(f.merchantTTL, 0))
	}
	if f.merchantRotate {
		walletOpts = append(walletOpts, merchanttest.WithRotationOnEveryAnswer())
	}
	if f.merchantRefusal != 0 {
		walletOpts = append(walletOpts, merchanttest.WithRefusalStatus(f.merchantRefusal))
	}
	d := dfcutest.NewServer(dfcuOpts...)
	ft := fintracttest.NewServer(fintractOpts...)
	fv := fintivtest.NewServer(fintivOpts...)
	w := merchanttest.NewWallet(walletOpts...)
	n := merchanttest.NewNIP()
	set := &fakeSet{fintract: ft, closers: []func(){d.Close, ft.Close, fv.Close, w.Close, n.Close}}
	add := func(name, prefix, rawURL string, c *banklinktest.Controls, expire, revoke func(), env ...string) {
		u, _ := url.Parse(rawURL)
		base := u.Path
		u.Path = ""
		set.services = append(set.services, &service{name: name, prefix: prefix, base: base, target: u, controls: c, expire: expire, revoke: revoke, env: env})
	}
	add("dfcu", "/dfcu", d.URL, &d.Controls, d.ExpireAccessTokens, d.RevokeRefreshTokens,
		"DFCU_USERNAME="+dfcutest.DefaultUsername, "DFCU_PASSWORD="+dfcutest.DefaultPassword, "DFCU_ACCOUNT="+dfcutest.AccountWithLoans)
	add("fintract", "/fintract", ft.URL, &ft.Controls, ft.ExpireAccessTokens, ft.RevokeRefreshTokens,
		"FINTRACT_EMAIL="+fintracttest.CustomerEmail, "FINTRACT_PASSWORD="+fintracttest.CustomerPassword)
	add("fintiv", "/fintiv", fv.URL, &fv.Controls, fv.ExpireAccessTokens, fv.RevokeRefreshTokens,
		"FINTIV_API_KEY="+fintivtest.APIKey, "FINTIV_TENANT="+fintivtest.Tenant, "FINTIV_USERNAME="+fintivtest.Username, "FINTIV_PASSWORD="+fintivtest.Password)
	add("merchant", "/merchant", w.URL, &w.Controls, w.ExpireAccessTokens, w.RevokeRefreshTokens,
		"MERCHANT_EMAIL="+merchanttest.Email, "MERCHANT_PASSWORD="+merchanttest.Password)
	add("nip", "/nip", n.URL, &n.Controls, nil, nil,
		"NIP_USERNAME="+merchanttest.NIPUsername, "NIP_PASSWORD="+merchanttest.NIPPassword, "NIP_ACCOUNT="+merchanttest.NIPAccount, "NIP_BANK="+merchanttest.NIPBank)
	for _, s := range set.services {
		s.controls.SetLatency(f.latency)
	}
	for _, spec := range f.faults {
		if err := set.injectSpec(spec); err != nil {
			set.close()
			return nil, err
		}
	}
	return set, nil
}

func (s *fakeSet) close() {
	for _, c := range s.closers {
		c()
	}
}

// service returns the named fake ("" or unknown: nil).
func (s *fakeSet) service(name string) *service {
	for _, svc := range s.services {
		if svc.name == name {
			return svc
		}
	}
	return nil
}

// injectSpec injects provider:route:status[:count].
func (s *fakeSet) injectSpec(spec string) error {
	parts := strings.Split(spec, ":")
	if len(parts) < 3 || len(parts) > 4 {
		return usagef("--fault %q: want provider:route:status[:count]", spec)
	}
	svc := s.service(parts[0])
	if svc == nil {
		return usagef("--fault %q: no provider %q (dfcu, fintract, fintiv, merchant, nip)", spec, parts[0])
	}
	status, err := strconv.Atoi(parts[2])
	if err != nil || status < 100 || status > 599 {
		return usagef("--fault %q: %q is not an HTTP status", spec, parts[2])
	}
	count := 1
	if len(parts) == 4 {
		if count, err = strconv.Atoi(parts[3]); err != nil || count < 1 {
			return usagef("--fault %q: %q is not a count", spec, parts[3])
		}
	}
	faults := make([]banklinktest.Fault, count)
	for i := range faults {
		faults[i] = banklinktest.Fault{Status: status}
	}
	svc.controls.InjectFaults(parts[1], faults...)
	return nil
}

// proxy serves svc (its paths under strip) from its fake. A dropped
// connection at the fake is a dropped connection here too, not a 502.
func proxy(svc *service, strip string) http.Handler {
	return &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(svc.target)
			r.Out.URL.Path = strings.TrimPrefix(r.In.URL.Path, strip)
			r.Out.URL.RawPath = ""
		},
		ModifyResponse: func(resp *http.Response) error {
			if loc := resp.Header.Get("Location"); strings.HasPrefix(loc, svc.target.String()) {
				resp.Header.Set("Location", strip+strings.TrimPrefix(loc, svc.target.String()))
			}
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if hj, ok := w.(http.Hijacker); ok && !errors.Is(r.Context().Err(), context.Canceled) {
				if conn, _, herr := hj.Hijack(); herr == nil {
					conn.Close()
					return
				}
			}
			w.WriteHeader(http.StatusBadGateway)
		},
	}
}

func serveFakes(ctx context.Context, e *env, f fakeFlags) error {
	set, err := startFakes(f)
	if err != nil {
		return err
	}
	defer set.close()
	front := http.NewServeMux()
	var servers []*http.Server
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", f.addr, err)
	}
	host := ln.Addr().(*net.TCPAddr)
	front.Handle("/_banklink/", controlGuard(host.Port, controlHandler(set)))
	public := func(port int) string {
		h := host.IP.String()
		if host.IP.IsUnspecified() {
			h = "127.0.0.1"
		}
		return "http://" + net.JoinHostPort(h, strconv.Itoa(port))
	}
	servers = append(servers, &http.Server{Handler: front, ReadHeaderTimeout: 10 * time.Second})
	listeners := []net.Listener{ln}
	for i, svc := range set.services {
		if !f.portEach {
			front.Handle(svc.prefix+"/", proxy(svc, svc.prefix))
			svc.public = public(host.Port) + svc.prefix + svc.base
			continue
		}
		port := 0
		if requested := portOf(f.addr); requested != 0 {
			port = requested + 1 + i
		}
		l, err := net.Listen("tcp", net.JoinHostPort(host.IP.String(), strconv.Itoa(port)))
		if err != nil {
			for _, l := range listeners {
				l.Close()
			}
			return fmt.Errorf("listening for %s: %w", svc.name, err)
		}
		listeners = append(listeners, l)
		servers = append(servers, &http.Server{Handler: proxy(svc, ""), ReadHeaderTimeout: 10 * time.Second})
		svc.public = public(l.Addr().(*net.TCPAddr).Port) + svc.base
	}
	if err := printFakes(e, set, public(host.Port)); err != nil {
		return err
	}
	errs := make(chan error, len(servers))
	for i, s := range servers {
		go func() { errs <- s.Serve(listeners[i]) }()
	}
	select {
	case <-ctx.Done():
	case err := <-errs:
		return err
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, s := range servers {
		_ = s.Shutdown(shutdown)
	}
	if !e.json {
		fmt.Fprintln(e.errOut, "banklink fake: stopped")
	}
	return nil
}

// printFakes prints the base URLs and demo credentials (as JSON with
// --json: one object, for scripts to read).
func printFakes(e *env, set *fakeSet, front string) error {
	type fakeInfo struct {
		BaseURL string            `json:"base_url"`
		Env     map[string]string `json:"env"`
	}
	out := map[string]any{"control": front + "/_banklink/"}
	rows := [][]string{{"PROVIDER", "BASE URL", "DEMO CREDENTIALS (environment of the examples)"}}
	for _, svc := range set.services {
		vars := map[string]string{baseVar(svc.name): svc.public}
		for _, kv := range svc.env {
			k, v, _ := strings.Cut(kv, "=")
			vars[k] = v
		}
		out[svc.name] = fakeInfo{BaseURL: svc.public, Env: vars}
		rows = append(rows, []string{svc.name, svc.public, strings.Join(svc.env, " ")})
	}
	rows = append(rows, []string{"control", front + "/_banklink/", "see banklink fake --help"})
	if !e.json {
		fmt.Fprintf(e.out, "banklink fake: serving on %s (Ctrl-C to stop)\n", front)
	}
	return e.emit(out, rows)
}

// baseVar is the examples' base URL variable of a fake.
func baseVar(name string) string { return strings.ToUpper(name) + "_BASE_URL" }

// portOf is the port of host:port (0 when absent or not a number).
func portOf(addr string) int {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(p)
	return n
}
