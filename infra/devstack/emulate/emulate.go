// Package emulate creates a tenant stack's stateful resources (table, queues,
// buckets, secrets, user pools and their app clients) on the local emulators
// from template.yaml, under a name prefix, so tests and `make run` use
// exactly the definitions deployed to AWS.
package emulate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/stackdesk/stackdesk/infra/devstack/stacktemplate"
)

// Clients are the emulator clients resources are created with.
type Clients struct {
	DynamoDB       *dynamodb.Client
	SQS            *sqs.Client
	S3             *s3.Client
	SecretsManager *secretsmanager.Client
	Cognito        *cip.Client
}

// NewClients builds clients from cfg; endpoints come from AWS_ENDPOINT_URL_*.
// S3 uses path-style addressing, as emulators need.
func NewClients(cfg aws.Config) Clients {
	return Clients{
		DynamoDB:       NewDynamoDB(cfg),
		SQS:            sqs.NewFromConfig(cfg),
		S3:             s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		SecretsManager: secretsmanager.NewFromConfig(cfg),
		Cognito:        cip.NewFromConfig(cfg),
	}
}

// Stack is what Provision created: physical names by logical id.
type Stack struct {
	Prefix    string
	TableName string
	QueueURLs map[string]string
	QueueARNs map[string]string
	Buckets   map[string]string
	Secrets   map[string]string // ARNs
	// UserPools are pool ids and UserPoolClients app client ids, by
	// logical id.
	UserPools       map[string]string
	UserPoolClients map[string]string
}

// Provision creates the table, queues, buckets, secrets, user pools and app
// clients of tpl named after prefix. It is idempotent: existing resources
// are reused.
func Provision(ctx context.Context, c Clients, tpl *stacktemplate.Template, prefix string) (*Stack, error) {
	st := &Stack{Prefix: prefix, QueueURLs: map[string]string{}, QueueARNs: map[string]string{}, Buckets: map[string]string{},
		Secrets: map[string]string{}, UserPools: map[string]string{}, UserPoolClients: map[string]string{}}
	var err error
	if st.TableName, err = CreateTable(ctx, c.DynamoDB, tpl, prefix+"-table", false); err != nil {
		return nil, err
	}
	if err := createQueues(ctx, c.SQS, tpl, st); err != nil {
		return nil, err
	}
	for _, id := range tpl.ByType("AWS::S3::Bucket") {
		name := strings.ToLower(prefix + "-" + id)
		_, err := c.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &name})
		var owned interface{ ErrorCode() string }
		if err != nil && !(errors.As(err, &owned) && (owned.ErrorCode() == "BucketAlreadyOwnedByYou" || owned.ErrorCode() == "BucketAlreadyExists")) {
			return nil, fmt.Errorf("create bucket %s: %w", name, err)
		}
		st.Buckets[id] = name
	}
	if err := createSecrets(ctx, c.SecretsManager, tpl, st); err != nil {
		return nil, err
	}
	if err := CreateUserPools(ctx, c.Cognito, tpl, st); err != nil {
		return nil, err
	}
	return st, nil
}

// createSecrets creates the template's secrets with what
// GenerateSecretString would generate: a random string, or the template
// JSON with the generated key added. An existing secret keeps its value
// (the local runner seeds demo credentials into it).
func createSecrets(ctx context.Context, sm *secretsmanager.Client, tpl *stacktemplate.Template, st *Stack) error {
	for _, id := range tpl.ByType("AWS::SecretsManager::Secret") {
		var p struct {
			GenerateSecretString struct {
				SecretStringTemplate string
				GenerateStringKey    string
			}
		}
		if err := json.Unmarshal(tpl.Resources[id].Properties, &p); err != nil {
			return fmt.Errorf("secret %s: %w", id, err)
		}
		buf := make([]byte, 16)
		if _, err := rand.Read(buf); err != nil {
			return err
		}
		value := hex.EncodeToString(buf)
		if g := p.GenerateSecretString; g.SecretStringTemplate != "" {
			var obj map[string]any
			if err := json.Unmarshal([]byte(g.SecretStringTemplate), &obj); err != nil {
				return fmt.Errorf("secret %s: SecretStringTemplate: %w", id, err)
			}
			obj[g.GenerateStringKey] = value
			raw, _ := json.Marshal(obj)
			value = string(raw)
		}
		name := st.Prefix + "-" + id
		out, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: &name, SecretString: &value})
		var exists *smtypes.ResourceExistsException
		switch {
		case errors.As(err, &exists):
			d, err := sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: &name})
			if err != nil {
				return fmt.Errorf("describe secret %s: %w", name, err)
			}
			st.Secrets[id] = aws.ToString(d.ARN)
		case err != nil:
			return fmt.Errorf("create secret %s: %w", name, err)
		default:
			st.Secrets[id] = aws.ToString(out.ARN)
		}
	}
	return nil
}

// NewDynamoDB returns a DynamoDB client for DynamoDB Local, which sends a
// wrong CRC32 header on some error responses; the check is off for it only.
func NewDynamoDB(cfg aws.Config) *dynamodb.Client {
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.DisableValidateResponseChecksum = true })
}

// CreateTable creates the template's table as name (if missing), waits for
// it and enables TTL as declared. The stream is created only when asked:
// DynamoDB Local keeps every stream record of every table in one unindexed
// store and slows down with each write (measured: 200 routed tickets took
// 9.7 s, then 14, 13, 26 and 59 s on five fresh tables with the stream; a
// steady 2.6 s without), and nothing consumes it locally yet.
func CreateTable(ctx context.Context, db *dynamodb.Client, tpl *stacktemplate.Template, name string, withStream bool) (string, error) {
	def, err := tpl.Table(name)
	if err != nil {
		return "", err
	}
	if !withStream {
		def.Create.StreamSpecification = nil
	}
	_, err = db.CreateTable(ctx, def.Create)
	var inUse *dbtypes.ResourceInUseException
	switch {
	case errors.As(err, &inUse):
		return name, nil
	case err != nil:
		return "", fmt.Errorf("create table %s: %w", name, err)
	}
	if err := dynamodb.NewTableExistsWaiter(db).Wait(ctx, &dynamodb.DescribeTableInput{TableName: &name}, 2*time.Minute); err != nil {
		return "", fmt.Errorf("wait for table %s: %w", name, err)
	}
	if def.TTLAttribute != "" {
		_, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
			TableName:               &name,
			TimeToLiveSpecification: &dbtypes.TimeToLiveSpecification{AttributeName: &def.TTLAttribute, Enabled: aws.Bool(true)},
		})
		if err != nil {
			return "", fmt.Errorf("enable TTL on %s: %w", name, err)
		}
	}
	return name, nil
}

func createQueues(ctx context.Context, q *sqs.Client, tpl *stacktemplate.Template, st *Stack) error {
	defs, err := tpl.Queues()
	if err != nil {
		return err
	}
	for _, d := range defs {
		name := st.Prefix + "-" + d.LogicalID
		if d.FIFO {
			name += ".fifo"
		}
		attrs := map[string]string{}
		for k, v := range d.Attributes {
			attrs[k] = v
		}
		if d.DeadLetterQueue != "" {
			arn, ok := st.QueueARNs[d.DeadLetterQueue]
			if !ok {
				return fmt.Errorf("queue %s: dead-letter queue %s not created", d.LogicalID, d.DeadLetterQueue)
			}
			rp, _ := json.Marshal(map[string]any{"deadLetterTargetArn": arn, "maxReceiveCount": d.MaxReceiveCount})
			attrs["RedrivePolicy"] = string(rp)
		}
		out, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: &name, Attributes: attrs})
		if err != nil {
			return fmt.Errorf("create queue %s: %w", name, err)
		}
		got, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
			QueueUrl: out.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
		if err != nil {
			return fmt.Errorf("queue %s arn: %w", name, err)
		}
		st.QueueURLs[d.LogicalID] = *out.QueueUrl
		st.QueueARNs[d.LogicalID] = got.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]
	}
	return nil
}
