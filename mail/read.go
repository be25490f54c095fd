package mail

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Received is a message read back from a Maildir: its main headers and its
// plain-text body, decoded.
type Received struct {
	File    string
	From    string
	To      string
	Subject string
	Date    string
	Text    string
	// Request is the X-Custos-Request header: the privacy request a
	// message is about, where Custos names one (its verification codes).
	Request string
}

// ErrNoMessage is returned by Latest when no message to the address exists.
var ErrNoMessage = errors.New("mail: no message to that address")

// maxReadBytes bounds one message read back from a Maildir; Custos' own
// mails are a few kilobytes, so anything larger is not one of them.
const maxReadBytes = 1 << 20

// maxPartDepth bounds nested multipart bodies.
const maxPartDepth = 4

// Latest returns the newest message in the Maildir at dir (new/ and cur/)
// addressed to the address to, compared case-insensitively. It is a
// development helper: it lets a tour or a test read the code Custos mailed
// without opening quoted-printable files by hand.
func Latest(dir, to string) (Received, error) {
	return LatestFor(dir, to, "")
}

// LatestFor is Latest, keeping only messages about the privacy request
// request (their X-Custos-Request header) unless request is empty: a
// person who asks twice gets two codes, and the newest message to the
// address may be the first request's while the second's is on its way.
func LatestFor(dir, to, request string) (Received, error) {
	want, err := netmail.ParseAddress(to)
	if err != nil {
		return Received{}, fmt.Errorf("mail: %q is not an address: %w", to, err)
	}
	var files []string
	for _, sub := range []string{"new", "cur"} {
		names, err := filepath.Glob(filepath.Join(dir, sub, "*"))
		if err != nil {
			return Received{}, err
		}
		files = append(files, names...)
	}
	if len(files) == 0 {
		if _, err := os.Stat(dir); err != nil {
			return Received{}, fmt.Errorf("mail: no Maildir at %s: %w", dir, err)
		}
	}
	// Maildir names start with the delivery time (seconds, then
	// microseconds), so the newest is the greatest base name.
	slices.SortFunc(files, func(a, b string) int { return strings.Compare(filepath.Base(b), filepath.Base(a)) })
	for _, f := range files {
		r, err := readMessage(f)
		if err != nil {
			continue // not a message this helper can read; look further back
		}
		if addressedTo(r.To, want.Address) && (request == "" || r.Request == request) {
			return r, nil
		}
	}
	if request != "" {
		return Received{}, fmt.Errorf("%w %s about request %s in %s", ErrNoMessage, want.Address, request, dir)
	}
	return Received{}, fmt.Errorf("%w %s in %s", ErrNoMessage, want.Address, dir)
}

func addressedTo(header, addr string) bool {
	list, err := netmail.ParseAddressList(header)
	if err != nil {
		return false
	}
	for _, a := range list {
		if strings.EqualFold(a.Address, addr) {
			return true
		}
	}
	return false
}

func readMessage(path string) (Received, error) {
	f, err := os.Open(path)
	if err != nil {
		return Received{}, err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, maxReadBytes+1))
	if err != nil {
		return Received{}, err
	}
	if len(raw) > maxReadBytes {
		return Received{}, errors.New("mail: message too large")
	}
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Received{}, err
	}
	dec := new(mime.WordDecoder)
	header := func(k string) string {
		v := m.Header.Get(k)
		if d, err := dec.DecodeHeader(v); err == nil {
			return d
		}
		return v
	}
	text, err := textPart(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body, 0)
	if err != nil {
		return Received{}, err
	}
	return Received{File: path, From: header("From"), To: header("To"), Subject: header("Subject"), Date: m.Header.Get("Date"), Text: text,
		Request: m.Header.Get(RequestHeader)}, nil
}

// textPart returns the first text/plain part of a body, decoded.
func textPart(contentType, encoding string, body io.Reader, depth int) (string, error) {
	if depth > maxPartDepth {
		return "", errors.New("mail: parts nested too deep")
	}
	media, params, err := mime.ParseMediaType(contentType)
	if contentType == "" {
		media, err = "text/plain", nil
	}
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(media, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				return "", fmt.Errorf("mail: no text part: %w", err)
			}
			text, err := textPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, depth+1)
			if err == nil {
				return text, nil
			}
		}
	}
	if media != "text/plain" {
		return "", errors.New("mail: not a text part")
	}
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return "", err
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n"), nil
}
