package auth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"

	"github.com/stackdesk/stackdesk/shared/api/auth"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/platform/config"
)

const (
	issuer   = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TEST"
	clientID = "console-client"
	sub      = "6f1c1a2e-0000-4000-8000-000000000001"
)

var now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// pool is a fake user pool: its keys, served as a JWK Set over HTTP.
type pool struct {
	t       *testing.T
	srv     *httptest.Server
	fetches atomic.Int32
	mu      sync.Mutex
	keys    map[string]*rsa.PrivateKey // by kid
}

func newPool(t *testing.T) *pool {
	p := &pool{t: t, keys: map[string]*rsa.PrivateKey{"key-1": rsaKey(t)}}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.fetches.Add(1)
		p.mu.Lock()
		defer p.mu.Unlock()
		var set jwkset.JWKSMarshal
		for kid, k := range p.keys {
			jwk, err := jwkset.NewJWKFromKey(k.Public(), jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{
				KID: kid, ALG: jwkset.AlgRS256, USE: jwkset.UseSig}})
			if err != nil {
				t.Error(err)
			}
			set.Keys = append(set.Keys, jwk.Marshal())
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func rsaKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func (p *pool) addKey(kid string) {
	p.mu.Lock()
	p.keys[kid] = rsaKey(p.t)
	p.mu.Unlock()
}

func (p *pool) key(kid string) *rsa.PrivateKey {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.keys[kid]
}

func (p *pool) verifier(t *testing.T) *auth.Verifier {
	t.Helper()
	v, err := auth.New(t.Context(), auth.Config{Issuer: issuer, ClientID: clientID, JWKSURL: p.srv.URL + "/jwks.json"},
		auth.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// accessClaims and idClaims are what Cognito puts in its tokens.
func accessClaims() jwt.MapClaims {
	return jwt.MapClaims{
		"iss": issuer, "sub": sub, "client_id": clientID, "token_use": "access",
		"scope": "aws.cognito.signin.user.admin", "username": sub, "cognito:groups": []string{"admins"},
		"iat": now.Add(-time.Minute).Unix(), "auth_time": now.Add(-time.Minute).Unix(),
		"exp": now.Add(59 * time.Minute).Unix(), "jti": "a1",
	}
}

func idClaims() jwt.MapClaims {
	return jwt.MapClaims{
		"iss": issuer, "sub": sub, "aud": clientID, "token_use": "id", "cognito:username": sub,
		"email": "ana@acme.example", "email_verified": true,
		"iat": now.Add(-time.Minute).Unix(), "auth_time": now.Add(-time.Minute).Unix(),
		"exp": now.Add(59 * time.Minute).Unix(), "jti": "i1",
	}
}

func sign(t *testing.T, key *rsa.PrivateKey, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func with(c jwt.MapClaims, set map[string]any, del ...string) jwt.MapClaims {
	c = maps.Clone(c)
	for k, v := range set {
		c[k] = v
	}
	for _, k := range del {
		delete(c, k)
	}
	return c
}

func TestVerifyAcceptsCognitoAccessAndIDTokens(t *testing.T) {
	p := newPool(t)
	v := p.verifier(t)
	key := p.key("key-1")

	id, err := v.Verify(context.Background(), "Bearer "+sign(t, key, "key-1", accessClaims()))
	if err != nil {
		t.Fatalf("access token: %v", err)
	}
	want := auth.Identity{Sub: sub, Username: sub, Groups: []string{"admins"}, TokenUse: "access",
		ExpiresAt: time.Unix(now.Add(59*time.Minute).Unix(), 0)}
	if id.Sub != want.Sub || id.Username != want.Username || id.Email != "" || id.TokenUse != "access" ||
		strings.Join(id.Groups, ",") != "admins" || !id.ExpiresAt.Equal(want.ExpiresAt) {
		t.Errorf("access identity = %+v, want %+v", id, want)
	}

	// The bare token is accepted too, and any case of the scheme.
	id, err = v.Verify(context.Background(), sign(t, key, "key-1", idClaims()))
	if err != nil {
		t.Fatalf("ID token: %v", err)
	}
	if id.Sub != sub || id.Username != sub || id.Email != "ana@acme.example" || id.TokenUse != "id" {
		t.Errorf("ID identity = %+v", id)
	}
	if _, err := v.Verify(context.Background(), "  bearer  "+sign(t, key, "key-1", idClaims())+" "); err != nil {
		t.Errorf("lower-case scheme, spaces: %v", err)
	}
	// An ID token with aud as a list (the JWT standard allows it).
	if _, err := v.Verify(context.Background(), sign(t, key, "key-1", with(idClaims(), map[string]any{"aud": []string{"other", clientID}}))); err != nil {
		t.Errorf("aud list: %v", err)
	}
	if n := p.fetches.Load(); n != 1 {
		t.Errorf("keys fetched %d times, want once", n)
	}
}

func TestVerifyRefuses(t *testing.T) {
	p := newPool(t)
	v := p.verifier(t)
	key := p.key("key-1")
	ok := func(c jwt.MapClaims) string { return sign(t, key, "key-1", c) }
	hs256 := func() string {
		// The classic confusion: HMAC keyed with the RSA public key.
		pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		tok := jwt.NewWithClaims(jwt.SigningMethodHS256, accessClaims())
		tok.Header["kid"] = "key-1"
		s, err := tok.SignedString(pub)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	none := func() string {
		tok := jwt.NewWithClaims(jwt.SigningMethodNone, accessClaims())
		tok.Header["kid"] = "key-1"
		s, err := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	valid := ok(accessClaims())
	parts := strings.Split(valid, ".")

	for _, tc := range []struct {
		name, bearer, reason string
	}{
		{"empty", "", auth.ReasonMissing},
		{"blank", "   ", auth.ReasonMissing},
		{"scheme only", "Bearer ", auth.ReasonMissing},
		{"another scheme", "Basic " + valid, auth.ReasonMissing},
		{"not a JWT", "Bearer not-a-token", auth.ReasonMalformed},
		{"two segments", parts[0] + "." + parts[1], auth.ReasonMalformed},
		{"claims not JSON", parts[0] + ".bm90IGpzb24." + parts[2], auth.ReasonMalformed},
		{"too long", "Bearer " + strings.Repeat("a", 20000), auth.ReasonMalformed},
		{"expired", ok(with(accessClaims(), map[string]any{"exp": now.Add(-auth.ClockSkew - time.Second).Unix()})), auth.ReasonExpired},
		{"no exp", ok(with(accessClaims(), nil, "exp")), auth.ReasonInvalid},
		{"not yet valid (nbf)", ok(with(accessClaims(), map[string]any{"nbf": now.Add(time.Minute).Unix()})), auth.ReasonNotYetValid},
		{"issued in the future", ok(with(accessClaims(), map[string]any{"iat": now.Add(time.Minute).Unix()})), auth.ReasonNotYetValid},
		{"forged: another key, same kid", sign(t, rsaKey(t), "key-1", accessClaims()), auth.ReasonInvalid},
		{"forged and expired", sign(t, rsaKey(t), "key-1", with(accessClaims(), map[string]any{"exp": now.Add(-time.Hour).Unix()})), auth.ReasonInvalid},
		{"claims changed after signing", parts[0] + "." + strings.Split(ok(with(accessClaims(), map[string]any{"sub": "someone-else"})), ".")[1] + "." + parts[2], auth.ReasonInvalid},
		{"wrong issuer", ok(with(accessClaims(), map[string]any{"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_OTHER"})), auth.ReasonWrongIssuer},
		{"no issuer", ok(with(accessClaims(), nil, "iss")), auth.ReasonInvalid},
		{"access token of another client", ok(with(accessClaims(), map[string]any{"client_id": "other"})), auth.ReasonWrongAudience},
		{"access token without client_id", ok(with(accessClaims(), nil, "client_id")), auth.ReasonWrongAudience},
		{"access token with aud but no client_id", ok(with(accessClaims(), map[string]any{"aud": clientID}, "client_id")), auth.ReasonWrongAudience},
		{"ID token of another client", ok(with(idClaims(), map[string]any{"aud": "other"})), auth.ReasonWrongAudience},
		{"ID token with client_id but no aud", ok(with(idClaims(), map[string]any{"client_id": clientID}, "aud")), auth.ReasonWrongAudience},
		{"refresh-like token_use", ok(with(accessClaims(), map[string]any{"token_use": "refresh"})), auth.ReasonWrongUse},
		{"no token_use", ok(with(accessClaims(), nil, "token_use")), auth.ReasonWrongUse},
		{"no sub", ok(with(accessClaims(), nil, "sub")), auth.ReasonInvalid},
		{"HS256", hs256(), auth.ReasonInvalid},
		{"alg none", none(), auth.ReasonInvalid},
		{"RS512", func() string {
			tok := jwt.NewWithClaims(jwt.SigningMethodRS512, accessClaims())
			tok.Header["kid"] = "key-1"
			s, _ := tok.SignedString(key)
			return s
		}(), auth.ReasonInvalid},
		{"unknown kid", sign(t, rsaKey(t), "key-9", accessClaims()), auth.ReasonUnknownKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), tc.bearer)
			var he *helpdesk.Error
			if !errors.As(err, &he) {
				t.Fatalf("err = %v, want a *helpdesk.Error", err)
			}
			if he.Code != helpdesk.EUnauthorised || he.Reason != tc.reason {
				t.Errorf("err = %v, want code %s reason %s", err, helpdesk.EUnauthorised, tc.reason)
			}
			if he.Message == "" {
				t.Error("no message")
			}
			// The message says what was wrong, never the token or a part of it.
			for _, seg := range strings.Split(strings.TrimPrefix(strings.TrimSpace(tc.bearer), "Bearer "), ".") {
				if len(seg) > 8 && strings.Contains(err.Error(), seg) {
					t.Errorf("message %q repeats the token", err.Error())
				}
			}
		})
	}
}

func TestVerifyAllowsClockSkew(t *testing.T) {
	p := newPool(t)
	v := p.verifier(t)
	key := p.key("key-1")
	within := auth.ClockSkew - time.Second
	for name, c := range map[string]jwt.MapClaims{
		"expired within the skew":   with(accessClaims(), map[string]any{"exp": now.Add(-within).Unix()}),
		"issued within the skew":    with(accessClaims(), map[string]any{"iat": now.Add(within).Unix()}),
		"not before, within a skew": with(accessClaims(), map[string]any{"nbf": now.Add(within).Unix()}),
	} {
		if _, err := v.Verify(context.Background(), sign(t, key, "key-1", c)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// An unknown kid makes the verifier fetch the keys again (Cognito rotated
// them), at most once a minute: a flood of made-up kids costs one fetch.
func TestVerifyRefetchesKeysOnAnUnknownKidRateLimited(t *testing.T) {
	p := newPool(t)
	v := p.verifier(t)
	if n := p.fetches.Load(); n != 1 {
		t.Fatalf("fetches after New = %d, want 1", n)
	}
	p.addKey("key-2")
	if _, err := v.Verify(context.Background(), sign(t, p.key("key-2"), "key-2", accessClaims())); err != nil {
		t.Fatalf("token of a rotated-in key: %v", err)
	}
	if n := p.fetches.Load(); n != 2 {
		t.Fatalf("fetches after an unknown kid = %d, want 2", n)
	}
	start := time.Now()
	for range 20 {
		_, err := v.Verify(context.Background(), sign(t, rsaKey(t), "made-up", accessClaims()))
		if helpdesk.ErrorReason(err) != auth.ReasonUnknownKey {
			t.Fatalf("made-up kid: %v", err)
		}
	}
	if n := p.fetches.Load(); n != 2 {
		t.Errorf("fetches after 20 made-up kids = %d, want still 2", n)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("refusing made-up kids took %s: requests wait for the limiter", d)
	}
	// Known keys keep working without a fetch.
	if _, err := v.Verify(context.Background(), sign(t, p.key("key-1"), "key-1", idClaims())); err != nil {
		t.Fatal(err)
	}
}

func TestNewFailsWhenTheKeysCannotBeFetched(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	_, err := auth.New(t.Context(), auth.Config{Issuer: issuer, ClientID: clientID, JWKSURL: srv.URL})
	if err == nil {
		t.Fatal("New succeeded without keys")
	}
	if _, err := auth.New(t.Context(), auth.Config{Issuer: issuer}); err == nil {
		t.Fatal("New succeeded without a client id")
	}
}

func TestConfigFromEnvironment(t *testing.T) {
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	var c auth.Config
	if err := config.Load(&c, env(map[string]string{"COGNITO_ISSUER": issuer, "COGNITO_CLIENT_ID": clientID})); err != nil {
		t.Fatal(err)
	}
	if c.Issuer != issuer || c.ClientID != clientID || c.KeysURL() != issuer+"/.well-known/jwks.json" {
		t.Errorf("config = %+v, keys %s", c, c.KeysURL())
	}
	c = auth.Config{}
	if err := config.Load(&c, env(map[string]string{"COGNITO_ISSUER": issuer, "COGNITO_CLIENT_ID": clientID,
		"COGNITO_JWKS_URL": "http://127.0.0.1:5000/us-east-1_TEST/.well-known/jwks.json"})); err != nil {
		t.Fatal(err)
	}
	if c.KeysURL() != "http://127.0.0.1:5000/us-east-1_TEST/.well-known/jwks.json" {
		t.Errorf("keys URL = %s", c.KeysURL())
	}
	err := config.Load(&auth.Config{}, env(nil))
	if err == nil || !strings.Contains(err.Error(), "COGNITO_ISSUER") || !strings.Contains(err.Error(), "COGNITO_CLIENT_ID") {
		t.Errorf("err = %v, want both required variables listed", err)
	}
}

func TestVerifyIsSafeForConcurrentUse(t *testing.T) {
	p := newPool(t)
	v := p.verifier(t)
	good := sign(t, p.key("key-1"), "key-1", accessClaims())
	bad := sign(t, rsaKey(t), "key-7", accessClaims())
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			for range 20 {
				if _, err := v.Verify(context.Background(), good); err != nil {
					t.Error(err)
				}
				if i%4 == 0 {
					_, _ = v.Verify(context.Background(), bad)
				}
			}
		})
	}
	wg.Wait()
}
