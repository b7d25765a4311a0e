package banklink

import "net/url"

// Request is a call to any API of a provider's service, for that
// provider's Do function (dfcu.Do, fintract.Do, fintiv.Do, merchant.Do):
// the escape hatch for endpoints the SDK has no method for. The call gets
// the client's credentials, retries, limits, redaction and error handling;
// its failures are a *Error like any other's.
type Request struct {
	// Method is the HTTP method (GET, POST, PUT, …); required.
	Method string
	// Path is relative to the client's base URL, with or without a
	// leading slash ("api/things/1/"); it may not hold a query, a
	// fragment, an escape or a dot segment, which are refused before
	// sending.
	Path string
	// Query is sent as the query string. It is never logged or put in an
	// error (a provider may want a token there). Nil: no query.
	Query url.Values
	// Body, when not nil, is sent as JSON.
	Body any
	// Auth sends the session's credentials (logging in first if needed),
	// and renews a refused token and replays once. False: no session
	// credentials (static ones such as Fintiv's api-key still go).
	Auth bool
	// Idempotent lets the call be sent again after a failure that may
	// have reached the server. Leave it false for anything with side
	// effects; GET and HEAD are always idempotent, and a per-call
	// idempotency key (CallOptions.IdempotencyKey) allows it too.
	Idempotent bool
}
