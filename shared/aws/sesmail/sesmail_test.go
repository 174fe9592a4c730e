package sesmail

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/smithy-go"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// fakeSES answers every send with err, or with a message id.
type fakeSES struct {
	err  error
	sent [][]byte
}

func (f *fakeSES) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	f.sent = append(f.sent, in.Content.Raw.Data)
	return &sesv2.SendEmailOutput{MessageId: aws.String("0100018c-ses-id")}, nil
}

func TestSendRawReturnsSESMessageID(t *testing.T) {
	f := &fakeSES{}
	id, err := (&Mailer{Client: f}).SendRaw(context.Background(), []byte("raw mime"))
	if err != nil || id != "0100018c-ses-id" || len(f.sent) != 1 || string(f.sent[0]) != "raw mime" {
		t.Fatalf("id %q, err %v, sent %q", id, err, f.sent)
	}
}

func TestRefusalsAreTold(t *testing.T) {
	for _, tc := range []struct {
		err     error
		refused bool
	}{
		{&smithy.GenericAPIError{Code: "MessageRejected", Message: "Email address is not verified."}, true},
		{&smithy.GenericAPIError{Code: "MailFromDomainNotVerifiedException"}, true},
		{&smithy.GenericAPIError{Code: "AccountSuspendedException"}, true},
		{&smithy.GenericAPIError{Code: "SendingPausedException"}, true},
		{&smithy.GenericAPIError{Code: "NotFoundException"}, true},
		{&smithy.GenericAPIError{Code: "BadRequestException"}, true},
		// wrapped as the SDK wraps it
		{fmt.Errorf("operation error SESv2: SendEmail: %w", &smithy.GenericAPIError{Code: "MessageRejected"}), true},
		{&smithy.GenericAPIError{Code: "TooManyRequestsException"}, false},
		{&smithy.GenericAPIError{Code: "LimitExceededException"}, false},
		{&smithy.GenericAPIError{Code: "InternalFailure", Fault: smithy.FaultServer}, false},
		{errors.New("dial tcp: connection refused"), false},
		{context.DeadlineExceeded, false},
	} {
		_, err := (&Mailer{Client: &fakeSES{err: tc.err}}).SendRaw(context.Background(), []byte("x"))
		if got := helpdesk.IsCode(err, helpdesk.EInvalid); got != tc.refused {
			t.Errorf("%v: refused = %v, want %v", tc.err, got, tc.refused)
		}
		if tc.refused {
			if helpdesk.ErrorReason(err) != ReasonRefused || !strings.HasPrefix(helpdesk.ErrorMessage(err), "refused by SES: ") ||
				!strings.Contains(helpdesk.ErrorMessage(err), tc.err.Error()) {
				t.Errorf("%v: refusal %q (%s) does not say why", tc.err, helpdesk.ErrorMessage(err), helpdesk.ErrorReason(err))
			}
		} else if !errors.Is(err, tc.err) {
			t.Errorf("%v: came back as %v, want it passed on", tc.err, err)
		}
	}
}

// moto's SES refuses a sender that was never verified, as SES does.
func TestUnverifiedSenderIsRefusedBySES(t *testing.T) {
	cfg := testbed.AWS(t, "SESV2")
	m := &Mailer{Client: sesv2.NewFromConfig(cfg)}
	from := testbed.Name(t) + "@unverified.example"
	raw := "From: " + from + "\r\nTo: ann@example.com\r\nSubject: hi\r\n\r\nhi\r\n"
	_, err := m.SendRaw(context.Background(), []byte(raw))
	if !helpdesk.IsCode(err, helpdesk.EInvalid) || helpdesk.ErrorReason(err) != ReasonRefused {
		t.Fatalf("unverified sender: %v, want a refusal", err)
	}
}
