package web

import (
	"context"
	"time"

	"github.com/custos-privacy/custos"
	"github.com/custos-privacy/custos/connected"
	"github.com/custos-privacy/custos/consent"
	"github.com/custos-privacy/custos/policy"
	"github.com/custos-privacy/custos/requests"
)

// The interfaces below are what the pages call, declared where they are
// used (as the API's handlers declare theirs in http/api/deps.go): each
// lists only the methods the pages need, so a page cannot reach past its
// service and a reader sees the whole surface in one place. The services
// satisfy them; the assertions in deps_test.go say so at compile time.

// Policies reads the policy in force and the versions to come
// (policy.Registry).
type Policies interface {
	Active(ctx context.Context) (*policy.Policy, custos.PolicyVersion, error)
	Upcoming(ctx context.Context) ([]custos.PolicyVersion, error)
	// Parsed is a published version's policy, for the notice of changes
	// to come.
	Parsed(v custos.PolicyVersion) (*policy.Policy, error)
}

// Requests takes and follows people's requests in the privacy centre and
// the preferences page, and lets the console decide them
// (requests.Service).
type Requests interface {
	// The privacy centre.
	Submit(ctx context.Context, in requests.Intake, clientIP string, gpc bool) (string, error)
	Verify(ctx context.Context, id, code string) (requests.Verified, error)
	Status(ctx context.Context, id, token string) (requests.SubjectView, error)
	IdentityCheck(ctx context.Context, id, token string) (*requests.IdentityAsk, error)
	ConfirmIdentity(ctx context.Context, id, token, clientIP string, in requests.IdentityProof) (requests.Verified, error)

	// The preferences page.
	SendPreferencesCode(ctx context.Context, email, clientIP, lang string) (string, error)
	CheckPreferencesCode(email, ticket, code string) error
	PreferencesSession(email string) (string, error)
	OpenPreferencesSession(value string) (string, error)

	// The console.
	Queue(ctx context.Context, status string) ([]requests.View, error)
	Get(ctx context.Context, id string) (requests.View, error)
	AnswerOf(ctx context.Context, id string) (requests.Answer, error)
	ComplaintText(ctx context.Context, actor, id string) (string, error)
	ErasurePreview(ctx context.Context, actor, id string) (connected.Preview, error)
	ApproveWith(ctx context.Context, actor, id, plan, decision string) (requests.View, error)
	Deny(ctx context.Context, actor, id, code, text string) (requests.View, error)
	Extend(ctx context.Context, actor, id, reason string) (requests.View, error)
	ControllerInstruction(ctx context.Context, actor, id, controller, action string) (requests.View, error)
	Report(ctx context.Context, year int) (requests.MetricsReport, error)
}

// Consent records the choices made on the preferences page and reads them
// back (consent.Service).
type Consent interface {
	Record(ctx context.Context, actor string, c consent.Choice, gpcHeader bool) (consent.Recorded, error)
	StateOf(ctx context.Context, actor string, ref custos.SubjectRef, deviceID string) (consent.State, error)
}

// Auth checks operator tokens and keeps the console's sessions
// (auth.Service).
type Auth interface {
	Authenticate(ctx context.Context, secret string) (custos.Token, error)
	// Create and Tokens let single sign-on find or make the token an
	// operator signs in as.
	Create(ctx context.Context, actor string, role custos.Role, name string) (string, custos.Token, error)
	Tokens(ctx context.Context) ([]custos.Token, error)
	StartSession(ctx context.Context, sid []byte, tokenID int64, until time.Time) error
	Session(ctx context.Context, sid []byte, tokenID int64) (custos.Token, error)
	EndSession(ctx context.Context, sid []byte) error
}

// Progress tells how far a request has got in the company's connected
// systems, and whether there are any (connected.Service).
type Progress interface {
	Progress(ctx context.Context, requestID string) ([]connected.Task, error)
	Any(ctx context.Context) (bool, error)
}
