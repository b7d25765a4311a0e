package main

import (
	"encoding/json"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/banklink/banklink-go/banklinktest"
)

// faultJSON is a banklinktest.Fault on the wire of the control endpoint.
type faultJSON struct {
	Status      int    `json:"status"`
	Body        string `json:"body"`
	ContentType string `json:"content_type"`
	RetryAfter  string `json:"retry_after"`
	Delay       string `json:"delay"`
	Drop        bool   `json:"drop"`
	CutAfter    int    `json:"cut_after"`
	Pass        bool   `json:"pass"`
}

type controlRequest struct {
	Provider string      `json:"provider"`
	Route    string      `json:"route"`
	Faults   []faultJSON `json:"faults"`
	Latency  string      `json:"latency"`
}

// controlHandler is the JSON control endpoint of banklink fake.
func controlHandler(set *fakeSet) http.Handler {
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	// read decodes a control request and finds its fakes ("": all).
	read := func(w http.ResponseWriter, r *http.Request) (controlRequest, []*service, bool) {
		var req controlRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
			reply(w, http.StatusBadRequest, map[string]string{"error": "the body is not a JSON control request: " + err.Error()})
			return req, nil, false
		}
		if req.Provider == "" {
			return req, set.services, true
		}
		svc := set.service(req.Provider)
		if svc == nil {
			reply(w, http.StatusNotFound, map[string]string{"error": "no provider " + req.Provider + " (dfcu, fintract, fintiv, merchant, nip)"})
			return req, nil, false
		}
		return req, []*service{svc}, true
	}
	mux.HandleFunc("GET /_banklink/calls", func(w http.ResponseWriter, _ *http.Request) {
		out := map[string]any{}
		for _, svc := range set.services {
			out[svc.name] = map[string]any{"total": svc.controls.Requests(), "routes": svc.controls.Counts()}
		}
		reply(w, http.StatusOK, out)
	})
	mux.HandleFunc("POST /_banklink/faults", func(w http.ResponseWriter, r *http.Request) {
		req, svcs, ok := read(w, r)
		if !ok {
			return
		}
		faults := make([]banklinktest.Fault, 0, len(req.Faults))
		for _, f := range req.Faults {
			var delay time.Duration
			if f.Delay != "" {
				d, err := time.ParseDuration(f.Delay)
				if err != nil {
					reply(w, http.StatusBadRequest, map[string]string{"error": "delay: " + err.Error()})
					return
				}
				delay = d
			}
			faults = append(faults, banklinktest.Fault{Status: f.Status, Body: f.Body, ContentType: f.ContentType,
				RetryAfter: f.RetryAfter, Delay: delay, Drop: f.Drop, CutAfter: f.CutAfter, Pass: f.Pass})
		}
		for _, svc := range svcs {
			svc.controls.InjectFaults(req.Route, faults...)
		}
		reply(w, http.StatusOK, map[string]int{"queued": len(faults)})
	})
	for path, act := range map[string]func(*service){
		"POST /_banklink/expire": func(s *service) {
			if s.expire != nil {
				s.expire()
			}
		},
		"POST /_banklink/revoke": func(s *service) {
			if s.revoke != nil {
				s.revoke()
			}
		},
		"POST /_banklink/reset": func(s *service) { s.controls.ResetCounts() },
	} {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			_, svcs, ok := read(w, r)
			if !ok {
				return
			}
			for _, svc := range svcs {
				act(svc)
			}
			reply(w, http.StatusOK, map[string]bool{"ok": true})
		})
	}
	mux.HandleFunc("POST /_banklink/latency", func(w http.ResponseWriter, r *http.Request) {
		req, svcs, ok := read(w, r)
		if !ok {
			return
		}
		d, err := time.ParseDuration(req.Latency)
		if err != nil {
			reply(w, http.StatusBadRequest, map[string]string{"error": "latency: " + err.Error()})
			return
		}
		for _, svc := range svcs {
			svc.controls.SetLatency(d)
		}
		reply(w, http.StatusOK, map[string]bool{"ok": true})
	})
	mux.HandleFunc("GET /_banklink/fintract/otp", func(w http.ResponseWriter, r *http.Request) {
		otp, ok := set.fintract.OTP(r.URL.Query().Get("email"))
		if !ok {
			reply(w, http.StatusNotFound, map[string]string{"error": "no OTP sent to that address"})
			return
		}
		reply(w, http.StatusOK, map[string]string{"otp": otp})
	})
	mux.HandleFunc("/_banklink/", func(w http.ResponseWriter, _ *http.Request) {
		reply(w, http.StatusNotFound, map[string]string{"error": "unknown control route: see banklink fake --help"})
	})
	return mux
}

// controlGuard keeps the control endpoint to its own user: a request must
// name it by an IP address or "localhost" on the port it serves (a web
// page the developer has open cannot reach it through a DNS name that
// rebinds to this machine), and a POST must carry Content-Type
// application/json (a cross-site form or text/plain POST cannot, without
// a CORS preflight this endpoint never answers).
func controlGuard(port int, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, p, err := net.SplitHostPort(r.Host)
		if err != nil || p != strconv.Itoa(port) || (h != "localhost" && net.ParseIP(strings.Trim(h, "[]")) == nil) {
			http.Error(w, `{"error":"the control endpoint answers only requests addressed to it by IP address or localhost on its port"}`, http.StatusForbidden)
			return
		}
		if r.Method == http.MethodPost {
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || mt != "application/json" {
				http.Error(w, `{"error":"control requests are JSON: send Content-Type: application/json"}`, http.StatusUnsupportedMediaType)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
