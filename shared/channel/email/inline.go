package email

import (
	"net/url"
	"path"
	"regexp"
	"strings"

	"golang.org/x/net/html"
)

// resolveInline runs once the whole tree is walked. A part is inline exactly
// when the HTML shows it: its Content-ID is referenced by a cid: URL, in
// whatever part of the tree it sits and whatever its Content-Disposition
// says (Outlook marks some "attachment", some clients send no disposition
// or no multipart/related). An image the HTML names by its
// Content-Location instead gets that location as its Content-ID and the
// HTML a cid: URL for it. A part the HTML does not show stays a download,
// even inside multipart/related, so nothing the customer sent is hidden.
func (c *collector) resolveInline() {
	if len(c.htmls) == 0 {
		for i := range c.leaves {
			c.leaves[i].inline = false
		}
		return
	}
	for i := range c.leaves {
		p := c.leaves[i].part
		if p.ContentID != "" {
			continue
		}
		loc := strings.TrimSpace(p.Header.Get("Content-Location"))
		if loc == "" || len(loc) > 500 || strings.ContainsAny(loc, "\"'<> \t\r\n") {
			continue
		}
		for j, h := range c.htmls {
			for _, attr := range []string{`src="` + loc + `"`, `src='` + loc + `'`, `src="` + html.EscapeString(loc) + `"`} {
				if strings.Contains(h, attr) {
					c.htmls[j] = strings.ReplaceAll(h, attr, `src="cid:`+html.EscapeString(loc)+`"`)
					p.ContentID = loc
					if p.FileName == "" {
						p.FileName = path.Base(strings.ReplaceAll(loc, "\\", "/")) // a name beats "part-2.png"
					}
					break
				}
			}
		}
	}
	refs := map[string]bool{}
	for _, h := range c.htmls {
		for _, m := range cidRef.FindAllStringSubmatch(h, 1000) {
			id := html.UnescapeString(m[1])
			if u, err := url.PathUnescape(id); err == nil {
				id = u
			}
			refs[strings.ToLower(strings.Trim(id, "<>"))] = true
		}
	}
	for i := range c.leaves {
		id := strings.ToLower(strings.Trim(strings.TrimSpace(c.leaves[i].part.ContentID), "<>"))
		c.leaves[i].inline = id != "" && refs[id]
	}
}

var cidRef = regexp.MustCompile(`(?i)\bcid:([^"'\s<>)]{1,500})`)

// imgAlt finds the alt text of images, which Outlook's plain-text part shows
// as "[alt]" where the image stood.
var imgAlt = regexp.MustCompile(`(?i)<img\b[^>]*?\balt\s*=\s*("([^"]{1,200})"|'([^']{1,200})')`)

// imagePlaceholder: Gmail's "[image: name.jpg]" (localised) and the
// "[cid:image001.png@01DA...]" of Outlook and Apple Mail, which stand for an
// inline image in a plain-text part.
var imagePlaceholder = regexp.MustCompile(`(?i)\[(image|imagen|imagem|immagine|bild|afbeelding|obraz|изображение|图片|圖片|画像|이미지)\s?:[^\[\]\n]{0,200}\]|\[cid:[^\[\]\s]{1,300}\]`)

// dropImagePlaceholders removes the placeholders of inline images from the
// texts, and lines that were only the "[alt text]" of an image of the HTML.
// A line left empty goes with its placeholder.
func (c *collector) dropImagePlaceholders() {
	alts := map[string]bool{}
	for _, h := range c.htmls {
		for _, m := range imgAlt.FindAllStringSubmatch(h, 200) {
			a := strings.TrimSpace(html.UnescapeString(m[2] + m[3]))
			if a != "" {
				alts["["+a+"]"] = true
			}
		}
	}
	for i, t := range c.texts {
		if !strings.Contains(t, "[") {
			continue
		}
		lines := strings.Split(t, "\n")
		out := lines[:0]
		dropped := false // a line was dropped: a blank line after it may double one before it
		for _, l := range lines {
			trimmed := strings.TrimSpace(l)
			if trimmed == "" && dropped && (len(out) == 0 || strings.TrimSpace(out[len(out)-1]) == "") {
				continue
			}
			dropped = false
			if alts[trimmed] {
				dropped = true
				continue
			}
			if nl := imagePlaceholder.ReplaceAllString(l, ""); nl != l {
				if strings.TrimSpace(nl) == "" {
					dropped = true
					continue
				}
				l = strings.TrimRight(nl, " \t")
			}
			out = append(out, l)
		}
		c.texts[i] = strings.Join(out, "\n")
	}
}
