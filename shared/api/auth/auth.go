// Package auth verifies the JSON Web Tokens the stack's Cognito user pool
// issues to agents: RS256 signatures against the pool's published keys
// (golang-jwt/jwt with MicahParks/keyfunc; nothing here parses a token or
// checks a signature by hand), the issuer, expiry and the app client.
//
// Both kinds of Cognito token are accepted: an access token (token_use
// "access", the app client in client_id) and an ID token (token_use "id",
// the app client in aud). API Gateway's JWT authorizer accepts the same two;
// the function verifies again so that it never trusts a route's
// configuration alone, and so that tests and the local stack, which have no
// API Gateway, check the same thing.
package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Config locates the user pool's tokens and keys. A function's config
// embeds it (config.Load fills embedded structs).
type Config struct {
	// Issuer is the pool's issuer, exactly as tokens name it:
	// https://cognito-idp.<region>.amazonaws.com/<pool id>.
	Issuer string `env:"COGNITO_ISSUER,required"`
	// ClientID is the app client tokens must be issued to.
	ClientID string `env:"COGNITO_CLIENT_ID,required"`
	// JWKSURL is where the pool's public keys are, by default
	// Issuer + "/.well-known/jwks.json". Set it apart from the issuer for
	// moto, whose tokens name the AWS host while it serves the keys itself.
	JWKSURL string `env:"COGNITO_JWKS_URL"`
}

// KeysURL is JWKSURL, or the issuer's well-known key set when it is empty.
func (c Config) KeysURL() string {
	if c.JWKSURL != "" {
		return c.JWKSURL
	}
	return strings.TrimSuffix(c.Issuer, "/") + "/.well-known/jwks.json"
}

const (
	// ClockSkew is how far the verifier's clock may be from Cognito's: a
	// token is accepted up to 30 s after exp, and from 30 s before iat/nbf.
	ClockSkew = 30 * time.Second
	// refreshUnknownKey: a token whose kid is not among the keys makes the
	// verifier fetch the key set again (Cognito rotated its keys), at most
	// once a minute, so tokens with made-up kids cannot flood the pool's
	// endpoint.
	refreshUnknownKey = time.Minute
	// refreshWaitMax: a request never waits for the rate limiter longer
	// than this; within the minute it is refused at once.
	refreshWaitMax = 100 * time.Millisecond
	// refreshInterval: the keys are also fetched again in the background.
	refreshInterval = time.Hour
	// maxTokenLen: Cognito tokens are a few KB; anything far longer is
	// refused before parsing.
	maxTokenLen = 16 << 10
)

// Reasons of the errors Verify returns, all with code helpdesk.EUnauthorised.
const (
	ReasonMissing       = "token_missing"       // no bearer token, or another scheme
	ReasonMalformed     = "token_malformed"     // not a JWT
	ReasonInvalid       = "token_invalid"       // bad signature, algorithm or claims
	ReasonUnknownKey    = "unknown_key"         // signed with a key the pool does not publish
	ReasonExpired       = "token_expired"       // past exp (+ skew)
	ReasonNotYetValid   = "token_not_yet_valid" // before nbf or iat (- skew)
	ReasonWrongIssuer   = "wrong_issuer"        // another pool, or another region
	ReasonWrongAudience = "wrong_audience"      // issued to another app client
	ReasonWrongUse      = "wrong_token_use"     // neither an access nor an ID token
)

// Identity is who a verified token is for.
type Identity struct {
	// Sub is the user's immutable id in the pool: what links a user to its
	// agent.
	Sub string
	// Username is the Cognito username (access token `username`, ID token
	// `cognito:username`). In a pool that signs in by email it is an opaque
	// id, not the address.
	Username string
	// Email is the user's address; only ID tokens carry it ("" for an
	// access token).
	Email string
	// Groups are the user's pool groups (cognito:groups).
	Groups []string
	// TokenUse is "access" or "id".
	TokenUse  string
	ExpiresAt time.Time
	// IssuedAt is the token's iat (zero if it has none).
	IssuedAt time.Time
}

// claims are the Cognito claims read from either kind of token.
type claims struct {
	jwt.RegisteredClaims
	TokenUse        string   `json:"token_use"`
	ClientID        string   `json:"client_id"`
	Username        string   `json:"username"`
	CognitoUsername string   `json:"cognito:username"`
	Email           string   `json:"email"`
	Groups          []string `json:"cognito:groups"`
}

// Verifier verifies the pool's tokens. It is safe for concurrent use.
type Verifier struct {
	cfg    Config
	keys   keyfunc.Keyfunc
	parser *jwt.Parser
}

// Option configures a Verifier.
type Option func(*options)

type options struct {
	client *http.Client
	now    func() time.Time
	log    *slog.Logger
}

// WithHTTPClient sets the client the keys are fetched with.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.client = c } }

// WithClock sets the clock tokens' times are checked against.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithLogger sets where failed background key refreshes are logged.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// New fetches the pool's keys and returns a verifier. It fails when the
// keys cannot be fetched, so a wrong URL or an unreachable pool shows at
// start, not as every agent's 401. ctx bounds the first fetch and ends the
// background refresh when it is done.
func New(ctx context.Context, cfg Config, opts ...Option) (*Verifier, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" {
		return nil, errors.New("auth: issuer and client id are required")
	}
	o := options{client: &http.Client{Timeout: 10 * time.Second}, now: time.Now, log: slog.Default()}
	for _, opt := range opts {
		opt(&o)
	}
	url := cfg.KeysURL()
	failFast := false
	keys, err := keyfunc.NewDefaultOverrideCtx(ctx, []string{url}, keyfunc.Override{
		Client:                    o.client,
		HTTPTimeout:               10 * time.Second,
		NoErrorReturnFirstHTTPReq: &failFast,
		RateLimitWaitMax:          refreshWaitMax,
		RefreshInterval:           refreshInterval,
		RefreshUnknownKID:         rate.NewLimiter(rate.Every(refreshUnknownKey), 1),
		RefreshErrorHandlerFunc: func(u string) func(context.Context, error) {
			return func(ctx context.Context, err error) {
				o.log.WarnContext(ctx, "fetch user pool keys", "jwks_url", u, "error", err)
			}
		},
	})
	if err != nil {
		return nil, fmt.Errorf("auth: fetch user pool keys from %s: %w", url, err)
	}
	return &Verifier{
		cfg:  cfg,
		keys: keys,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
			jwt.WithIssuer(cfg.Issuer),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(ClockSkew),
			jwt.WithTimeFunc(o.now),
		),
	}, nil
}

// Verify checks a bearer token, given as the Authorization header's value
// ("Bearer <token>") or as the bare token, and returns whom it identifies.
// Every refusal is a *helpdesk.Error with code helpdesk.EUnauthorised, one
// of the Reason* reasons and a message that says what was wrong without
// repeating the token.
func (v *Verifier) Verify(ctx context.Context, bearer string) (Identity, error) {
	raw := strings.TrimSpace(bearer)
	if scheme, rest, ok := strings.Cut(raw, " "); ok {
		if !strings.EqualFold(scheme, "Bearer") {
			return Identity{}, refuse(ReasonMissing, "the Authorization scheme is not Bearer")
		}
		raw = strings.TrimSpace(rest)
	}
	switch {
	case raw == "" || strings.EqualFold(raw, "Bearer"):
		return Identity{}, refuse(ReasonMissing, "no bearer token")
	case len(raw) > maxTokenLen:
		return Identity{}, refuse(ReasonMalformed, "the bearer token is too long to be a user pool token")
	}
	var c claims
	tok, err := v.parser.ParseWithClaims(raw, &c, v.keys.KeyfuncCtx(ctx))
	if err != nil {
		return Identity{}, parseError(tok, err)
	}
	switch c.TokenUse {
	case "access":
		if c.ClientID != v.cfg.ClientID {
			return Identity{}, refuse(ReasonWrongAudience, "the access token was issued to another app client")
		}
	case "id":
		if !slices.Contains(c.Audience, v.cfg.ClientID) {
			return Identity{}, refuse(ReasonWrongAudience, "the ID token was issued to another app client")
		}
	default:
		return Identity{}, refuse(ReasonWrongUse, "the token is neither an access token nor an ID token")
	}
	if c.Subject == "" {
		return Identity{}, refuse(ReasonInvalid, "the token names no subject (sub)")
	}
	id := Identity{Sub: c.Subject, Username: c.Username, Email: c.Email, Groups: c.Groups, TokenUse: c.TokenUse}
	if c.TokenUse == "id" {
		id.Username = c.CognitoUsername
	}
	if c.ExpiresAt != nil {
		id.ExpiresAt = c.ExpiresAt.Time
	}
	if c.IssuedAt != nil {
		id.IssuedAt = c.IssuedAt.Time
	}
	return id, nil
}

// parseError names what the parser refused. Claim errors come only after
// the signature verified, so an expired forgery reads as invalid, not
// expired.
func parseError(tok *jwt.Token, err error) error {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return refuse(ReasonMalformed, "the bearer token is not a well-formed JWT")
	case tok != nil && tok.Method != nil && tok.Method.Alg() != jwt.SigningMethodRS256.Alg():
		return refuse(ReasonInvalid, "the token is not signed with RS256")
	case errors.Is(err, jwkset.ErrKeyNotFound), errors.Is(err, keyfunc.ErrKeyfunc):
		// Not among the keys, even after a refetch, or the refetch was
		// rate-limited.
		return refuse(ReasonUnknownKey, "the token is signed with a key the user pool does not publish")
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return refuse(ReasonInvalid, "the token's signature does not verify")
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return refuse(ReasonInvalid, "the token's signature cannot be verified")
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return refuse(ReasonWrongIssuer, "the token was not issued by this stack's user pool")
	case errors.Is(err, jwt.ErrTokenExpired):
		return refuse(ReasonExpired, "the token has expired")
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return refuse(ReasonNotYetValid, "the token is not valid yet")
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return refuse(ReasonInvalid, "the token lacks a required claim (exp, iss)")
	}
	return refuse(ReasonInvalid, "the token's claims are invalid")
}

func refuse(reason, msg string) *helpdesk.Error {
	return helpdesk.Errorf(helpdesk.EUnauthorised, reason, "%s", msg)
}
