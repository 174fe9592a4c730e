package graphapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strconv"
	"strings"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// MediaInfo is what GET /{media-id} answers for WhatsApp media: where to
// download it (a short-lived URL that needs the same bearer token), its
// type, size and hex SHA-256.
type MediaInfo struct {
	ID       string
	URL      string
	MimeType string
	SHA256   string
	FileSize int64
}

type waMediaResponse struct {
	MessagingProduct string   `json:"messaging_product"`
	URL              string   `json:"url"`
	MimeType         string   `json:"mime_type"`
	SHA256           string   `json:"sha256"`
	FileSize         flexSize `json:"file_size"`
	ID               string   `json:"id"`
}

// flexSize reads file_size, which Meta's references show both as a number
// and as a string.
type flexSize int64

func (f *flexSize) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*f = 0
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return err
	}
	*f = flexSize(n)
	return nil
}

// Media looks up a WhatsApp media id from an inbound message:
// GET {base}/{version}/{mediaID}.
func (c *Client) Media(ctx context.Context, token, mediaID string) (MediaInfo, error) {
	if err := checkToken(token); err != nil {
		return MediaInfo{}, err
	}
	u, err := c.endpoint("media_id", mediaID, "")
	if err != nil {
		return MediaInfo{}, err
	}
	var r waMediaResponse
	if err := c.callJSON(ctx, "GET", u, token, nil, &r); err != nil {
		return MediaInfo{}, err
	}
	if r.URL == "" {
		return MediaInfo{}, helpdesk.Errorf(helpdesk.EInternal, "media_url_missing", "graph api: media %s has no download url", mediaID)
	}
	id := r.ID
	if id == "" {
		id = mediaID
	}
	return MediaInfo{ID: id, URL: r.URL, MimeType: r.MimeType, SHA256: strings.ToLower(r.SHA256), FileSize: int64(r.FileSize)}, nil
}

// Download fetches a media URL with the bearer token (WhatsApp's media URLs
// need it; an empty token sends none, for Messenger's CDN links) and refuses
// bodies over max bytes with EInvalid media_too_large.
//
// Because the token goes along, only Meta's hosts (and the Client's own
// BaseURL host, which is how tests reach a fake) are accepted: a URL from
// anywhere else is EInvalid media_url_untrusted.
func (c *Client) Download(ctx context.Context, token, rawURL string, max int64) ([]byte, error) {
	return c.download(ctx, token, rawURL, "", max)
}

// DownloadMedia downloads m.URL like Download and, when m.SHA256 is set,
// checks the body against it (EInvalid media_checksum_mismatch). A FileSize
// over max is refused without a request.
func (c *Client) DownloadMedia(ctx context.Context, token string, m MediaInfo, max int64) ([]byte, error) {
	if max > 0 && m.FileSize > max {
		// Refuse before spending the bandwidth.
		return nil, helpdesk.Errorf(helpdesk.EInvalid, "media_too_large", "media is %d bytes, over the %d byte limit", m.FileSize, max)
	}
	return c.download(ctx, token, m.URL, m.SHA256, max)
}

func (c *Client) download(ctx context.Context, token, rawURL, wantSHA256 string, max int64) ([]byte, error) {
	if max <= 0 {
		return nil, helpdesk.Errorf(helpdesk.EInternal, "media_limit_invalid", "download limit must be positive, got %d", max)
	}
	if token != "" {
		if err := checkToken(token); err != nil {
			return nil, err
		}
	}
	if err := c.checkDownloadURL(rawURL); err != nil {
		return nil, err
	}
	status, _, data, err := c.do(ctx, "GET", rawURL, token, nil, max)
	if err != nil {
		return nil, err
	}
	if status < 200 || status > 299 {
		if len(data) > maxJSONBody {
			data = data[:maxJSONBody]
		}
		return nil, parseError(status, data)
	}
	if int64(len(data)) > max {
		return nil, helpdesk.Errorf(helpdesk.EInvalid, "media_too_large", "media is over the %d byte limit", max)
	}
	if wantSHA256 != "" {
		sum := sha256.Sum256(data)
		want, err := hex.DecodeString(strings.TrimSpace(wantSHA256))
		if err != nil || !bytes.Equal(sum[:], want) {
			return nil, helpdesk.Errorf(helpdesk.EInvalid, "media_checksum_mismatch", "downloaded media does not match its sha256")
		}
	}
	return data, nil
}

// metaMediaDomains are the domains Meta serves media from (lookaside.fbsbx.com
// for WhatsApp, *.fbcdn.net for Messenger attachments).
var metaMediaDomains = []string{"fbsbx.com", "fbcdn.net", "facebook.com", "whatsapp.net"}

func (c *Client) checkDownloadURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return helpdesk.Errorf(helpdesk.EInvalid, "media_url_invalid", "media URL is not an absolute URL")
	}
	if base, err := url.Parse(c.baseURL()); err == nil && u.Scheme == base.Scheme && strings.EqualFold(u.Host, base.Host) {
		return nil
	}
	if u.Scheme == "https" && u.Port() == "" {
		host := strings.ToLower(u.Hostname())
		for _, d := range metaMediaDomains {
			if host == d || strings.HasSuffix(host, "."+d) {
				return nil
			}
		}
	}
	return helpdesk.Errorf(helpdesk.EInvalid, "media_url_untrusted", "media URL host %q is not a Meta host; the access token is only sent to Meta", u.Host)
}
