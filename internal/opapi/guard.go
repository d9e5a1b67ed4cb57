package opapi

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strings"
)

// The operator API is not open to everyone: with a token set, every request
// that changes something, and every request from beyond loopback but the
// health report, must carry it as "Authorization: Bearer <token>". Changing
// requests a browser sends from another site are refused whatever the
// token (Sec-Fetch-Site or Origin says so), so that no web page the
// operator visits can fire steps or move the clock.

// guarded wraps a handler that needs the operator token when one is set.
func (a *api) guarded(fn handlerFunc) handlerFunc {
	return func(r *http.Request) (any, error) {
		if err := a.authorize(r); err != nil {
			return nil, err
		}
		return fn(r)
	}
}

// authorize checks the token: always for a change, for a read only from
// beyond loopback.
func (a *api) authorize(r *http.Request) error {
	if a.opts.Token == "" {
		return nil
	}
	if r.Method == http.MethodGet && fromLoopback(r) {
		return nil
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(a.opts.Token)) != 1 {
		return &Error{http.StatusUnauthorized, "this operator request needs the operator token: send Authorization: Bearer <token>"}
	}
	return nil
}

func fromLoopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// crossSite refuses changing requests a browser sends from another site.
func (a *api) crossSite(next http.Handler) http.Handler {
	cross := http.NewCrossOriginProtection()
	cross.SetDenyHandler(a.wrap(func(r *http.Request) (any, error) {
		return nil, &Error{http.StatusForbidden, "cross-site requests may not change dxlab: send operator requests from a program, not a web page"}
	}))
	return cross.Handler(next)
}
