package localrun

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/stackdesk/stackdesk/infra/devstack/stacktemplate"
)

// applyBucketCORS gives the local mail bucket the template's CORS rules
// (MailBucket.CorsConfiguration), with the deployed origins (the
// distribution's name, which has no local value) replaced by the local
// stack's origin: the console and the portal post uploads from there, as
// they do from the distribution in AWS.
//
// moto checks the rules on preflights only (its server adds CORS headers to
// every other answer), so locally this mirrors the stack rather than
// proving a browser's POST would pass; the template's rule for the
// portal's origin is checked in stacktemplate.
func applyBucketCORS(ctx context.Context, client *s3.Client, tpl *stacktemplate.Template, bucket, origin string) error {
	res, ok := tpl.Resources["MailBucket"]
	if !ok {
		return fmt.Errorf("bucket CORS: the template has no MailBucket")
	}
	var p struct {
		CorsConfiguration struct {
			CorsRules []struct {
				AllowedMethods []string
				AllowedHeaders []string
				ExposedHeaders []string
				MaxAge         int32
			}
		}
	}
	if err := json.Unmarshal(res.Properties, &p); err != nil {
		return fmt.Errorf("bucket CORS: MailBucket: %w", err)
	}
	origin = strings.TrimSuffix(origin, "/")
	var rules []s3types.CORSRule
	for _, r := range p.CorsConfiguration.CorsRules {
		rules = append(rules, s3types.CORSRule{AllowedOrigins: []string{origin}, AllowedMethods: r.AllowedMethods,
			AllowedHeaders: r.AllowedHeaders, ExposeHeaders: r.ExposedHeaders, MaxAgeSeconds: aws.Int32(r.MaxAge)})
	}
	if len(rules) == 0 {
		return nil
	}
	_, err := client.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: &bucket,
		CORSConfiguration: &s3types.CORSConfiguration{CORSRules: rules}})
	if err != nil {
		return fmt.Errorf("bucket CORS: %w", err)
	}
	return nil
}
