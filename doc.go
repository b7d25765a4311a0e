// Package banklink holds what the provider clients of banklink-go share:
// the options every client takes (base URL, HTTP client, retries, logging,
// timeouts), the error categories to match with errors.Is, and the SDK
// version.
//
// The clients live in the provider packages: dfcu (DFCU loans), fintract
// (Fintract Global Banking auth), fintiv (Fintiv authentication service)
// and merchant (a merchant wallet's auth and the NIP name enquiry). Each has
// a fake server in its <provider>test package for tests and examples.
//
//	c, err := dfcu.New(
//		banklink.WithBaseURL("https://loans.example.com/"),
//		dfcu.WithCredentials(user, pass),
//		banklink.WithLogger(slog.Default()),
//	)
//	loans, err := c.Loans(ctx, "1002000989")
//	if errors.Is(err, banklink.ErrNotFound) { ... }
package banklink
