package webhook

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stackdesk/stackdesk/shared/channel/meta"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
)

// discardQueue accepts everything and keeps nothing.
type discardQueue struct{}

func (discardQueue) EnqueueAll(_ context.Context, m []helpdesk.InboundMessage, s []jobs.StatusUpdate) (int, error) {
	return len(m) + len(s), nil
}

// benchMeta measures one webhook handler's own cost per delivery (routing,
// body read, signature check, decode, enqueue into a queue that discards,
// the log line, the response) and reports CPU time per delivery.
func benchMeta(b *testing.B, kind helpdesk.ChannelKind, file string) {
	body := readMetaFixture(b, file)
	sig := SignSHA256(metaAppSecret, body)
	h := newMetaHandler(kind, goodSecrets, discardQueue{}, io.Discard)
	path := "/" + string(kind)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	start := cpuTime(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set(meta.SignatureHeader, sig)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
}

func BenchmarkMessengerWebhook(b *testing.B) {
	b.Run("text", func(b *testing.B) { benchMeta(b, helpdesk.ChannelMessenger, "messenger_text.json") })
	b.Run("batched", func(b *testing.B) { benchMeta(b, helpdesk.ChannelMessenger, "messenger_batched.json") })
}

func BenchmarkWhatsAppWebhook(b *testing.B) {
	b.Run("text", func(b *testing.B) { benchMeta(b, helpdesk.ChannelWhatsApp, "whatsapp_text.json") })
	b.Run("statuses", func(b *testing.B) { benchMeta(b, helpdesk.ChannelWhatsApp, "whatsapp_statuses.json") })
}
