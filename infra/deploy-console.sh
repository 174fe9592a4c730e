#!/usr/bin/env bash
# Publishes the agent console to a deployed tenant stack (`make
# deploy-console STACK=...`): the build in web/dist (one build serves every
# tenant) and the stack's runtime config.json, read from its ConsoleConfig
# output, go to its ConsoleBucket.
#
#   infra/deploy-console.sh <stack name> [dist dir, default web/dist]
#
# Needs the AWS CLI and credentials that may read the stack
# (cloudformation:DescribeStacks) and write the bucket (s3:ListBucket,
# s3:PutObject). Nothing to invalidate: CloudFront does not cache
# index.html, config.json or any unhashed path (template.yaml,
# ConsoleDistribution), and everything under assets/ is content-hashed.
set -euo pipefail

stack=${1:?usage: infra/deploy-console.sh <stack name> [dist dir]}
dist=${2:-web/dist}
[ -f "$dist/index.html" ] || { echo "deploy-console: no $dist/index.html: build the console first" >&2; exit 1; }

output() {
  aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue | [0]" --output text
}
bucket=$(output ConsoleBucket)
url=$(output ConsoleURL)
config=$(output ConsoleConfig)
if [ -z "$bucket" ] || [ "$bucket" = None ] || [ "${config:0:1}" != "{" ]; then
  echo "deploy-console: stack $stack has no ConsoleBucket/ConsoleConfig output (deploy template.yaml first)" >&2
  exit 1
fi

immutable='public, max-age=31536000, immutable'
revalidate='no-cache' # browsers revalidate with the ETag on every load
quiet=--only-show-errors

# Hashed assets first, so the index.html that names them never lands
# before them. Old ones stay: an open tab of the previous version still
# loads its lazy chunks. Scripts get their MIME type by name, not by the
# platform's guess: with nosniff a module served as anything else is refused.
# The customer portal (portal/) has its own hashed assets and shell.
for assets in assets portal/assets; do
  if [ -d "$dist/$assets" ]; then
    aws s3 sync "$dist/$assets" "s3://$bucket/$assets" $quiet --exclude '*' --include '*.js' --include '*.mjs' \
      --content-type 'text/javascript; charset=utf-8' --cache-control "$immutable"
    aws s3 sync "$dist/$assets" "s3://$bucket/$assets" $quiet --exclude '*.js' --exclude '*.mjs' \
      --cache-control "$immutable"
  fi
done
# Unhashed files of the build (favicon ...), never the build's own
# config.json (a development one, if any): the stack's is written below.
aws s3 sync "$dist" "s3://$bucket" $quiet --exclude 'assets/*' --exclude 'portal/assets/*' --exclude index.html \
  --exclude 'portal/index.html' --exclude 'portal/help.js' --exclude config.json --cache-control "$revalidate"
if [ -f "$dist/portal/help.js" ]; then # a stable name on tenants' sites: revalidated, never immutable
  aws s3 cp "$dist/portal/help.js" "s3://$bucket/portal/help.js" $quiet \
    --content-type 'text/javascript; charset=utf-8' --cache-control "$revalidate"
fi
if [ -f "$dist/portal/index.html" ]; then
  aws s3 cp "$dist/portal/index.html" "s3://$bucket/portal/index.html" $quiet \
    --content-type 'text/html; charset=utf-8' --cache-control "$revalidate"
fi

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
printf '%s\n' "$config" >"$tmp"
aws s3 cp "$tmp" "s3://$bucket/config.json" $quiet --content-type 'application/json' --cache-control "$revalidate"
aws s3 cp "$dist/index.html" "s3://$bucket/index.html" $quiet --content-type 'text/html; charset=utf-8' --cache-control "$revalidate"

echo "console: $url"
