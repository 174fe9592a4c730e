package secrets

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// MinKeyLen is the shortest key ReadKey accepts: an HMAC key of 32 bytes
// or more (template.yaml generates 48 characters).
const MinKeyLen = 32

// ReadKey reads a generated key (a secret whose SecretString is the key
// itself) once, e.g. at a function's cold start. A key shorter than
// MinKeyLen is refused; its value is never in an error.
func ReadKey(ctx context.Context, c Client, secretID string) ([]byte, error) {
	out, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &secretID})
	if err != nil {
		return nil, fmt.Errorf("read key %s: %w", secretID, err)
	}
	if out.SecretString == nil || len(*out.SecretString) < MinKeyLen {
		return nil, fmt.Errorf("read key %s: want a SecretString of at least %d characters", secretID, MinKeyLen)
	}
	return []byte(*out.SecretString), nil
}
