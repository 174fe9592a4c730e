package email

import (
	"strings"

	"github.com/inbucket/html2text"
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

// textPolicy strips every tag; the fallback when html2text fails.
var textPolicy = bluemonday.StrictPolicy()

// htmlToText derives the plain text of an HTML-only mail; blockquotes become
// "> " lines so StripQuoted recognises the quoted history.
func htmlToText(html string) string {
	text, err := html2text.FromString(html)
	if err != nil {
		text = textPolicy.Sanitize(html)
	}
	return normalizeNewlines(dropBOM(text))
}
