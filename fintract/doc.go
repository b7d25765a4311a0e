// Package fintract is a client for the Fintract Global Banking auth API:
// register, two-step login (password, then an OTP sent by email or SMS),
// admin approval, user info and updates, avatar and file uploads,
// deactivation, deletion and verification mail.
//
// After VerifyOTP the client holds the session: it refreshes the 5-minute
// access token before its JWT exp (one refresh however many goroutines need
// it) and refreshes and replays once when the server refuses a token. When
// the refresh token is refused, a new session needs a new OTP: with
// WithCredentials and WithOTPCallback the client logs in again by itself,
// asking the callback for the OTP; without them calls fail with an error
// matching [banklink.ErrReauthRequired].
//
// Login step 1, register, uploads and other calls with side effects are
// never sent twice once they may have reached the server. Uploads stream
// from an io.Reader in constant memory; they are retried (on a failed
// connection) only when the source can be read again.
//
// The server's envelopes are normalised: {"data":…}/{"errors":…} wrappers,
// error messages under detail, error (a string or a list), msg or message,
// DRF field maps, errors sent with HTTP 200, HTML 500 pages, and the
// user-info keys that differ between server versions. For tests,
// fintracttest runs a fake server with the same behaviour in-process.
package fintract
