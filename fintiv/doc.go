// Package fintiv is a client for the Fintiv authentication service
// (/auth/{service_api} under the gateway's base URL): OAuth2 password and
// refresh grants, token check, the current user, password and PIN changes,
// PIN validation, password and PIN resets, user lookup and security
// questions, plus Do for any other service API with the same handling.
//
// Every request carries the APP key in the api-key header and, when set,
// the tenant in the tenantName header; calls made for a user carry the
// Bearer access token, refreshed before expires_in runs out (one refresh
// however many goroutines need it), refreshed and replayed once when the
// service answers 401 or statusCode SECURITY, and replaced by a new
// password grant when the refresh grant fails.
//
// The service answers {"contextResponse": {...}, "responseData": ...} and
// succeeds only when contextResponse.statusCode is "SUCCESS": any other
// code is a [*banklink.Error] (with a [*ErrorDetail]), even with HTTP 200. For tests, fintivtest runs a fake
// service with the same behaviour in-process.
package fintiv
