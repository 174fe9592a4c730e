// Command mail sends a test mail into the running local stack (`make run`)
// through its SMTP listener, which hands it to email-inbound as SES would:
// `make mail FROM=ann@example.com SUBJECT='Printer on fire' BODY='Help!'`,
// or a whole raw mail with FILE=some.eml. Needs nothing but Go.
package main

import (
	"flag"
	"fmt"
	"io"
	"net/mail"
	"os"
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/localrun"
)

func main() {
	env := func(name, def string) string {
		if v := os.Getenv(name); v != "" {
			return v
		}
		return def
	}
	addr := flag.String("smtp", env("SMTP", "127.0.0.1:2525"), "the local stack's SMTP listener")
	from := flag.String("from", env("FROM", "ann@example.com"), "sender address (env FROM)")
	to := flag.String("to", env("TO", "support@acme.example"), "team address(es), comma-separated (env TO)")
	subject := flag.String("subject", env("SUBJECT", "Printer on fire"), "subject (env SUBJECT)")
	body := flag.String("body", env("BODY", "Help! It is smoking."), "plain-text body (env BODY)")
	file := flag.String("file", env("FILE", ""), "send this raw mail (.eml) as it is instead; - reads stdin (env FILE)")
	flag.Parse()
	rcpts := strings.Split(*to, ",")
	raw := localrun.TestMail(*from, strings.Join(rcpts, ", "), *subject, *body, time.Now())
	if *file != "" {
		var err error
		if *file == "-" {
			raw, err = io.ReadAll(os.Stdin)
		} else {
			raw, err = os.ReadFile(*file)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	envelope := *from // the SMTP envelope takes the bare address of "Ann Lee <ann@example.com>"
	if a, err := mail.ParseAddress(*from); err == nil {
		envelope = a.Address
	}
	if err := localrun.SendMail(*addr, envelope, rcpts, raw); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("delivered to %s (%d bytes); see the ticket: curl -s http://127.0.0.1:8080/local/tickets\n", strings.Join(rcpts, ", "), len(raw))
}
