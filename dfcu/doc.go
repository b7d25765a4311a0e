// Package dfcu is a client for the DFCU loans API: JWT login (token/),
// token refresh (token/refresh/) and customer loans by account number
// (api/accounts/loans/).
//
// The client logs in with stored credentials on first use, refreshes the
// access token before its JWT exp (one refresh however many goroutines
// need it), refreshes and replays once when the server refuses a token,
// and logs in again when the refresh token is refused. It copes with the
// real servers' answers: the "response" key that is an object on success
// and a string otherwise (all with HTTP 200), DRF error bodies and Django
// HTML 500 pages.
//
// Errors are [*banklink.Error] values carrying the HTTP status, the
// server's code, message and field errors; match their category with
// [errors.Is] and the banklink.Err* constants. [Do] calls any other
// endpoint with the same session and handling. For tests, dfcutest runs a fake server with the
// same behaviour in-process.
package dfcu
