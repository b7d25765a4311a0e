package fintivtest

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/banklink/banklink-go/internal/fake"
)

func (s *Server) routes() http.Handler {
	routes := map[string]struct {
		name, method string
		auth         bool
		h            func(http.ResponseWriter, *http.Request, *User)
	}{
		"/auth/oauth/check_token":            {RouteCheckToken, http.MethodGet, false, s.checkToken},
		"/auth/api/myinfo":                   {RouteMyInfo, http.MethodGet, true, s.myInfo},
		"/auth/api/myinfo/changePassword":    {RouteChangePassword, http.MethodPut, true, s.changePassword},
		"/auth/api/myinfo/changePin":         {RouteChangePIN, http.MethodPut, true, s.changePIN},
		"/auth/api/validate/pin":             {RouteValidatePIN, http.MethodPost, true, s.validatePIN},
		"/auth/api/reset/password":           {RouteResetPassword, http.MethodPost, false, s.resetPassword},
		"/auth/api/reset/pin":                {RouteResetPIN, http.MethodPost, false, s.resetPIN},
		"/auth/api/checkUserExist":           {RouteUserExists, http.MethodGet, false, s.userExists},
		"/auth/api/myinfo/securityQuestions": {RouteSecurityQuestions, http.MethodGet, true, s.securityQuestions},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/auth/oauth/token", s.Route(RouteToken, func(w http.ResponseWriter, r *http.Request) {
		s.record(RouteToken, r)
		if s.keyOK(w, r) {
			s.token(w, r)
		}
	}))
	for path, rt := range routes {
		mux.HandleFunc(path, s.Route(rt.name, func(w http.ResponseWriter, r *http.Request) {
			s.record(rt.name, r)
			if !s.keyOK(w, r) {
				return
			}
			if r.Method != rt.method {
				s.reply(w, http.StatusMethodNotAllowed, "FAILURE", "Request method '"+r.Method+"' not supported", "", nil)
				return
			}
			var u *User
			if rt.auth {
				var mustChange bool
				if u, mustChange = s.bearer(w, r); u == nil {
					return
				}
				if mustChange && rt.name != RouteMyInfo && rt.name != RouteChangePassword {
					s.reply(w, http.StatusOK, "VALIDATION", "The provided data in request body is not valid!", "User must change the password before continuing.", nil)
					return
				}
			}
			rt.h(w, r, u)
		}))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fake.WriteJSON(w, http.StatusNotFound, map[string]any{"timestamp": time.Now().UnixMilli(), "status": 404, "error": "Not Found", "path": r.URL.Path})
	})
	return mux
}

// reply writes the envelope.
func (s *Server) reply(w http.ResponseWriter, status int, code, msg, additional string, data any) {
	cr := map[string]any{"tenantName": s.tenant, "statusCode": code, "statusMessage": nil, "additionalStatusCode": nil, "additionalStatusMessage": nil}
	if code == "SUCCESS" {
		cr["tenantName"] = nil
	}
	if msg != "" {
		cr["statusMessage"] = msg
	}
	if additional != "" {
		cr["additionalStatusMessage"] = additional
	}
	fake.WriteJSON(w, status, map[string]any{"contextResponse": cr, "responseData": data})
}

func (s *Server) ok(w http.ResponseWriter, data any) {
	s.reply(w, http.StatusOK, "SUCCESS", "", "", data)
}

func (s *Server) invalid(w http.ResponseWriter, additional string) {
	s.reply(w, http.StatusOK, "VALIDATION", "The provided data in request body is not valid!", additional, nil)
}

// keyOK answers a flat 401 (no envelope) when the APP key is missing or wrong.
func (s *Server) keyOK(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get("api-key") == s.apiKey {
		return true
	}
	fake.WriteJSON(w, http.StatusUnauthorized, map[string]string{"error": "unauthorized", "error_description": "No valid API key provided"})
	return false
}

// bearer returns the token's user and whether it must change its
// password (read under the lock: a reset writes it), or answers SECURITY.
func (s *Server) bearer(w http.ResponseWriter, r *http.Request) (*User, bool) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	g, ok := s.access[tok]
	u := s.users[g.username]
	mustChange := u != nil && u.NeedChangePassword
	s.mu.Unlock()
	if tok != "" && ok && time.Now().Before(g.expiry) && u != nil {
		return u, mustChange
	}
	status := http.StatusUnauthorized
	if s.security200 {
		status = http.StatusOK
	}
	s.reply(w, status, "SECURITY", "Access token is invalid or expired", "Token has expired", nil)
	return nil, false
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") || r.ParseForm() != nil {
		fake.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "Missing grant type"})
		return
	}
	if r.Header.Get("tenantName") == "" {
		fake.WriteJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "error_description": "Missing tenantName header", "additionalStatusCode": nil, "additionalStatusMessage": "Tenant is required"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.grants[r.PostForm.Get("grant_type")]++
	var u *User
	switch r.PostForm.Get("grant_type") {
	case "password":
		u = s.users[r.PostForm.Get("username")]
		if u == nil || u.Password != r.PostForm.Get("password") {
			fake.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "Bad credentials"})
			return
		}
	case "refresh_token":
		g, ok := s.refresh[r.PostForm.Get("refresh_token")]
		if ok && time.Now().Before(g.expiry) {
			u = s.users[g.username]
		}
		if u == nil {
			// Never a piece of the token: an answer may end up in a log.
			fake.WriteJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_token", "error_description": "Invalid refresh token (expired)",
				"additionalStatusCode": nil, "additionalStatusMessage": "Invalid refresh token (expired)"})
			return
		}
	default:
		fake.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type", "error_description": "Unsupported grant type"})
		return
	}
	access := accessJWT(u.Username, s.ttl)
	s.access[access] = grant{username: u.Username, expiry: time.Now().Add(s.ttl)}
	refresh := r.PostForm.Get("refresh_token")
	if refresh == "" {
		refresh = newToken("rt-")
		s.refresh[refresh] = grant{username: u.Username, expiry: time.Now().Add(s.refreshTTL)}
	}
	out := map[string]any{
		"access_token": access, "token_type": "bearer", "refresh_token": refresh, "expires_in": int(s.ttl / time.Second),
		"scope": "read write", "jti": newToken("")[:36], "tenant_name": s.tenant, "last_signon_timestamp": time.Now().UnixMilli(),
		"uuid": u.UUID, "user_type": "SUBSCRIBER", "app_name": "banklink-fake",
	}
	if u.NeedChangePassword {
		out["need_change_password"] = true
	}
	fake.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) checkToken(w http.ResponseWriter, r *http.Request, _ *User) {
	s.mu.Lock()
	g, ok := s.access[r.URL.Query().Get("token")]
	s.mu.Unlock()
	if !ok || time.Now().After(g.expiry) {
		fake.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_token", "error_description": "Token was not recognised"})
		return
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{"active": true, "exp": g.expiry.Unix(), "user_name": g.username,
		"client_id": "mobile", "scope": []string{"read", "write"}, "authorities": []string{"ROLE_SUBSCRIBER"}})
}

func (s *Server) myInfo(w http.ResponseWriter, _ *http.Request, u *User) {
	now := time.Now().UnixMilli()
	s.mu.Lock()
	mustChange := u.NeedChangePassword // a reset or a change writes it
	s.mu.Unlock()
	s.ok(w, map[string]any{
		"id": u.UUID, "username": u.Username, "firstName": "Test", "lastName": "User", "status": "ACTIVE",
		"personType": "SUBSCRIBER", "enabled": true, "accountNonLocked": true, "credentialsNonExpired": true,
		"needChangePassword": mustChange, "loginAttempt": 0, "lastLoginDatetime": now, "lastPasswordUpdate": now - 86_400_000,
		"createdDate": 1555459200000, "lastUpdatedDate": now, "preferredLanguage": "en", "timeZoneFormatted": "GMT+03:00",
		"personContacts":    []any{map[string]any{"contactType": "EMAIL", "value": "test@example.com", "verified": true}},
		"personCredentials": []any{map[string]any{"credentialType": "PASSWORD", "value": "$2a$10$fakehashfakehashfakehash"}},
		"personRoles":       []any{map[string]any{"role": "ROLE_SUBSCRIBER"}},
		"someFutureField":   map[string]any{"nested": []int{1, 2}},
	})
}

func body(r *http.Request) map[string]any {
	var m map[string]any
	_ = json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20)).Decode(&m)
	return m
}

func text(m map[string]any, k string) string {
	v, _ := m[k].(string)
	return v
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, u *User) {
	m := body(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if text(m, "currentPassword") != u.Password || text(m, "newPassword") == "" {
		s.invalid(w, "Current password is not correct.")
		return
	}
	u.Password, u.NeedChangePassword = text(m, "newPassword"), false
	s.ok(w, nil)
}

func (s *Server) changePIN(w http.ResponseWriter, r *http.Request, u *User) {
	m := body(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if text(m, "currentPin") != u.PIN || text(m, "newPin") == "" {
		s.invalid(w, "Current PIN is not correct.")
		return
	}
	u.PIN = text(m, "newPin")
	s.ok(w, nil)
}

func (s *Server) validatePIN(w http.ResponseWriter, r *http.Request, u *User) {
	m := body(r)
	if text(m, "uuid") != u.UUID {
		s.invalid(w, "You can't access different user's security information.")
		return
	}
	s.mu.Lock()
	ok := text(m, "pin") == u.PIN
	s.mu.Unlock()
	s.ok(w, map[string]bool{"pinValidated": ok})
}

// resetBy checks a username and security answer, answering the seed's
// VALIDATION messages.
func (s *Server) resetBy(w http.ResponseWriter, m map[string]any) *User {
	name := text(m, "username")
	u := s.users[name]
	if u == nil {
		s.reply(w, http.StatusOK, "VALIDATION", "The request parameters were not valid!", "The request "+name+" does not exist!", nil)
		return nil
	}
	id, _ := m["securityQuestionId"].(float64)
	if want, ok := u.Answers[int64(id)]; !ok || !strings.EqualFold(want, text(m, "answer")) {
		s.invalid(w, "Security answer is not correct.")
		return nil
	}
	return u
}

func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request, _ *User) {
	m := body(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, byAnswer := m["answer"]; !byAnswer { // a temporary password request
		if u := s.users[text(m, "username")]; u == nil {
			s.reply(w, http.StatusOK, "VALIDATION", "The request parameters were not valid!", "The request "+text(m, "username")+" does not exist!", nil)
			return
		}
		s.ok(w, nil)
		return
	}
	if u := s.resetBy(w, m); u != nil {
		u.Password, u.NeedChangePassword = "Temp-"+newToken("")[:8], true
		s.ok(w, nil)
	}
}

func (s *Server) resetPIN(w http.ResponseWriter, r *http.Request, _ *User) {
	m := body(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.resetBy(w, m); u != nil {
		u.PIN = "0000"
		s.ok(w, nil)
	}
}

func (s *Server) userExists(w http.ResponseWriter, r *http.Request, _ *User) {
	s.mu.Lock()
	_, ok := s.users[r.URL.Query().Get("username")]
	s.mu.Unlock()
	s.ok(w, map[string]bool{"userExist": ok})
}

func (s *Server) securityQuestions(w http.ResponseWriter, _ *http.Request, _ *User) {
	s.ok(w, []map[string]any{
		{"id": 1, "question": "In which city were you born?"},
		{"id": 2, "question": "What was the name of your first school?"},
	})
}
