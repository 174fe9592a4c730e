package secrets

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

type keyClient struct {
	value *string
	err   error
	asked []string
}

func (c *keyClient) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	c.asked = append(c.asked, *in.SecretId)
	return &secretsmanager.GetSecretValueOutput{SecretString: c.value}, c.err
}

func TestReadKey(t *testing.T) {
	long := strings.Repeat("k", 48)
	c := &keyClient{value: &long}
	key, err := ReadKey(context.Background(), c, "arn:portal")
	if err != nil || string(key) != long || len(c.asked) != 1 || c.asked[0] != "arn:portal" {
		t.Fatalf("key %q, err %v, asked %v", key, err, c.asked)
	}
	short := strings.Repeat("s", MinKeyLen-1)
	for name, c := range map[string]*keyClient{
		"short":     {value: &short},
		"no string": {},
		"refused":   {err: errors.New("AccessDenied")},
	} {
		_, err := ReadKey(context.Background(), c, "arn:portal")
		if err == nil {
			t.Errorf("%s: no error", name)
		} else if strings.Contains(err.Error(), short) {
			t.Errorf("%s: the error shows the value: %v", name, err)
		}
	}
}
