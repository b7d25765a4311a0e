// Package merchant is a client for a merchant wallet platform's auth API
// (Xpress Wallet: login, logout, password reset, token refresh) and for
// the bank's NIP account name enquiry, two services behind one package.
//
// The wallet hands out opaque session tokens in the X-Access-Token and
// X-Refresh-Token response headers, and may hand out a new pair on any
// response, errors included. Client sends both on every authenticated
// call and takes the pair from every answer that carries both, swapping it
// atomically. When an authenticated call is refused (401 or 403) it
// refreshes once for all concurrent callers (refresh tokens are
// single-use) and replays once; when the refresh is refused it logs in
// again with the stored credentials, else it returns an error matching
// [banklink.ErrSessionExpired]. Email and password are base64-encoded for
// login by the client; callers pass plain text.
//
// NIPClient calls the name enquiry service (credentials travel in the
// body), checks account numbers (10 digits, NUBAN) and bank codes (6
// digits) before sending, and succeeds only on responseCode "00": every
// other code is a [*banklink.Error] carrying the code, whatever the HTTP status. The
// documented test URL is plain http to a public address: it is refused
// unless the caller opts in with [banklink.WithInsecureHTTP].
//
// For tests, merchanttest runs both services in-process.
package merchant
