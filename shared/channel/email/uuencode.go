package email

import (
	"net/http"
	"path"
	"regexp"
	"strings"
)

// uuFile is a file found uuencoded in a text body.
type uuFile struct {
	name string
	data []byte
}

var uuBegin = regexp.MustCompile(`^begin(-base64)?[ \t]+[0-7]{3,4}[ \t]+(\S.{0,254}?)[ \t]*$`)

// extractUU takes uuencoded files ("begin 644 name" ... "end", and the
// "begin-base64" ... "====" variant) out of a text body, as older clients,
// scripts and gateways still send attachments: the text without the blocks,
// and the files. A block whose lines are not uuencoding, or that never
// ends, is left in the text.
func extractUU(text string) (string, []uuFile) {
	if !strings.Contains(text, "begin") {
		return text, nil
	}
	lines := strings.Split(text, "\n")
	var files []uuFile
	out := make([]string, 0, len(lines))
	for i := 0; i < len(lines); i++ {
		m := uuBegin.FindStringSubmatch(strings.TrimRight(lines[i], "\r"))
		if m == nil {
			out = append(out, lines[i])
			continue
		}
		var f uuFile
		var end int
		if m[1] != "" {
			f.data, end = uuBase64Block(lines, i+1)
		} else {
			f.data, end = uuBlock(lines, i+1)
		}
		if end < 0 {
			out = append(out, lines[i])
			continue
		}
		f.name = m[2]
		files = append(files, f)
		i = end
	}
	if len(files) == 0 {
		return text, nil
	}
	return strings.Join(out, "\n"), files
}

// uuBlock decodes classic uuencoding from line start; end is the "end"
// line's index, -1 when the lines are not a uuencoded block.
func uuBlock(lines []string, start int) (data []byte, end int) {
	done := false // a zero-length line ("`" or " ") ends the data
	for i := start; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], "\r")
		if strings.TrimSpace(l) == "end" {
			if i == start {
				return nil, -1
			}
			return data, i
		}
		if l == "" {
			if done {
				continue
			}
			return nil, -1
		}
		if done {
			return nil, -1
		}
		n := int((l[0] - ' ') & 63)
		if l[0] < ' ' || l[0] > '`' {
			return nil, -1
		}
		if n == 0 {
			done = true
			continue
		}
		body := l[1:]
		// A data line has 4 characters for each 3 bytes; tolerate lines
		// trimmed of trailing spaces (value 0) or padded with a few extra.
		if len(body) > (n+2)/3*4+4 {
			return nil, -1
		}
		var buf []byte
		for j := 0; j < (n+2)/3*4; j += 4 {
			var q [4]byte
			for k := 0; k < 4; k++ {
				c := byte(' ')
				if j+k < len(body) {
					c = body[j+k]
				}
				if c < ' ' || c > '`' {
					return nil, -1
				}
				q[k] = (c - ' ') & 63
			}
			buf = append(buf, q[0]<<2|q[1]>>4, q[1]<<4|q[2]>>2, q[2]<<6|q[3])
		}
		data = append(data, buf[:n]...)
	}
	return nil, -1
}

// uuBase64Block decodes a "begin-base64" block up to its "====" line.
func uuBase64Block(lines []string, start int) ([]byte, int) {
	var enc strings.Builder
	for i := start; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if l == "====" {
			data, ok := lenientBase64([]byte(enc.String()))
			if !ok {
				return nil, -1
			}
			return data, i
		}
		enc.WriteString(l)
	}
	return nil, -1
}

var typeByExt = map[string]string{
	".txt": "text/plain", ".csv": "text/csv", ".htm": "text/html", ".html": "text/html", ".ics": "text/calendar",
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
	".bmp": "image/bmp", ".tif": "image/tiff", ".tiff": "image/tiff", ".pdf": "application/pdf",
	".zip": "application/zip", ".gz": "application/gzip", ".doc": "application/msword",
	".xls": "application/vnd.ms-excel", ".eml": "message/rfc822", ".log": "text/plain",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

// uuContentType guesses a uuencoded file's type from its name, else from its
// content.
func uuContentType(name string, data []byte) string {
	if t, ok := typeByExt[strings.ToLower(path.Ext(name))]; ok {
		return t
	}
	t, _, _ := strings.Cut(http.DetectContentType(data), ";")
	return t
}
