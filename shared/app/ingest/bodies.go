package ingest

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Bodies keeps the whole body of a message too large for its item
// (s3files.Bucket).
type Bodies interface {
	// Write stores data under key, replacing what was there.
	Write(ctx context.Context, key, contentType string, data []byte) error
}

// keepBody makes m storable before anything is decided or written: a body
// over helpdesk.BodyMax goes to the bucket (under a key derived from the
// message, so a retry overwrites it) and m keeps a snippet. Every channel
// passes here; a producer may have moved the body already (BodyLocation).
func (s *Service) keepBody(ctx context.Context, m *helpdesk.InboundMessage) error {
	orig := *m
	body, split := m.SplitBody()
	if !split {
		return nil
	}
	if s.Bodies == nil {
		*m = orig
		return fmt.Errorf("keep body of %s/%s: %d bytes of body and no bucket to keep it in", m.ChannelID, m.ProviderMessageID, m.BodySize())
	}
	data, err := json.Marshal(body)
	if err != nil {
		*m = orig
		return fmt.Errorf("keep body of %s/%s: %w", m.ChannelID, m.ProviderMessageID, err)
	}
	if err := s.Bodies.Write(ctx, m.BodyLocation, "application/json", data); err != nil {
		*m = orig
		return fmt.Errorf("keep body of %s/%s: %w", m.ChannelID, m.ProviderMessageID, err)
	}
	s.Log.InfoContext(ctx, "message body kept in the bucket", "channel", m.ChannelID, "message_id", m.ProviderMessageID,
		"bytes", len(data), "key", m.BodyLocation)
	return nil
}
