package transport

import (
	"errors"
	"net/url"

	"github.com/banklink/banklink-go/internal/credential"
	"github.com/banklink/banklink-go/internal/redact"
)

// secrets lists the values to redact from anything that may be shown
// about op: the client's static secrets, the session's tokens, the
// operation's own (a PIN, an OTP, a new password) and sent, the session
// the call carried (an answer that rotated the pair made it not current,
// and may echo it).
func (t *Transport) secrets(op *Op, sent *credential.Token) []string {
	if t == nil {
		return nil
	}
	out := make([]string, 0, len(t.cfg.Secrets)+4)
	out = append(out, t.cfg.Secrets...)
	if op != nil {
		out = append(out, op.Redact...)
		for _, v := range op.SecretHeaders {
			out = append(out, v...)
		}
	}
	if t.tokens != nil {
		if tok := t.tokens.Current(); tok != nil {
			out = append(out, tok.Access, tok.Refresh)
		}
	}
	for _, v := range t.cfg.SecretHeaders {
		out = append(out, v...)
	}
	if sent != nil {
		out = append(out, sent.Access, sent.Refresh)
	}
	return out
}

// redactURLError removes the query string (which may hold a token) from
// the URL that net/http puts in its errors.
func redactURLError(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	u, perr := url.Parse(ue.URL)
	if perr != nil {
		return &url.Error{Op: ue.Op, URL: "[unparsable URL]", Err: ue.Err}
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
}

// redactedCause is a cause as a *CallError shows it: the client's and the
// call's secrets masked in every form, query strings stripped (a peer may
// echo the request line, a token in its query); errors.Is and errors.As
// still reach the cause itself.
type redactedCause struct {
	msg string
	err error
}

func (e *redactedCause) Error() string { return e.msg }

func (e *redactedCause) Unwrap() error { return e.err }

func (t *Transport) redactedCause(op *Op, sent *credential.Token, err error) error {
	msg := err.Error()
	clean := redact.String(redact.StripQueries(msg), t.secrets(op, sent)...)
	if clean == msg {
		return err
	}
	return &redactedCause{msg: clean, err: err}
}

// redactedErr is err as observers may see it: no secret, no query.
func (t *Transport) redactedErr(op *Op, sent *credential.Token, err error) error {
	if err == nil {
		return nil
	}
	return redactedError{msg: redact.String(redactURLError(err).Error(), t.secrets(op, sent)...), err: err}
}

// redactedError reads redacted and still matches what err matches.
type redactedError struct {
	msg string
	err error
}

func (e redactedError) Error() string { return e.msg }

func (e redactedError) Is(target error) bool {
	return errors.Is(e.err, target)
}
