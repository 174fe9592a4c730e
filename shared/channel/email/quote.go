package email

import (
	"regexp"
	"strings"
)

// StripQuoted returns the new text of a plain-text mail body: quoted history
// ("> " lines and the attribution line above them, Gmail/Apple/Outlook reply
// headers and everything after them), signatures (after a "-- " line) and
// mobile footers ("Sent from my iPhone") removed. An inline forward is kept:
// its marker, header block and the forwarded body (itself stripped of its own
// history). When stripping would leave nothing, the whole text is returned,
// trimmed.
func StripQuoted(text string) string {
	return stripQuoted(text, -1)
}

// stripQuoted is StripQuoted where line fwdAt (-1: none), an Outlook
// reply-style header block, starts a forward instead of quoted history.
func stripQuoted(text string, fwdAt int) string {
	text = normalizeNewlines(text)
	keep, _, _ := scanQuoted(strings.Split(text, "\n"), fwdAt)
	if s := tidy(keep); s != "" {
		return s
	}
	return strings.TrimSpace(text)
}

// breakKind says what ended the new text.
type breakKind int

const (
	breakNone        breakKind = iota
	breakForward               // an inline forward marker (kept)
	breakOutlook               // "-----Original Message-----", "____", or a From/Sent block
	breakAttribution           // "On ... wrote:" over unquoted history
)

// scanQuoted walks the lines and returns those that are new text, and the
// first forward marker or history boundary it met (its line and kind).
func scanQuoted(lines []string, fwdAt int) (keep []string, firstAt int, first breakKind) {
	cl := make([]string, len(lines)) // each line cleaned once for the matchers
	for i, l := range lines {
		cl[i] = clean(l)
	}
	firstAt = -1
	note := func(i int, k breakKind) {
		if firstAt < 0 {
			firstAt, first = i, k
		}
	}
	skipping := false // after a signature: dropped until a forward marker
	for i := 0; i < len(lines); {
		if n := forwardBlock(cl, i, fwdAt); n > 0 {
			note(i, breakForward)
			keep = append(keep, lines[i:i+n]...)
			i += n
			skipping = false
			continue
		}
		if isQuoted(lines[i]) {
			i++
			continue
		}
		if n := attribution(cl, i); n > 0 {
			if !quoteFollows(lines, i+n) {
				note(i, breakAttribution) // history not quoted (Outlook, HTML-derived text)
				break
			}
			i += n
			continue
		}
		if hardCut(cl, i) {
			note(i, breakOutlook)
			break
		}
		if skipping {
			i++
			continue
		}
		if isSignatureDelimiter(lines[i]) || (len(cl[i]) <= 120 && mobileFooter.MatchString(cl[i])) {
			skipping = true
			i++
			continue
		}
		keep = append(keep, lines[i])
		i++
	}
	return keep, firstAt, first
}

// tidy trims trailing spaces, leading and trailing blank lines, and runs of
// blank lines that removed quotes leave behind.
func tidy(lines []string) string {
	var b strings.Builder
	blank := false
	for _, l := range lines {
		l = strings.TrimRight(l, " \t\u00a0")
		if l == "" {
			blank = b.Len() > 0
			continue
		}
		if blank {
			b.WriteString("\n")
			blank = false
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(l)
	}
	return b.String()
}

// clean prepares a line for pattern matching: non-breaking spaces become
// spaces, the "*bold*" marks of HTML-derived text go, edges are trimmed.
func clean(l string) string {
	return strings.TrimSpace(cleaner.Replace(l))
}

var cleaner = strings.NewReplacer("\u00a0", " ", "\u202f", " ", "\u2007", " ", "*", "", "\t", " ")

func isQuoted(l string) bool {
	return strings.HasPrefix(strings.TrimLeft(l, " \t"), ">")
}

// isSignatureDelimiter: RFC 3676 "-- "; many clients drop the trailing space.
func isSignatureDelimiter(l string) bool {
	return strings.TrimRight(l, " \t\r") == "--"
}

var mobileFooter = regexp.MustCompile(`(?i)^(` +
	`sent from (my |the )?[\p{L}\p{N} .'’&-]{1,40}` +
	`|sent (via|with) [\p{L}\p{N} .'’&-]{1,40}` +
	`|envoyé (de|depuis|à partir de) (mon |ma |l'|l’)?[\p{L}\p{N} .'’&-]{1,40}` +
	`|von meinem [\p{L}\p{N} .'’&-]{1,40} gesendet` +
	`|gesendet (von|mit|über) [\p{L}\p{N} .'’&-]{1,40}` +
	`|get outlook for [\p{L}\p{N} .'’&-]{1,20}` +
	`|obtenir outlook pour [\p{L}\p{N} .'’&-]{1,20}` +
	`|outlook für [\p{L}\p{N} .'’&-]{1,20} (herunterladen|beziehen)` +
	`)[.!]?(\s*<[^<>\s]+>)?$`) // Outlook appends the link: "Get Outlook for iOS<https://aka.ms/o0ukef>"

// attributionRE are the "On <date>, <name> wrote:" lines of reply clients.
var attributionRE = []*regexp.Regexp{
	regexp.MustCompile(`(?i)^on\s.{1,300}\swrote\s?:$`),
	regexp.MustCompile(`(?i)^le\s.{1,300}\sa\s+écrit\s?:$`),
	regexp.MustCompile(`(?i)^am\s.{1,300}\sschrieb\b.{0,200}:$`),
	regexp.MustCompile(`(?i)^el\s.{1,300}\sescribió\s?:$`),
	regexp.MustCompile(`(?i)^op\s.{1,300}\sschreef\b.{0,200}:$`),
	regexp.MustCompile(`(?i)^il\s.{1,300}\sha\s+scritto\s?:$`),
	regexp.MustCompile(`(?i)^em\s.{1,300}\sescreveu\s?:$`),
	// "Jane Doe <jane@example.com> wrote:" and its translations; the address
	// in brackets and no sentence before it, so prose that mentions an
	// address ("our accountant jane@example.com wrote:") is not history.
	regexp.MustCompile(`(?i)^[^.!?<>]{0,100}<[^<>\s]+@[^<>\s]+>\s+(wrote|a écrit|schrieb|escribió|schreef|ha scritto|escreveu)\s?:$`),
}

var attributionLead = regexp.MustCompile(`(?i)^(on|le|am|el|op|il|em)\s`)

// attribution returns how many cleaned lines (1 to 3: clients wrap long
// ones) form an attribution line starting at i, or 0.
func attribution(cl []string, i int) int {
	joined := cl[i]
	if joined == "" || isQuoted(joined) {
		return 0
	}
	for n := 1; n <= 3 && i+n <= len(cl); n++ {
		if n > 1 {
			next := cl[i+n-1]
			if next == "" || isQuoted(next) || !attributionLead.MatchString(cl[i]) {
				return 0
			}
			joined += " " + next
		}
		if len(joined) > 600 {
			return 0
		}
		if !strings.HasSuffix(joined, ":") { // every attribution ends with a colon
			continue
		}
		for _, re := range attributionRE {
			if re.MatchString(joined) {
				return n
			}
		}
	}
	return 0
}

// quoteFollows reports whether the next non-blank line from i is quoted.
func quoteFollows(lines []string, i int) bool {
	for ; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "" {
			return isQuoted(lines[i])
		}
	}
	return false
}

var (
	originalMessage = regexp.MustCompile(`(?i)^-{2,}\s*(original message|original e-?mail|message d'origine|message d’origine|message original|ursprüngliche nachricht|ursprüngliche e-mail|original[- ]?nachricht|mensaje original|messaggio originale|oorspronkelijk bericht|origineel bericht|mensagem original|alkuperäinen viesti|originalmeddelande|opprinnelig melding|oprindelig meddelelse|oryginalna wiadomość|původní zpráva|eredeti üzenet|исходное сообщение|原始邮件|原始郵件|元のメッセージ)\s*-{2,}$`)
	underscores     = regexp.MustCompile(`^_{20,}$`)
	headerFrom      = regexp.MustCompile(`(?i)^(from|de|von|da|van|od|fra|från|от|发件人|寄件者|差出人|lähettäjä|feladó)\s?[:：]\s*\S`)
	headerDate      = regexp.MustCompile(`(?i)^(sent|date|envoyé|gesendet|datum|inviato|data|enviado|enviada|fecha|verzonden|skickat|sendt|отправлено|дата|发送时间|日期|時間|寄件日期|送信日時|lähetetty|elküldve|wysłano)\s?[:：]\s*\S`)
	headerField     = regexp.MustCompile(`(?i)^(from|de|von|da|van|sent|date|envoyé|gesendet|datum|inviato|data|enviado|fecha|verzonden|to|à|a|an|aan|para|cc|cci|bcc|subject|objet|betreff|oggetto|asunto|onderwerp|assunto|reply-to|répondre à|importance|priorité|wichtigkeit|od|fra|från|от|отправлено|дата|кому|тема|копия|发件人|发送时间|收件人|抄送|主题|寄件者|收件者|主旨|差出人|送信日時|宛先|件名|lähettäjä|lähetetty|vastaanottaja|aihe|skickat|till|ämne|sendt|til|emne|emnet|temat|wysłano|do|feladó|elküldve|címzett|tárgy)\s?[:：]`)
)

// hardCut reports a cleaned line where quoted history starts and nothing
// after it is new: an Outlook "-----Original Message-----" line, a "____"
// separator, or a "From: / Sent:" header block.
func hardCut(cl []string, i int) bool {
	l := cl[i]
	switch {
	case strings.HasPrefix(l, "--"):
		return originalMessage.MatchString(l)
	case strings.HasPrefix(l, "_"):
		return underscores.MatchString(l)
	}
	return headerBlockAt(cl, i)
}

// isHeaderFrom: a From line of a quoted header block ("From:", "De :", "Von:").
func isHeaderFrom(l string) bool {
	c := strings.IndexAny(l, ":：")
	return c > 0 && c <= 16 && headerFrom.MatchString(l)
}

// headerBlockAt: a From line followed within three lines by a Sent/Date line.
func headerBlockAt(cl []string, i int) bool {
	if !isHeaderFrom(cl[i]) {
		return false
	}
	for j := i + 1; j < len(cl) && j <= i+3; j++ {
		if cl[j] == "" {
			return false
		}
		if headerDate.MatchString(cl[j]) {
			return true
		}
	}
	return false
}

var (
	forwardDashes = regexp.MustCompile(`(?i)^-{2,}\s*(forwarded message( from .{1,200})?|forwarded e-?mail|message transféré|message transfere|weitergeleitete nachricht|weitergeleitete e-mail|mensaje reenviado|mensaje transferido|messaggio inoltrato|doorgestuurd bericht|mensagem encaminhada|mensagem reencaminhada|vidarebefordrat meddelande|videresendt meddelelse|videresendt melding|välitetty viesti|przekazana wiadomość|přeposlaná zpráva|továbbított üzenet|пересылаемое сообщение|пересланное сообщение|转发的邮件|轉寄的郵件|転送されたメッセージ)\s*-{2,}$`)
	forwardBegin  = regexp.MustCompile(`(?i)^(begin forwarded message|début du message réexpédié|debut du message reexpedie|anfang der weitergeleiteten nachricht|inicio del mensaje reenviado)\s?:$`)
)

// isForwardMarker reports a cleaned forward marker line.
func isForwardMarker(l string) bool {
	switch {
	case strings.HasPrefix(l, "--"):
		return forwardDashes.MatchString(l)
	case strings.HasSuffix(l, ":"):
		return forwardBegin.MatchString(l)
	}
	return false
}

// forwardBlock returns the length of a forward marker and the header block
// that follows it (From:, Date:, Subject:, To: lines up to the first blank
// line), or 0 when cleaned line i does not start a forward. fwdAt marks an
// Outlook block ("-----Original Message-----", a "____" separator or a
// From/Sent block) that Parse knows to be a forward.
func forwardBlock(cl []string, i, fwdAt int) int {
	if i != fwdAt && !isForwardMarker(cl[i]) {
		return 0
	}
	j := i
	if !isHeaderFrom(cl[j]) {
		j++ // the marker line itself
	}
	for j < len(cl) && cl[j] == "" {
		j++
	}
	// The header block: field lines and their wrapped continuations, up to
	// the first blank line; a block of at most 20 lines.
	start := j
	for j < len(cl) && cl[j] != "" && j-start < 20 {
		if j == start && !headerField.MatchString(cl[j]) {
			break
		}
		j++
	}
	return j - i
}

// forwardBlockAt returns the raw lines of the forward block starting at line
// at (see forwardBlock); outlook says line at is an Outlook block.
func forwardBlockAt(lines []string, at int, outlook bool) []string {
	end := min(len(lines), at+64) // a marker, blank lines and 20 header lines fit
	cl := make([]string, end-at)
	for i := range cl {
		cl[i] = clean(lines[at+i])
	}
	fwdAt := -1
	if outlook {
		fwdAt = 0
	}
	return lines[at : at+forwardBlock(cl, 0, fwdAt)]
}

// forwardHeaders reads the header block after a forward marker: the From
// value and the Subject value.
func forwardHeaders(lines []string) (from, subject string) {
	key := ""
	for _, raw := range lines {
		l := clean(raw)
		if l == "" || isForwardMarker(l) || originalMessage.MatchString(l) || underscores.MatchString(l) {
			continue
		}
		if loc := headerField.FindStringIndex(l); loc != nil {
			name := strings.ToLower(strings.TrimSpace(strings.TrimRight(l[:loc[1]], ":：")))
			val := strings.TrimSpace(l[loc[1]:])
			switch name {
			case "from", "de", "von", "da", "van", "od", "fra", "från", "от", "发件人", "寄件者", "差出人", "lähettäjä", "feladó":
				key = "from"
				if from == "" {
					from = val
				}
			case "subject", "objet", "betreff", "oggetto", "asunto", "onderwerp", "assunto", "тема", "主题", "主旨", "件名", "aihe", "ämne", "emne", "temat", "tárgy":
				key = "subject"
				if subject == "" {
					subject = val
				}
			default:
				key = ""
			}
			continue
		}
		switch key { // a wrapped continuation line
		case "from":
			from += " " + l
		case "subject":
			subject += " " + l
		}
	}
	return from, subject
}
