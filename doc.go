// Package banklink holds what the provider clients of banklink-go share:
// the [Option] functions every client takes (base URL, HTTP client,
// retries, logging, timeouts) over the documented [Options]; the one error
// model ([*Error] for answers, [*CallError] for calls without one,
// [*ConfigError] for clients New cannot build) with the [Category]
// constants to match with [errors.Is]; per-call options
// ([WithCallOptions]); the [Request] of the providers' generic Do
// functions; the [SessionStore] replicas share sessions through
// ([WithSessionStore], [NewMemoryStore]; Redis in the redisstore module);
// the [Observer] of operations, attempts and renewals ([WithObserver];
// OpenTelemetry in the otel module); and the SDK [Version].
//
// The clients live in the provider packages: dfcu (DFCU loans), fintract
// (Fintract Global Banking auth), fintiv (Fintiv authentication service)
// and merchant (a merchant wallet's auth and the NIP name enquiry). They
// read the same: New(opts...), WithCredentials, Login, Session and
// WithSession (one versioned JSON form), Do[T]. Each has a fake server in
// its <provider>test package for your tests, with the faults and counters
// of package banklinktest.
//
//	c, err := dfcu.New(
//		banklink.WithBaseURL("https://loans.example.com/"),
//		dfcu.WithCredentials(user, pass),
//		banklink.WithLogger(slog.Default()),
//	)
//	loans, err := c.Loans(ctx, "1002000989")
//	var e *banklink.Error
//	switch {
//	case errors.Is(err, banklink.ErrNotFound): // no such account
//	case errors.As(err, &e):                   // any other answer: e.StatusCode, e.Code, e.RequestID
//	}
package banklink
