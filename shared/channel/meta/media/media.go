// Package media keeps the files customers send on WhatsApp: the webhook
// carries only a media id, and Meta keeps the file for a limited time, so
// the router downloads it through the Graph API into the bucket before the
// message is applied.
package media

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/stackdesk/stackdesk/shared/channel/meta/graphapi"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// KeyPrefix marks an attachment whose Key is still a WhatsApp media id
// (set by the meta decoder).
const KeyPrefix = "wa-media:"

// MaxSize is the largest file kept: WhatsApp's own limit (documents, 100 MB).
const MaxSize = 100 << 20

// Graph is the subset of the Graph API client used here.
type Graph interface {
	Media(ctx context.Context, token, mediaID string) (graphapi.MediaInfo, error)
	DownloadMedia(ctx context.Context, token string, m graphapi.MediaInfo, max int64) ([]byte, error)
}

// Tokens gives a channel's access token.
type Tokens interface {
	AccessToken(ctx context.Context, channelID string) (string, error)
}

// Files is where media are kept (s3files.Bucket, the mail bucket).
type Files interface {
	// Size returns the size of the file stored under key, or
	// helpdesk.ErrNotFound if there is none.
	Size(ctx context.Context, key string) (int64, error)
	// Write stores data under key, replacing what was there.
	Write(ctx context.Context, key, contentType string, data []byte) error
}

// WhatsApp downloads WhatsApp media into Files under media/whatsapp/.
type WhatsApp struct {
	Graph   Graph
	Tokens  Tokens
	Files   Files
	MaxSize int64
	Log     *slog.Logger
}

// Key is where a media file is kept.
func Key(channelID, mediaID string) string {
	return "media/whatsapp/" + strings.TrimPrefix(channelID, "whatsapp:") + "/" + mediaID
}

// Fetch stores every media attachment of m and points it at the stored
// file. A file Meta no longer has (or refuses) keeps the message: the
// attachment gets a Note instead of a Key. Transient failures return an
// error so the message is retried.
func (w *WhatsApp) Fetch(ctx context.Context, m *helpdesk.InboundMessage) error {
	for i := range m.Attachments {
		a := &m.Attachments[i]
		id, ok := strings.CutPrefix(a.Key, KeyPrefix)
		if !ok {
			continue
		}
		err := w.fetch(ctx, m.ChannelID, id, a)
		if err == nil {
			continue
		}
		if graphapi.Retryable(err) || !permanent(err) {
			return fmt.Errorf("media %s of %s: %w", id, m.ProviderMessageID, err)
		}
		w.Log.WarnContext(ctx, "media not kept", "message_id", m.ProviderMessageID, "media_id", id, "error", err)
		a.Key, a.Note = "", "not downloaded: "+err.Error()
	}
	return nil
}

func (w *WhatsApp) fetch(ctx context.Context, channelID, id string, a *helpdesk.Attachment) error {
	key := Key(channelID, id)
	size, err := w.Files.Size(ctx, key)
	if err == nil {
		// Kept by an earlier delivery of this message.
		a.Key, a.Size = key, size
		return nil
	}
	if !errors.Is(err, helpdesk.ErrNotFound) {
		return err
	}
	token, err := w.Tokens.AccessToken(ctx, channelID)
	if err != nil {
		return err
	}
	info, err := w.Graph.Media(ctx, token, id)
	if err != nil {
		return err
	}
	max := w.MaxSize
	if max <= 0 {
		max = MaxSize
	}
	data, err := w.Graph.DownloadMedia(ctx, token, info, max)
	if err != nil {
		return err
	}
	if a.ContentType == "" {
		a.ContentType = info.MimeType
	}
	if err := w.Files.Write(ctx, key, a.ContentType, data); err != nil {
		return fmt.Errorf("keep %s: %w", key, err)
	}
	a.Key, a.Size = key, int64(len(data))
	return nil
}

// permanent reports errors that retrying cannot fix: Meta's refusals (the
// media expired or was deleted) and our own refusals (too large, checksum,
// no token configured).
func permanent(err error) bool {
	var g *graphapi.Error
	return errors.As(err, &g) || helpdesk.IsCode(err, helpdesk.EInvalid)
}
