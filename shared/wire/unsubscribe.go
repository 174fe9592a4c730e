package wire

import (
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/stackdesk/stackdesk/shared/api/webhook"
	"github.com/stackdesk/stackdesk/shared/platform/boot"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/unsubscribe"
)

// UnsubscribeConfig configures the unsubscribe link's handler (issue 14).
type UnsubscribeConfig struct {
	boot.Common
	// ReplyTokenSecret keys the unsubscribe tokens (a key derived from it).
	ReplyTokenSecret string `env:"REPLY_TOKEN_SECRET,required"`
}

// Unsubscribe builds GET/POST /unsubscribe.
func Unsubscribe(c UnsubscribeConfig, cfg aws.Config, log *slog.Logger) (*webhook.Unsubscribe, error) {
	return &webhook.Unsubscribe{Key: unsubscribe.Key([]byte(c.ReplyTokenSecret)),
		Store: store.New(dynamodb.NewFromConfig(cfg), c.TableName), Log: log}, nil
}
