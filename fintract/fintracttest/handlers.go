package fintracttest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/banklink/banklink-go/internal/fake"
)

// idRoute matches the routes with an id; the login route takes any
// segment (the 2022 server's int() of a non-number is a ValueError 500).
var idRoute = regexp.MustCompile(`^/auth/(?:(login)/[^/]+|(avatar|info|update/usr)/[0-9]+)/$`)

func (s *Server) routes() http.Handler {
	return fake.Routes(map[string]http.HandlerFunc{
		"/auth/register/":           s.Route(RouteRegister, s.register),
		"/auth/login/":              s.Route(RouteLogin, s.login),
		"/auth/login/{id}/":         s.Route(RouteVerifyOTP, s.verifyOTP),
		"/api/token/refresh/":       s.Route(RouteRefresh, s.refresh),
		"/auth/account-deactivate/": s.Route(RouteDeactivate, s.authed(http.MethodPut, s.deactivate)),
		"/auth/admin_approval/":     s.Route(RouteApproval, s.authed(http.MethodPost, s.approve)),
		"/auth/avatar/{id}/":        s.Route(RouteAvatar, s.authed(http.MethodPost, s.avatar)),
		"/auth/delete/":             s.Route(RouteDelete, s.authedOrCrash(http.MethodDelete, "NotImplementedError", s.deleteUser)),
		"/auth/email-verify/":       s.Route(RouteEmailVerify, s.emailVerify),
		"/auth/re-verify-email/":    s.Route(RouteReverify, s.reverify),
		"/auth/info/{id}/":          s.Route(RouteInfo, s.authedOrCrash(http.MethodGet, "TypeError", s.info)),
		"/auth/update/usr/{id}/":    s.Route(RouteUpdate, s.authed(http.MethodPatch, s.update)),
		"/auth/user-update/":        s.Route(RouteUserUpdate, s.authed(http.MethodPut, s.userUpdate)),
		"/auth/upload/":             s.Route(RouteUpload, s.authed(http.MethodPost, s.upload)),
	}, func(p string) string {
		if m := idRoute.FindStringSubmatch(p); m != nil {
			return "/auth/" + m[1] + m[2] + "/{id}/"
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

// authedOrCrash is authed for the views without a permission class: a
// request with no Bearer credentials reaches the view as an anonymous user
// and crashes it (exc, a debug 500), as on the server; a bad token is
// still simplejwt's 401.
func (s *Server) authedOrCrash(method, exc string, h func(http.ResponseWriter, *http.Request, *user)) http.HandlerFunc {
	authed := s.authed(method, h)
	return func(w http.ResponseWriter, r *http.Request) {
		if parts := strings.Fields(r.Header.Get("Authorization")); len(parts) == 0 || parts[0] != "Bearer" {
			if !fake.MethodAllowed(w, r, method) {
				return
			}
			fake.DebugPage(w, r, exc)
			return
		}
		authed(w, r)
	}
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

var (
	alphanumeric = regexp.MustCompile(`^[A-Za-z0-9]+$`)
	nameChars    = regexp.MustCompile(`^[A-Za-z ]+$`)
	userTypes    = []string{"CUSTOMER", "FINTRACT_ADMIN", "ORG_ADMIN", "DEVELOPER", "DEVELOPER_ADMIN"}
	// freeMail are the domains an ORG_ADMIN may not register with.
	freeMail = []string{"gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com", "aol.com", "icloud.com"}
)

// register validates as the 2022 server does: the serializer first
// (required fields in order, the user type a known choice, the username
// alphanumeric, e-mail and username unique), then the view's own checks
// (a user type is given, the passwords match, the name is letters and
// spaces, an ORG_ADMIN uses an organisation address). It answers the
// documented user, which adds phone, customer_id and gender to the
// implementation's {id, email, username, name, user_type}.
func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	if !fake.MethodAllowed(w, r, http.MethodPost) {
		return
	}
	m, ok := fake.ParseBody(w, r)
	if !ok {
		return
	}
	errs := fake.FieldErrors(m, "email", "username", "password", "password2")
	email, username := fake.CharField(m["email"]), fake.CharField(m["username"])
	if _, ok := errs.Get("email"); !ok {
		if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
			errs = errs.Set("email", []string{"Enter a valid email address."})
		}
	}
	if _, ok := errs.Get("username"); !ok && !alphanumeric.MatchString(username) {
		errs = errs.Set("username", []string{"Enter only alpha-numeric characters"})
	}
	ut, hasType := str(m, "user_type")
	if hasType && !slices.Contains(userTypes, ut) {
		errs = errs.Set("user_type", []string{`"` + ut + `" is not a valid choice.`})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if _, bad := errs.Get("email"); !bad && u.Email == email {
			errs = errs.Set("email", []string{"custom user with this email address already exists."})
		}
		if _, bad := errs.Get("username"); !bad && u.Username == username {
			errs = errs.Set("username", []string{"custom user with this username already exists."})
		}
	}
	if len(errs) > 0 {
		fake.WriteJSON(w, http.StatusBadRequest, errs)
		return
	}
	pw, pw2 := fake.CharField(m["password"]), fake.CharField(m["password2"])
	name, _ := str(m, "name")
	domain := email[strings.LastIndexByte(email, '@')+1:]
	var refusal string
	switch {
	case !hasType:
		refusal = "User type not allowed"
	case pw != pw2:
		refusal = "Passwords should be same"
	case !nameChars.MatchString(name):
		refusal = "Name should only contain alphabets"
	case ut == "ORG_ADMIN" && slices.Contains(freeMail, strings.ToLower(domain)):
		refusal = "Use Your Organisation Email Address only"
	}
	if refusal != "" {
		fake.WriteJSON(w, http.StatusBadRequest, map[string][]string{"error": {refusal}})
		return
	}
	u := &user{Email: email, Username: username, Password: pw, Name: name, UserType: ut}
	u.Phone, _ = str(m, "phone")
	u.CustomerID, _ = str(m, "customer_id")
	u.Gender, _ = str(m, "gender")
	u.verifyToken = newToken()
	s.add(u)
	fake.WriteJSON(w, http.StatusCreated, fake.Object{
		{Key: "id", Value: u.ID}, {Key: "email", Value: u.Email}, {Key: "username", Value: u.Username}, {Key: "name", Value: u.Name},
		{Key: "user_type", Value: u.UserType}, {Key: "phone", Value: u.Phone}, {Key: "customer_id", Value: u.CustomerID}, {Key: "gender", Value: u.Gender},
	})
}

// newToken returns a verification link's random token.
func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// emailVerify serves the link of the verification mail (a route of the
// 2022 server the docs do not list): a plain "Verified" page.
func (s *Server) emailVerify(w http.ResponseWriter, r *http.Request) {
	if !fake.MethodAllowed(w, r, http.MethodGet) {
		return
	}
	tok := r.URL.Query().Get("token")
	s.mu.Lock()
	var found *user
	for _, u := range s.users {
		if tok != "" && u.verifyToken == tok {
			found = u
		}
	}
	if found != nil {
		found.Verified = true
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if found == nil {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, "Invalid token")
		return
	}
	_, _ = io.WriteString(w, "Verified")
}

// The login views answer through json.dumps, with Python's separators,
// wrapping them: {"data": …} and {"errors": …}.
func wrapErrors(w http.ResponseWriter, status int, v any) {
	fake.WritePythonJSON(w, status, map[string]any{"errors": v})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		wrapErrors(w, http.StatusMethodNotAllowed, fake.Detail{Detail: `Method "` + r.Method + `" not allowed.`})
		return
	}
	m, ok := fake.ParseBody(w, r)
	if !ok {
		return
	}
	errs := fake.FieldErrors(m, "email", "password")
	email, pw := fake.CharField(m["email"]), fake.CharField(m["password"])
	if _, ok := errs.Get("email"); !ok {
		if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
			errs = errs.Set("email", []string{"Enter a valid email address."})
		}
	}
	if _, ok := errs.Get("password"); !ok && len([]rune(pw)) < 6 {
		errs = errs.Set("password", []string{"Ensure this field has at least 6 characters."})
	}
	if len(errs) > 0 {
		wrapErrors(w, http.StatusBadRequest, errs)
		return
	}
	// otpType is not validated: the server e-mails the OTP whatever it says.
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.byEmail(email)
	switch {
	case u == nil || u.Password != pw:
		wrapErrors(w, http.StatusUnauthorized, fake.Detail{Detail: "Invalid credentials, try again"})
	case !u.Verified:
		wrapErrors(w, http.StatusUnauthorized, fake.Detail{Detail: "Email is not verified"})
	default:
		u.otp, u.otpSent = newOTP(), time.Now() // a new login voids the last OTP
		fake.WritePythonJSON(w, http.StatusOK, map[string]any{"data": map[string]int{"id": u.ID}})
	}
}

// verifyOTP answers the documented body, which adds customer_id and
// user_type to the implementation's.
func (s *Server) verifyOTP(w http.ResponseWriter, r *http.Request) {
	if !fake.MethodAllowed(w, r, http.MethodPost) {
		return
	}
	m, ok := fake.ParseBody(w, r)
	if !ok {
		return
	}
	raw, present := m["otp"]
	if !present {
		fake.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "Invalid OTP provided"})
		return
	}
	id, err := strconv.Atoi(path.Base(r.URL.Path))
	if err != nil {
		fake.DebugPage(w, r, "ValueError")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[id]
	if u == nil {
		fake.DebugPage(w, r, "DoesNotExist")
		return
	}
	otp, isString := raw.(string)
	switch {
	case u.otp != "" && time.Since(u.otpSent) > s.otpTTL:
		u.otp = ""
		fake.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "Sesssion Expired, Login again"})
	case !isString || u.otp == "" || otp != u.otp: // a JSON number never matches
		fake.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "Invalid OTP"})
	default:
		u.otp = "" // single use: unlike the 2022 server, "0" never logs in afterwards
		fake.WriteJSON(w, http.StatusOK, fake.Object{
			{Key: "message", Value: "Successfully Logged In"}, {Key: "id", Value: u.ID}, {Key: "customer_id", Value: u.CustomerID},
			{Key: "email", Value: u.Email}, {Key: "username", Value: u.Username}, {Key: "verification_status", Value: u.Verified},
			{Key: "tokens", Value: fake.Object{{Key: "refresh", Value: s.jwt.Issue("refresh", u.ID)}, {Key: "access", Value: s.jwt.Issue("access", u.ID)}}},
			{Key: "user_type", Value: u.UserType},
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
	fake.WriteJSON(w, http.StatusBadRequest, map[string]string{"msg": "The requested user for admin approval doesn't exist"})
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

// info answers the documented user info, in the documented order, with
// the key pair the configured variant names (by default the 2022 server's
// "net balance" and "customer-id " with its trailing space).
func (s *Server) info(w http.ResponseWriter, r *http.Request, _ *user) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[pathID(r)]
	if u == nil {
		fake.WriteJSON(w, http.StatusNotFound, fake.Detail{Detail: "Not found."})
		return
	}
	balance, customer := "net balance", "customer-id "
	switch s.infoKeys {
	case InfoKeysSeed:
		customer = "customer-id"
	case InfoKeysTrailing:
		balance = "net_balance"
	case InfoKeysSnake:
		balance, customer = "net_balance", "customer_id"
	}
	fake.WriteJSON(w, http.StatusOK, fake.Object{
		{Key: "id", Value: u.ID}, {Key: "email", Value: u.Email}, {Key: "avatar", Value: u.Avatar}, {Key: "gender", Value: u.Gender},
		{Key: "username", Value: u.Username}, {Key: "name", Value: u.Name}, {Key: balance, Value: u.NetBalance},
		{Key: customer, Value: u.CustomerID}, {Key: "verification_status", Value: u.Verified}, {Key: "phone", Value: u.Phone},
		{Key: "country", Value: u.Country}, {Key: "citizenship", Value: u.Citizenship}, {Key: "national_id", Value: u.NationalID},
		{Key: "address", Value: u.Address}, {Key: "bank_name", Value: u.BankName},
	})
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
	username, ok1 := m["username"]
	name, ok2 := m["name"]
	if !ok1 || !ok2 {
		fake.DebugPage(w, r, "KeyError")
		return
	}
	newName, newUsername := fmt.Sprint(name), fmt.Sprint(username)
	s.mu.Lock()
	defer s.mu.Unlock()
	taken := false
	for _, other := range s.users {
		taken = taken || (other != u && other.Username == newUsername)
	}
	switch {
	case !alphanumeric.MatchString(newUsername):
		fake.WriteJSON(w, http.StatusBadRequest, map[string]string{"msg": "Enter only alpha-numeric characters"})
	case taken:
		fake.WriteJSON(w, http.StatusBadRequest, map[string]string{"msg": "This Username exists"})
	case !nameChars.MatchString(newName):
		fake.WriteJSON(w, http.StatusBadRequest, map[string]string{"msg": "Name should only contain alphabets and spaces"})
	default:
		u.Username, u.Name = newUsername, newName
		fake.WriteJSON(w, http.StatusOK, map[string]string{"msg": "Account Successfully Updated"})
	}
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
