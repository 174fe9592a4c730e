package wire

import (
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/stackdesk/stackdesk/shared/api/csatpage"
	appcsat "github.com/stackdesk/stackdesk/shared/app/csat"
	"github.com/stackdesk/stackdesk/shared/csat"
	"github.com/stackdesk/stackdesk/shared/platform/boot"
	"github.com/stackdesk/stackdesk/shared/store"
)

// CSATPageConfig configures csat-page.
type CSATPageConfig struct {
	boot.Common
	// ReplyTokenSecret keys the survey links (csat.LinkKey derives their
	// own key from it).
	ReplyTokenSecret string `env:"REPLY_TOKEN_SECRET,required"`
}

// CSATPage builds the survey's public page.
func CSATPage(c CSATPageConfig, cfg aws.Config, log *slog.Logger) (*csatpage.Handler, error) {
	st := store.New(dynamodb.NewFromConfig(cfg), c.TableName)
	return &csatpage.Handler{
		Survey: &appcsat.Service{Store: st, Tenant: c.Tenant, Secret: csat.LinkKey([]byte(c.ReplyTokenSecret)), Now: time.Now},
		Log:    log,
	}, nil
}
