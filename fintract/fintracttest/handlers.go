package fintracttest

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/mail"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/banklink/banklink-go/internal/fake"
)

var idRoute = regexp.MustCompile(`^/auth/(login|avatar|info|update/usr)/[0-9]+/$`)

func (s *Server) handler() http.Handler {
	return fake.Routes(map[string]http.HandlerFunc{
		"/auth/register/":           s.Route(RouteRegister, s.register),
		"/auth/login/":              s.Route(RouteLogin, s.login),
		"/auth/login/{id}/":         s.Route(RouteVerifyOTP, s.verifyOTP),
		"/api/token/refresh/":       s.Route(RouteRefresh, s.refresh),
		"/auth/account-deactivate/": s.Route(RouteDeactivate, s.authed(http.MethodPut, s.deactivate)),
		"/auth/admin_approval/":     s.Route(RouteApproval, s.authed(http.MethodPost, s.approve)),
		"/auth/avatar/{id}/":        s.Route(RouteAvatar, s.authed(http.MethodPost, s.avatar)),
		"/auth/delete/":             s.Route(RouteDelete, s.authed(http.MethodDelete, s.deleteUser)),
		"/auth/re-verify-email/":    s.Route(RouteReverify, s.reverify),
		"/auth/info/{id}/":          s.Route(RouteInfo, s.authed(http.MethodGet, s.info)),
		"/auth/update/usr/{id}/":    s.Route(RouteUpdate, s.authed(http.MethodPatch, s.update)),
		"/auth/user-update/":        s.Route(RouteUserUpdate, s.authed(http.MethodPut, s.userUpdate)),
		"/auth/upload/":             s.Route(RouteUpload, s.authed(http.MethodPost, s.upload)),
	}, func(p string) string {
		if m := idRoute.FindStringSubmatch(p); m != nil {
			return "/auth/" + m[1] + "/{id}/"
		}
		return ""
	})
}

// pathID returns the numeric id in a /auth/<x>/{id}/ path.
func pathID(r *http.Request) int {
	id, _ := strconv.Atoi(path.Base(r.URL.Path))
	return id
}

func str(m map[string]any, k string) (string, bool) {
	v, ok := m[k].(string)
	return v, ok
}

// authed checks the method and the token, and passes the caller on.
func (s *Server) authed(method string, h func(http.ResponseWriter, *http.Request, *user)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.jwt.Authenticate(w, r)
		if !ok || !fake.MethodAllowed(w, r, method) {
			return
		}
		s.mu.Lock()
		u := s.users[id]
		s.mu.Unlock()
		if u == nil {
			fake.UserNotFound(w)
			return
		}
		h(w, r, u)
	}
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	if !fake.MethodAllowed(w, r, http.MethodPost) {
		return
	}
	m, ok := fake.ParseBody(w, r)
	if !ok {
		return
	}
	pw, ok1 := str(m, "password")
	pw2, ok2 := str(m, "password2")
	if !ok1 || !ok2 {
		fake.DebugPage(w, r, "KeyError") // the view reads both before validating
		return
	}
	if pw != pw2 {
		fake.WriteJSON(w, http.StatusBadRequest, map[string][]string{"error": {"Passwords should be same"}})
		return
	}
	if ut, _ := str(m, "user_type"); ut == "FINTRACT_ADMIN" {
		fake.WriteJSON(w, http.StatusBadRequest, map[string][]string{"error": {"User type not allowed"}})
		return
	}
	errs := fake.FieldErrors(m, "email", "username", "phone")
	email, _ := str(m, "email")
	username, _ := str(m, "username")
	if _, ok := errs.Get("email"); !ok {
		if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
			errs = errs.Set("email", []string{"Enter a valid email address."})
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if u.Email == email {
			errs = errs.Set("email", []string{"custom user with this email address already exists."})
		}
		if u.Username == username {
			errs = errs.Set("username", []string{"custom user with this username already exists."})
		}
	}
	if len(errs) > 0 {
		fake.WriteJSON(w, http.StatusBadRequest, errs)
		return
	}
	u := &user{Email: email, Username: username, Password: pw}
	u.Name, _ = str(m, "name")
	u.UserType, _ = str(m, "user_type")
	u.Phone, _ = str(m, "phone")
	u.CustomerID, _ = str(m, "customer_id")
	u.Gender, _ = str(m, "gender")
	if u.UserType == "" {
		u.UserType = "CUSTOMER"
	}
	s.add(u)
	fake.WriteJSON(w, http.StatusCreated, map[string]any{
		"id": u.ID, "username": u.Username, "email": u.Email, "name": u.Name, "user_type": u.UserType,
		"phone": u.Phone, "customer_id": u.CustomerID, "gender": u.Gender,
	})
}

// The login views wrap their answers: {"data": …} and {"errors": …}.
func wrapErrors(w http.ResponseWriter, status int, v any) {
	fake.WriteJSON(w, status, map[string]any{"errors": v})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if !fake.MethodAllowed(w, r, http.MethodPost) {
		return
	}
	m, ok := fake.ParseBody(w, r)
	if !ok {
		return
	}
	if errs := fake.FieldErrors(m, "email", "password", "otpType"); len(errs) > 0 {
		wrapErrors(w, http.StatusBadRequest, errs)
		return
	}
	email, _ := str(m, "email")
	pw, _ := str(m, "password")
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		wrapErrors(w, http.StatusBadRequest, map[string][]string{"email": {"Enter a valid email address."}})
		return
	}
	if t, _ := str(m, "otpType"); t != "Email" && t != "Phone" {
		wrapErrors(w, http.StatusBadRequest, map[string][]string{"otpType": {`"` + t + `" is not a valid choice.`}})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.byEmail(email)
	switch {
	case u == nil:
		fake.WriteJSON(w, http.StatusOK, map[string]any{"data": map[string]string{"error": "Invalid email provided"}})
	case u.Password != pw:
		wrapErrors(w, http.StatusUnauthorized, map[string]string{"detail": "Invalid credentials, try again"})
	case !u.Verified:
		wrapErrors(w, http.StatusUnauthorized, map[string]string{"detail": "Email is not verified"})
	default:
		u.otp, u.otpSent = newOTP(), time.Now() // a new login voids the last OTP
		fake.WriteJSON(w, http.StatusOK, map[string]any{"data": map[string]int{"id": u.ID}})
	}
}

func (s *Server) verifyOTP(w http.ResponseWriter, r *http.Request) {
	if !fake.MethodAllowed(w, r, http.MethodPost) {
		return
	}
	m, ok := fake.ParseBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[pathID(r)]
	if u == nil {
		fake.DebugPage(w, r, "DoesNotExist")
		return
	}
	raw, present := m["otp"]
	otp, isString := raw.(string)
	switch {
	case !present:
		fake.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "Invalid OTP provided"})
	case u.otp != "" && time.Since(u.otpSent) > s.otpTTL:
		u.otp = ""
		fake.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "Sesssion Expired, Login again"})
	case !isString || u.otp == "" || otp != u.otp: // a JSON number never matches
		fake.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "Invalid OTP"})
	default:
		u.otp = "" // single use
		fake.WriteJSON(w, http.StatusOK, map[string]any{
			"message": "Successfully Logged In", "id": u.ID, "customer_id": u.CustomerID, "email": u.Email,
			"username": u.Username, "verification_status": u.Verified, "user_type": u.UserType,
			"tokens": map[string]string{"refresh": s.jwt.Issue("refresh", u.ID), "access": s.jwt.Issue("access", u.ID)},
		})
	}
}

func (s *Server) refresh(w http.ResponseWriter, r *http.Request) {
	if !fake.MethodAllowed(w, r, http.MethodPost) {
		return
	}
	if m, ok := fake.ParseBody(w, r); ok {
		s.jwt.Refresh(w, m)
	}
}

func (s *Server) deactivate(w http.ResponseWriter, _ *http.Request, u *user) {
	s.mu.Lock()
	u.Deactivated = true
	s.mu.Unlock()
	fake.WriteJSON(w, http.StatusOK, map[string]string{"msg": "Account deactivate request submitted!"})
}

func (s *Server) approve(w http.ResponseWriter, r *http.Request, u *user) {
	m, ok := fake.ParseBody(w, r)
	if !ok {
		return
	}
	if u.UserType != "FINTRACT_ADMIN" {
		fake.WriteJSON(w, http.StatusBadRequest, map[string]string{"msg": "This user is not an FINTRACT admin"})
		return
	}
	cid, present := str(m, "customer_id")
	if !present {
		fake.DebugPage(w, r, "KeyError")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, target := range s.users {
		if target.CustomerID == cid {
			target.AdminApproved = true
			fake.WriteJSON(w, http.StatusOK, map[string]string{"msg": "User admin approved"})
			return
		}
	}
	fake.WriteJSON(w, http.StatusBadRequest, map[string]string{"msg": "User not found"})
}

func (s *Server) deleteUser(w http.ResponseWriter, _ *http.Request, u *user) {
	s.mu.Lock()
	delete(s.users, u.ID)
	s.mu.Unlock()
	fake.WriteJSON(w, http.StatusOK, map[string]string{"msg": "Account Successfully deleted"})
}

func (s *Server) reverify(w http.ResponseWriter, r *http.Request) {
	if !fake.MethodAllowed(w, r, http.MethodPost) {
		return
	}
	m, ok := fake.ParseBody(w, r)
	if !ok {
		return
	}
	email, present := str(m, "email")
	if !present {
		fake.DebugPage(w, r, "KeyError")
		return
	}
	if !s.UserExists(email) {
		fake.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "User not found"})
		return
	}
	fake.WriteJSON(w, http.StatusCreated, map[string]string{"message": "New token sent"})
}

func (s *Server) info(w http.ResponseWriter, r *http.Request, _ *user) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[pathID(r)]
	if u == nil {
		fake.WriteJSON(w, http.StatusNotFound, fake.Detail{Detail: "Not found."})
		return
	}
	out := map[string]any{
		"id": u.ID, "email": u.Email, "avatar": u.Avatar, "gender": u.Gender, "username": u.Username, "name": u.Name,
		"verification_status": u.Verified, "phone": u.Phone, "country": u.Country, "citizenship": u.Citizenship,
		"national_id": u.NationalID, "address": u.Address, "bank_name": u.BankName,
	}
	switch s.infoKeys {
	case InfoKeysSeed:
		out["net balance"], out["customer-id"] = u.NetBalance, u.CustomerID
	case InfoKeysTrailing:
		out["net_balance"], out["customer-id "] = u.NetBalance, u.CustomerID
	default:
		out["net_balance"], out["customer_id"] = u.NetBalance, u.CustomerID
	}
	fake.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) update(w http.ResponseWriter, r *http.Request, _ *user) {
	m, ok := fake.ParseBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[pathID(r)]
	if u == nil {
		fake.WriteJSON(w, http.StatusNotFound, fake.Detail{Detail: "Not found."})
		return
	}
	for k, dst := range map[string]*string{"email": &u.Email, "username": &u.Username, "name": &u.Name, "phone": &u.Phone,
		"country": &u.Country, "citizenship": &u.Citizenship, "national_id": &u.NationalID, "address": &u.Address} {
		if v, ok := str(m, k); ok {
			*dst = v // an empty string blanks the field, as on the real server
		}
	}
	fake.WriteJSON(w, http.StatusOK, map[string]string{"message": "Updated Successfully"})
}

func (s *Server) userUpdate(w http.ResponseWriter, r *http.Request, u *user) {
	m, ok := fake.ParseBody(w, r)
	if !ok {
		return
	}
	username, ok1 := str(m, "username")
	name, ok2 := str(m, "name")
	if !ok1 || !ok2 {
		fake.DebugPage(w, r, "KeyError")
		return
	}
	s.mu.Lock()
	u.Username, u.Name = username, name
	s.mu.Unlock()
	fake.WriteJSON(w, http.StatusOK, map[string]string{"msg": "Account Successfully Updated"})
}

// receive streams the multipart "file" part to a hash, never holding it.
func (s *Server) receive(w http.ResponseWriter, r *http.Request, route string) (Upload, bool) {
	mr, err := r.MultipartReader()
	if err != nil {
		fake.WriteJSON(w, http.StatusBadRequest, map[string]string{"msg": "file is required"})
		return Upload{}, false
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			fake.WriteJSON(w, http.StatusBadRequest, map[string]string{"msg": "file is required"})
			return Upload{}, false
		}
		if part.FormName() != "file" {
			continue
		}
		h := sha256.New()
		n, err := io.Copy(h, part)
		if err != nil {
			return Upload{}, false // the client went away mid-upload
		}
		up := Upload{Route: route, FileName: part.FileName(), ContentType: part.Header.Get("Content-Type"), Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}
		s.mu.Lock()
		s.uploads = append(s.uploads, up)
		s.mu.Unlock()
		return up, true
	}
}

func storedURL(up Upload) string {
	ext := path.Ext(up.FileName)
	return "https://openbankingapp.s3.amazonaws.com/" + up.SHA256[:8] + strings.ToLower(ext)
}

func (s *Server) avatar(w http.ResponseWriter, r *http.Request, _ *user) {
	up, ok := s.receive(w, r, RouteAvatar)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[pathID(r)]
	if u == nil {
		fake.DebugPage(w, r, "DoesNotExist")
		return
	}
	u.Avatar = storedURL(up)
	// The real server answers with the whole model, password hash and all.
	fake.WriteJSON(w, http.StatusCreated, map[string]any{"user": map[string]any{
		"id": u.ID, "password": passwordHash(u.Password), "last_login": nil, "is_superuser": false,
		"user_type": u.UserType, "gender": u.Gender, "username": u.Username, "email": u.Email, "phone": u.Phone,
		"avatar": u.Avatar, "customer_id": u.CustomerID, "name": u.Name, "country": u.Country,
		"citizenship": u.Citizenship, "national_id": u.NationalID, "address": u.Address, "is_staff": false,
		"is_active": true, "is_deactivate": u.Deactivated, "is_verified": u.Verified, "admin_approved": u.AdminApproved,
		"bank": u.BankName, "otp": "0", "groups": []any{}, "user_permissions": []any{},
	}})
}

func passwordHash(pw string) string {
	sum := sha256.Sum256([]byte(pw))
	return "pbkdf2_sha256$600000$fake$" + hex.EncodeToString(sum[:])
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request, _ *user) {
	if up, ok := s.receive(w, r, RouteUpload); ok {
		fake.WriteJSON(w, http.StatusCreated, map[string]string{"url": storedURL(up)})
	}
}
