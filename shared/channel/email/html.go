package email

import (
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

// htmlPolicy is bluemonday's UGC policy plus cid: URLs, so inline images
// (multipart/related) still show once the caller rewrites them to the stored
// attachment. Document-level elements whose text is not content are dropped
// with their text. A Policy is safe for concurrent use once built.
var htmlPolicy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("cid")
	p.SkipElementsContent("head", "title", "style", "script")
	return p
}()

// sanitizeHTML returns HTML safe to show an agent.
func sanitizeHTML(html string) string {
	if strings.TrimSpace(html) == "" {
		return ""
	}
	return strings.TrimSpace(htmlPolicy.Sanitize(html))
}

// textPolicy strips every tag.
var textPolicy = bluemonday.StrictPolicy()
