// Package deployconsole tests infra/deploy-console.sh, which publishes the
// agent console and its runtime config.json to a deployed stack (`make
// deploy-console`), against moto's CloudFormation and S3.
package deployconsole
