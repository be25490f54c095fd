package banner

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/custos-privacy/custos"
)

// A device id is random, but it is not secret: it sits in the site's
// first-party cookie, where the site's server and any script on its pages
// can read it. So a device id alone does not let anyone change that
// device's choices. The first time Custos sees a device it issues a device
// token (an HMAC of the id under an instance secret) and records that it
// did; from then on a choice for the device must carry the token. The
// banner keeps the token in localStorage only, never in the cookie.
//
// Devices that made choices before tokens existed get one the same way, at
// their next visit (the config request names the device) or their next
// choice: whoever presents the id first after the upgrade gets the token.
// That is the residual risk, documented in README.md.

// DeviceClaims records, once per device, that its token was issued.
// *store.Store implements it.
type DeviceClaims interface {
	// ClaimBannerDevice records the issue and reports whether this call
	// was the first for the device.
	ClaimBannerDevice(ctx context.Context, deviceID string, at time.Time) (bool, error)
	// ReleaseBannerDevice undoes a claim whose token never reached the
	// browser.
	ReleaseBannerDevice(ctx context.Context, deviceID string) error
}

// Error codes of device tokens.
const (
	CodeDeviceTokenRequired = "device_token_required"
	CodeDeviceTokenInvalid  = "device_token_invalid"
)

// deviceTokenLength is the length of a device token: 18 bytes of HMAC in
// unpadded base64url.
const deviceTokenLength = 24

// deviceToken is the token of a device id.
func (h *handler) deviceToken(deviceID string) string {
	m := hmac.New(sha256.New, h.d.DeviceKey)
	m.Write([]byte("custos banner device token v1\x00"))
	m.Write([]byte(deviceID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

func (h *handler) validToken(deviceID, token string) bool {
	return len(token) == deviceTokenLength && hmac.Equal([]byte(token), []byte(h.deviceToken(deviceID)))
}

// devicesReady: the server was built with what device tokens need.
func (h *handler) devicesReady() bool { return h.d.Devices != nil && len(h.d.DeviceKey) > 0 }

// mayClaim applies the recording limits to a claim made by a config
// request, so claims cannot fill the table faster than choices can; a
// limited request is served its config without a token.
func (h *handler) mayClaim(r *http.Request) bool {
	if ok, _ := h.limit.Allow(h.d.ClientIP(r)); !ok {
		return false
	}
	ok, _ := h.global.Allow("")
	return ok
}

// authorizeDevice decides whether a choice for deviceID may be recorded.
// With a valid token it may. Without one it may only when no token was
// ever issued for the device, and then this call issues it: issued is the
// new token, which the caller must hand back (or release on failure).
func (h *handler) authorizeDevice(ctx context.Context, deviceID, token string) (issued string, err error) {
	if token != "" {
		if !h.validToken(deviceID, token) {
			return "", custos.Errorf(custos.KindForbidden, CodeDeviceTokenInvalid,
				"The device token does not belong to this device; a new device id is needed.")
		}
		return "", nil
	}
	first, err := h.d.Devices.ClaimBannerDevice(ctx, deviceID, h.d.Clock.Now())
	if err != nil {
		return "", err
	}
	if !first {
		return "", custos.Errorf(custos.KindForbidden, CodeDeviceTokenRequired,
			"Choices for this device can only be changed with its device token.")
	}
	return h.deviceToken(deviceID), nil
}
