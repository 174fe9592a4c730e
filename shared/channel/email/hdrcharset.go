package email

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jhillyerd/enmime/v2"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// Raw 8-bit header text (no RFC 2047) is common from Chinese, Japanese,
// Russian and older Western clients: Foxmail sends a GBK subject and a GBK
// body, Outlook Express a Big5 file name. The bytes carry no label, so they
// are read, in order: as UTF-8 when they are (RFC 6532 mail); by a charset
// the mail itself declares (the part's charset for a file name, then the
// bodies' charsets and the encoded words' charsets); otherwise by detection.
// Never as Latin-1 by default: GBK read as Latin-1 is unreadable.

// headerDecoder reads the header values of one mail.
type headerDecoder struct {
	labels []string // declared charset labels, most telling first
}

// newHeaderDecoder collects the charsets a mail declares: the body parts'
// Content-Type charsets in document order (the root's first), then the
// charsets of encoded words in its header.
func newHeaderDecoder(root *enmime.Part) *headerDecoder {
	d := &headerDecoder{}
	seen := map[string]bool{}
	add := func(label string) {
		if label == "" || isASCIILabel(label) {
			return
		}
		if _, name, ok := lookupCharset(label); ok && !seen[name] {
			seen[name] = true
			d.labels = append(d.labels, name)
		}
	}
	if root == nil {
		return d
	}
	for _, p := range root.DepthMatchAll(func(p *enmime.Part) bool { return p.FirstChild == nil }) {
		if strings.HasPrefix(p.ContentType, "text/") || p.ContentType == "" {
			add(p.Charset)
		}
	}
	for _, vs := range root.Header {
		for _, v := range vs {
			for _, m := range wordCharset.FindAllStringSubmatch(v, 10) {
				add(m[1])
			}
		}
	}
	return d
}

var wordCharset = regexp.MustCompile(`=\?([A-Za-z0-9_.:-]{1,40})(?:\*[A-Za-z-]*)?\?[BbQq]\?`)

// raw returns s as UTF-8. extra are labels to try before the mail's own
// (a part's charset for its file name).
func (d *headerDecoder) raw(s string, extra ...string) string {
	if utf8.ValidString(s) {
		return s
	}
	var labels []string
	labels = append(labels, extra...)
	if d != nil {
		labels = append(labels, d.labels...)
	}
	for _, label := range labels {
		if label == "" || isASCIILabel(label) {
			continue
		}
		enc, name, ok := lookupCharset(label)
		if !ok {
			continue
		}
		if out, ok := decodeWith(enc, s); ok && plausibleDeclared(name, s) {
			return out
		}
	}
	return detectRaw(s)
}

// text decodes an unstructured header value (Subject): raw 8-bit bytes,
// then RFC 2047 encoded words, then white space and control characters.
func (d *headerDecoder) text(v string) string {
	v = d.raw(v)
	if strings.Contains(v, "=?") {
		if dec, err := wordDecoder.DecodeHeader(relabelLatin1(v)); err == nil {
			v = dec
		}
	}
	// A word in an unknown charset ("unknown-8bit") left its bytes raw.
	return cleanText(validUTF8(d.raw(v)))
}

// decodeWith decodes s strictly: a byte sequence the charset does not define
// (U+FFFD) or a control character in the result refuses it.
func decodeWith(enc encoding.Encoding, s string) (string, bool) {
	out, err := enc.NewDecoder().String(s)
	if err != nil || !utf8.ValidString(out) {
		return "", false
	}
	for _, r := range out {
		if r == utf8.RuneError || (r >= 0x80 && r < 0xA0) || (r >= 0xE000 && r <= 0xF8FF) {
			return "", false
		}
	}
	return out, true
}

// plausibleDeclared: a declared charset is taken only when the text reads
// as that script: a mail declaring ISO-8859-1 for its body may still carry a
// GBK subject (ISO-8859-1 decodes any bytes), one declaring GBK a Latin-1
// name (which GBK decodes as rare ideographs).
func plausibleDeclared(name, s string) bool {
	for _, c := range candidates {
		if c.name == name {
			out, _ := decodeWith(c.enc, s)
			if c.single {
				return c.score([]byte(s), out) > 0.25
			}
			return c.score([]byte(s), out) > 0
		}
	}
	return true // a charset we do not score (ISO-8859-2, EUC-TW): trust it
}

// candidate is a charset detection may choose.
type candidate struct {
	name   string // WHATWG name, as lookupCharset returns
	enc    encoding.Encoding
	single bool // one byte per character
	// score rates how much the text reads as natural text in this charset,
	// per non-ASCII byte: about 1 for typical text, below 0 for junk.
	score func(raw []byte, decoded string) float64
}

// candidates in order of preference when scores tie. EUC-JP is not
// detected, only read when declared: its kana rows are Big5's most frequent
// characters (中文 in Big5 is いや in EUC-JP), and raw EUC-JP headers are rare.
var candidates = []candidate{
	{"gbk", simplifiedchinese.GBK, false, scoreGBK},
	{"shift_jis", japanese.ShiftJIS, false, scoreSJIS},
	{"big5", traditionalchinese.Big5, false, scoreBig5},
	{"euc-kr", korean.EUCKR, false, scoreEUCKR},
	{"windows-1252", charmap.Windows1252, true, scoreLatin},
	{"koi8-r", charmap.KOI8R, true, scoreCyrillic},
	{"windows-1251", charmap.Windows1251, true, scoreCyrillic},
}

// detectRaw reads undeclared 8-bit text by the charset it reads best in;
// Windows-1252 when none reads well.
func detectRaw(s string) string {
	best, bestScore := "", 0.2
	for _, c := range candidates {
		out, ok := decodeWith(c.enc, s)
		if !ok {
			continue
		}
		if sc := c.score([]byte(s), out); sc > bestScore {
			best, bestScore = out, sc
		}
	}
	if best == "" {
		return validUTF8(s)
	}
	return best
}

// scorePairs walks double-byte text (lead >= 0x81) and sums weigh(lead,
// trail) per character, per non-ASCII byte; a lone byte >= 0x80 that is
// not a lead scores single(c).
func scorePairs(b []byte, isLead func(byte) bool, weigh func(lead, trail byte) float64, single func(byte) float64) float64 {
	n, sum := 0, 0.0
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c < 0x80:
		case isLead(c) && i+1 < len(b):
			sum += 2 * weigh(c, b[i+1])
			n += 2 // an ASCII second byte counts too: "Ætna" is not one Big5 character and "na"
			i++
		default:
			sum += single(c)
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

func neverLead(byte) bool         { return false }
func junkSingle(byte) float64     { return -2 }
func between(c, lo, hi byte) bool { return c >= lo && c <= hi }
func leadA1(c byte) bool          { return between(c, 0x81, 0xFE) }
func trailHigh(t byte) bool       { return between(t, 0xA1, 0xFE) }
func commonBonus(s string, set map[rune]bool) float64 {
	n, hit := 0, 0
	for _, r := range s {
		if r >= 0x80 {
			n++
			if set[r] {
				hit++
			}
		}
	}
	if n == 0 {
		return 0
	}
	return float64(hit) / float64(n)
}

// scoreGBK: GB2312's first level (3,755 common hanzi) and its punctuation
// rows are typical; GBK's extension rows are rare in real text.
func scoreGBK(b []byte, s string) float64 {
	sc := scorePairs(b, leadA1, func(l, t byte) float64 {
		switch {
		case between(l, 0xB0, 0xD7) && trailHigh(t):
			return 0.9
		case between(l, 0xA1, 0xA9) && trailHigh(t):
			return 0.6
		case between(l, 0xD8, 0xF7) && trailHigh(t):
			return 0.3
		}
		return -0.5
	}, junkSingle)
	return sc + commonBonus(s, commonHans)
}

// scoreBig5: the frequent-character block A440-C67E and the symbol rows.
func scoreBig5(b []byte, s string) float64 {
	sc := scorePairs(b, func(c byte) bool { return between(c, 0x81, 0xFE) }, func(l, t byte) float64 {
		code := uint16(l)<<8 | uint16(t)
		switch {
		case code >= 0xA440 && code <= 0xC67E:
			return 0.9
		case code >= 0xA140 && code <= 0xA3BF:
			return 0.6
		case code >= 0xC940 && code <= 0xF9D5:
			return 0.3
		}
		return -0.5
	}, junkSingle)
	return sc + commonBonus(s, commonHant)
}

// scoreSJIS: kana and first-level kanji; half-width katakana (single bytes
// A1-DF) are rare in subjects and names, and where Latin-1 lands in Shift_JIS.
func scoreSJIS(b []byte, _ string) float64 {
	return scorePairs(b, func(c byte) bool { return between(c, 0x81, 0x9F) || between(c, 0xE0, 0xFC) }, func(l, t byte) float64 {
		code := uint16(l)<<8 | uint16(t)
		switch {
		case code >= 0x829F && code <= 0x82F1, code >= 0x8340 && code <= 0x8396:
			return 1.3 // hiragana, katakana
		case code >= 0x889F && code <= 0x9872:
			return 0.9
		case code >= 0x8140 && code <= 0x81AC:
			return 0.6
		case code >= 0x989F && code <= 0xEAA4:
			return 0.3
		}
		return -0.5
	}, func(c byte) float64 {
		if between(c, 0xA1, 0xDF) {
			return -0.3
		}
		return -2
	})
}

// scoreEUCKR: the 2,350 precomposed hangul (B0A1-C8FE).
func scoreEUCKR(b []byte, s string) float64 {
	return commonBonus(s, commonHangul) + scorePairs(b, func(c byte) bool { return between(c, 0x81, 0xFE) }, func(l, t byte) float64 {
		switch {
		case between(l, 0xB0, 0xC8) && trailHigh(t):
			return 0.8
		case between(l, 0xA1, 0xAC) && trailHigh(t):
			return 0.5
		case between(l, 0xCA, 0xFD) && trailHigh(t):
			return -0.3 // hanja: rare in Korean mail, where GBK lands
		}
		return -0.5
	}, junkSingle)
}

// scoreLatin: Western text has its accented letters inside words of ASCII
// letters (Müller, résumé, Françoise); a run of accented letters and
// symbols is another charset read as Latin-1.
func scoreLatin(_ []byte, s string) float64 {
	rs := []rune(s)
	n, sum := 0, 0.0
	for i, r := range rs {
		if r < 0x80 {
			continue
		}
		n++
		before, after := i > 0 && isASCIILetter(rs[i-1]), i+1 < len(rs) && isASCIILetter(rs[i+1])
		switch {
		case strings.ContainsRune("ƒŠŒŽšœžŸ", r):
			sum += 0.3 // Windows-1252's letters in 80-9F: rare, and where Shift_JIS kana lead bytes land
		case unicode.IsLetter(r) && before && after:
			sum += 1.5
		case unicode.IsLetter(r) && (before || after):
			sum += 1.2
		case unicode.IsLetter(r) && (i == 0 || !unicode.IsLetter(rs[i-1])) && (i+1 == len(rs) || !unicode.IsLetter(rs[i+1])):
			sum += 0.5 // à, é standing alone
		case strings.ContainsRune("€‘’“”–—…«»°©®™¿¡£§·", r):
			sum += 0.6
		default:
			sum -= 0.3
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

func isASCIILetter(r rune) bool { return (r|0x20) >= 'a' && (r|0x20) <= 'z' }

// scoreCyrillic: Russian text is mostly lower case, capitals start words.
// KOI8-R and Windows-1251 swap the cases of each other's letters, so the
// wrong one of the two reads as words with capitals inside.
func scoreCyrillic(_ []byte, s string) float64 {
	rs := []rune(s)
	n, sum := 0, 0.0
	for i, r := range rs {
		if r < 0x80 {
			continue
		}
		n++
		prevLetter := i > 0 && isRussian(rs[i-1])
		nextLetter := i+1 < len(rs) && isRussian(rs[i+1])
		switch {
		case isRussian(r) && unicode.IsLower(r):
			sum += 1.1
		case isRussian(r) && prevLetter && unicode.IsLower(rs[i-1]):
			sum -= 1 // a capital inside a word
		case isRussian(r) && nextLetter && unicode.IsLower(rs[i+1]):
			sum += 1.1 // a capital starting a word
		case isRussian(r) && nextLetter:
			sum += 0.9 // capitals throughout
		case isRussian(r):
			sum += 0.4 // a lone capital
		case unicode.Is(unicode.Cyrillic, r) && (prevLetter || nextLetter):
			sum += 0.5 // Ukrainian, Serbian letters
		case strings.ContainsRune("«»–—№“”„", r):
			sum += 0.6
		default:
			sum -= 1
		}
	}
	if n == 0 {
		return 0
	}
	// Words without vowels are other bytes read as Cyrillic (GBK 中文 is
	// "жпнд" in KOI8-R): each of their letters counts against.
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !isRussian(r) }) {
		if len([]rune(w)) >= 2 && !strings.ContainsAny(strings.ToLower(w), "аеёиоуыэюя") {
			sum -= 2.1 * float64(len([]rune(w)))
		}
	}
	return sum / float64(n)
}

func isRussian(r rune) bool { return (r >= 0x410 && r <= 0x44F) || r == 'Ё' || r == 'ё' }

// commonHans and commonHant are the most frequent characters of Chinese
// text (commonHan), with the simplified or the traditional forms of
// frequent characters that differ: right text hits them three times in
// four, GBK bytes read as Big5 (and the reverse) rarely.
var (
	commonHans = runeSet(commonHan + "这们来为国说时会对过发后经学现当没动还进样开从实请问题订单谢务货号码账户费询报价购买处联系关于产品将给设备网络电话无见长东车门间头让认论样听气边进远运")
	commonHant = runeSet(commonHan + "這們來為國說時會對過發後經學現當沒動還進樣開從實請問題訂單謝務貨號碼賬戶費詢報價購買處聯繫關於產品將給設備網絡電話無見長東車門間頭讓認論聽氣邊遠運")
)

const commonHan = "的一是不了人我在有他中大上个到也你地出道时年得就那要下以生自着去之家学可她里小么心多天而能好都然日于起成事只作想看文手十用主行方又如前所本经面公同三已老动两知民现分外但身些与高意把法此回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最新什打便位因重被走四第相次政海口使教西再平真世信北少关并内加化由却代军产入先山五太水万市眼体别总才场师书比住员九笑性通目华报立马命张活难神数件安表原白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记共风战干接它许八特觉望直服毛林题建南度统色字请交爱算百吃义科怎元社术结六功指思非流每青管夫连资队跟带花快条院变联言权往展该领传近留红治决周保达办武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴切够号准差且哪拉您谢款退票附件"

// commonHangul are frequent syllables of Korean mail; GBK or Big5 bytes
// read as EUC-KR land on random syllables of the 2,350.
var commonHangul = runeSet("견적계정로그회원입취소변경요청확인내감사고객센터상품서비스오류문해결답메일화락처날짜간월년개드립합있없다니습요이는의을를에가하고서문주안녕세사합드리로도지기한수인대제정자시해전상어있것나부보신청감김박최민영환불송배금결제확원비번호께님희경진현성준우연아들게면만까말씀부탁립")

func runeSet(s string) map[rune]bool {
	m := map[rune]bool{}
	for _, r := range s {
		m[r] = true
	}
	return m
}

// escapeRaw maps every byte >= 0x80 of a string that is not UTF-8 to a
// private-use rune (U+F700 + byte), so enmime's media-type parser, which
// replaces invalid UTF-8 with U+FFFD, keeps raw 8-bit file names intact for
// fixFileNames to decode by charset. A backslash after such a byte is the
// second byte of a Big5, GBK or Shift_JIS character (功 is A5 5C, 表 95 5C),
// not a quoted-string escape: it is mapped too, or the parser would drop it
// and take the next character (or the closing quote) as escaped.
func escapeRaw(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || (c == '\\' && i > 0 && s[i-1] >= 0x80) {
			b.WriteRune(rawBase + rune(c))
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

const rawBase = 0xF700

// unescapeRaw undoes escapeRaw; ok reports whether s held escaped bytes.
func unescapeRaw(s string) (string, bool) {
	if !strings.ContainsFunc(s, isEscaped) {
		return s, false
	}
	var b strings.Builder
	for _, r := range s {
		if isEscaped(r) {
			b.WriteByte(byte(r - rawBase))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String(), true
}

func isEscaped(r rune) bool { return r >= rawBase && r <= rawBase+0xFF }

// fixParts decodes the file names that arrived as raw 8-bit bytes (by the
// part's charset, the mail's, then detection) and cleans file names and
// content ids of white space and control characters.
func (d *headerDecoder) fixParts(root *enmime.Part) {
	if root == nil {
		return
	}
	for _, p := range root.DepthMatchAll(func(p *enmime.Part) bool { return p.ContentID != "" }) {
		p.ContentID = cleanToken(validUTF8(p.ContentID))
	}
	d.fixFileNames(root)
}

func (d *headerDecoder) fixFileNames(root *enmime.Part) {
	if root == nil {
		return
	}
	for _, p := range root.DepthMatchAll(func(p *enmime.Part) bool { return p.FileName != "" }) {
		name := p.FileName
		if raw, ok := unescapeRaw(name); ok {
			name = d.raw(raw, p.Charset)
		}
		p.FileName = cleanText(validUTF8(name))
	}
}

var ext2231 = regexp.MustCompile(`(?i)(?:^|;)\s*([a-z0-9_-]+)\*(?:(\d{1,3})(\*)?|())\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)`)

// decode2231 assembles an RFC 2231 parameter (key*=charset'lang'%XX, or
// continuations key*0*=, key*1*=, key*2=) in any charset: Go's parser
// understands only UTF-8 and US-ASCII and drops the others. It returns the
// value as UTF-8, or with escapeRaw's runes when the charset is unknown.
func decode2231(ctype, key string) string {
	type seg struct {
		n   int
		ext bool
		v   string
	}
	var segs []seg
	for _, m := range ext2231.FindAllStringSubmatch(ctype, 100) {
		if !strings.EqualFold(m[1], key) {
			continue
		}
		n, ext := 0, true
		if m[2] != "" {
			n, _ = strconv.Atoi(m[2])
			ext = m[3] == "*"
		}
		v := strings.TrimSpace(m[5])
		if strings.HasPrefix(v, `"`) {
			v = strings.ReplaceAll(strings.Trim(v, `"`), `\`, "")
		}
		segs = append(segs, seg{n, ext, v})
	}
	if len(segs) == 0 {
		return ""
	}
	sort.SliceStable(segs, func(i, j int) bool { return segs[i].n < segs[j].n })
	charset := ""
	var b strings.Builder
	for i, s := range segs {
		v := s.v
		if i == 0 && s.ext {
			if parts := strings.SplitN(v, "'", 3); len(parts) == 3 {
				charset, v = parts[0], parts[2]
			}
		}
		if s.ext {
			v = percentDecode(v)
		}
		b.WriteString(v)
	}
	out := b.String()
	if utf8.ValidString(out) && (charset == "" || !strings.Contains(strings.ToLower(charset), "2022")) {
		return out
	}
	if enc, _, ok := lookupCharset(charset); ok && !isASCIILabel(charset) {
		if dec, ok := decodeWith(enc, out); ok {
			return dec
		}
	}
	return escapeRaw(out)
}

// percentDecode decodes %XX escapes, leaving malformed ones as they are.
func percentDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
