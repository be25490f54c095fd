package web

import (
	"net/http"
	"strings"
)

// SecureBaseURL reports whether Custos' public address is https. serve
// speaks plain HTTP behind whatever terminates TLS, so a request's own
// scheme (r.TLS) says nothing about what the browser sees; the configured
// base URL does.
func SecureBaseURL(baseURL string) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(baseURL)), "https://")
}

// setCookie is the one place the pages make cookies, so none can differ:
// always HttpOnly, Secure whenever the public address is https. maxAge < 0
// deletes the cookie.
func (d Deps) setCookie(w http.ResponseWriter, name, value, path string, site http.SameSite, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: path, HttpOnly: true, SameSite: site,
		Secure: SecureBaseURL(d.BaseURL), MaxAge: maxAge})
}
