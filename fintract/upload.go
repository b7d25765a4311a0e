package fintract

import (
	"context"
	"io"
	"net/http"
	"strconv"

	"github.com/banklink/banklink-go/internal/transport"
	"github.com/banklink/banklink-go/internal/upload"
)

// File is what an upload sends. Give Body or Open, not both.
//
// The content is streamed while the request is sent, in constant memory.
// A file is sent again after a failed connection only when it can be read
// again: Body is an io.ReadSeeker (an *os.File, a *bytes.Reader, …) or Open
// is set. A plain io.Reader is sent once.
type File struct {
	// Name is the file name sent to the server (required).
	Name string
	// ContentType is the part's type; when empty it is taken from Name's
	// extension, else sniffed from the first 512 bytes.
	ContentType string
	// Body is the content, read from its current offset.
	Body io.Reader
	// Open opens the content afresh for each attempt.
	Open func() (io.ReadCloser, error)
	// Size is the content's length when Body is not an io.Seeker (or with
	// Open). With it the request carries a Content-Length; without it the
	// body is sent chunked, which some WSGI servers cannot read.
	Size int64
	// Progress, when set, is called as the content is sent with the bytes
	// sent so far and the total (-1 when unknown); a retried upload starts
	// again from 0. It runs in the goroutine sending the body: keep it
	// quick. Nil: no reports.
	Progress func(sent, total int64)
}

// UploadAvatar uploads a user's avatar (POST /auth/avatar/{id}/, field
// "file") and returns the updated user.
func (c *Client) UploadAvatar(ctx context.Context, userID int, f File) (*User, error) {
	if userID <= 0 {
		return nil, invalid("upload_avatar", "id", "a user id is required")
	}
	var u *User
	err := c.upload(ctx, "upload_avatar", "auth/avatar/"+strconv.Itoa(userID)+"/", f, func(r *transport.Response) (err error) {
		u, err = decodeUser(r, true)
		return err
	})
	return u, err
}

// UploadFile uploads a file (POST /auth/upload/, field "file") and returns
// the URL the server stored it at.
func (c *Client) UploadFile(ctx context.Context, f File) (string, error) {
	var url string
	err := c.upload(ctx, "upload_file", "auth/upload/", f, func(r *transport.Response) error {
		var out struct {
			URL string `json:"url"`
		}
		if err := decodeJSON(r, &out); err != nil {
			return err
		}
		if out.URL == "" {
			return shapeError(r, "no url")
		}
		url = out.URL
		return nil
	})
	return url, err
}

func (c *Client) upload(ctx context.Context, name, path string, f File, decode func(*transport.Response) error) error {
	body, err := upload.Prepare("file", upload.Source{Name: f.Name, ContentType: f.ContentType, Body: f.Body, Open: f.Open, Size: f.Size, Progress: f.Progress})
	if err != nil {
		return invalid(name, "file", err.Error())
	}
	return c.t.Do(ctx, &transport.Op{
		Name: name, Method: http.MethodPost, Path: path, Auth: true,
		BodyFunc: body.Open, ContentLength: body.Length, ContentType: body.ContentType,
		NoRetry: !body.Rewindable,
	}, decode)
}
