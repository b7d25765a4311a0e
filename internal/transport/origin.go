package transport

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/banklink/banklink-go/internal/errs"
)

// origin is a URL's scheme, host name and port, with the default port filled in.
type origin struct{ scheme, host, port string }

func originOf(u *url.URL) origin {
	o := origin{scheme: strings.ToLower(u.Scheme), host: strings.ToLower(u.Hostname()), port: u.Port()}
	if o.port == "" {
		switch o.scheme {
		case "https":
			o.port = "443"
		case "http":
			o.port = "80"
		}
	}
	return o
}

// sameOrigin reports whether u is on the configured origin. The common
// case, a URL built from the base URL itself, is decided without parsing.
func (t *Transport) sameOrigin(u *url.URL) bool {
	if u.Scheme == t.base.Scheme && u.Host == t.base.Host {
		return true
	}
	return originOf(u) == t.origin
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// parseBaseURL checks a base URL: http or https with a host, no user info,
// query or fragment, and plain http only to loopback unless insecure is set.
// The result ends with "/" so that relative paths join under it.
func parseBaseURL(raw string, insecure bool) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("no base URL configured (use banklink.WithBaseURL)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("the base URL does not parse")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("the base URL's scheme must be https (or http for loopback), not %q", u.Scheme)
	case u.Host == "":
		return nil, errors.New("the base URL has no host")
	case u.User != nil:
		return nil, errors.New("the base URL must not carry user info; use the client's credential options")
	case u.RawQuery != "" || u.Fragment != "":
		return nil, errors.New("the base URL must not have a query or fragment")
	case u.Scheme == "http" && !insecure && !isLoopback(u.Hostname()):
		return nil, errs.Categorized(errs.ErrInsecureURL, fmt.Sprintf("refusing plain http to %s, which is not a loopback host: credentials would cross the network unencrypted; use https, or opt in with banklink.WithInsecureHTTP()", u.Host))
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		u.RawPath = ""
	}
	return u, nil
}

// url joins an operation path (with or without a leading slash) under the
// base URL, without parsing: the base was parsed once, and operation paths
// are the providers' own (ASCII, ids in decimal).
func (t *Transport) url(path string, q url.Values) *url.URL {
	u := new(url.URL)
	t.fillURL(u, path, q)
	return u
}

// fillURL sets u to path and q under the base URL.
func (t *Transport) fillURL(u *url.URL, path string, q url.Values) {
	*u = *t.base
	u.Path = t.base.Path + strings.TrimPrefix(path, "/")
	if len(q) > 0 {
		u.RawQuery = url.Values(q).Encode()
	}
}
