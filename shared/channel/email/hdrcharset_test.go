package email

import (
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// TestDetectRaw: undeclared raw 8-bit header text is read in the charset it
// was written in, for the scripts mail arrives in unlabelled. Detection of a
// few characters is a guess; known misses: two-character names that are
// common characters in both GBK and Big5 (趙敏 in Big5 reads as GBK 化庇),
// all-capital Russian (KOI8-R СРОЧНО is Windows-1251 утпюоп).
func TestDetectRaw(t *testing.T) {
	cases := []struct {
		enc  encoding.Encoding
		text []string
	}{
		{simplifiedchinese.GBK, []string{"关于发票的问题", "张伟", "退款申请", "您好，请问订单什么时候发货？", "李娜的简历.pdf", "王芳", "李明", "刘洋", "报价单", "中文", "你好", "陈静", "杨洋", "赵敏", "吴磊", "订单号", "售后服务", "回复：关于合同", "转发：会议通知", "账号被锁定", "黄晓明", "测试邮件"}},
		{traditionalchinese.Big5, []string{"訂單查詢", "陳大文", "請問發票", "退貨申請", "報價單.xls", "林志明", "王小明", "黃美玲", "中文", "發票", "陳靜", "吳磊", "訂單號碼", "售後服務", "回覆：關於合約", "轉寄：會議通知", "產品諮詢", "密碼重設"}},
		{japanese.ShiftJIS, []string{"請求書について", "山田太郎", "お問い合わせ", "注文番号の確認", "見積書.pdf", "佐藤", "ありがとう", "田中", "納品書", "お世話になっております", "テスト", "パスワード再設定", "会議のご案内"}},
		{korean.EUCKR, []string{"주문 문의", "김민수", "환불 요청드립니다", "안녕하세요", "이영희", "배송 문의", "비밀번호 재설정", "견적서"}},
		{charmap.KOI8R, []string{"Проблема с заказом", "Иван Петров", "Счёт на оплату", "Возврат", "Привет", "Договор", "Ольга", "ООО Ромашка"}},
		{charmap.Windows1251, []string{"Проблема с заказом", "Иван Петров", "Счёт на оплату", "Возврат", "Привет", "Договор", "Ольга", "ООО Ромашка"}},
		{charmap.Windows1252, []string{"Françoise Lefèvre", "Jürgen Müller", "Résiliation de l'abonnement", "Señor Núñez", "Ærø Købmand", "Offerte – € 1.200", "Thé", "José", "Zoë", "Ångström", "Grüße", "Ça va?", "Café", "Ñandú", "naïve", "Søren", "Ætna", "São Paulo", "Élodie", "ÉTÉ", "Zürich"}},
	}
	for _, c := range cases {
		for _, want := range c.text {
			raw, err := c.enc.NewEncoder().String(want)
			if err != nil {
				t.Fatal(err)
			}
			if got := detectRaw(raw); got != want {
				t.Errorf("%v %q: got %q", c.enc, want, got)
			}
		}
	}
}

// TestDeclaredCharsetMustFit: a declared charset that does not read the
// bytes as its script gives way to detection.
func TestDeclaredCharsetMustFit(t *testing.T) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String("关于发票的问题")
	sjis, _ := japanese.ShiftJIS.NewEncoder().String("お問い合わせ")
	cases := []struct{ declared, raw, want string }{
		{"gbk", gbk, "关于发票的问题"},
		{"gbk", "J\xf6rg M\xfcller", "Jörg Müller"},
		{"iso-8859-1", gbk, "关于发票的问题"},
		{"iso-8859-1", "Fran\xe7oise", "Françoise"},
		{"utf-8", sjis, "お問い合わせ"},
		{"koi8-r", "\xe9\xd7\xc1\xce", "Иван"},
		{"windows-1251", "\xc8\xe2\xe0\xed", "Иван"},
		{"iso-2022-jp", sjis, "お問い合わせ"},
	}
	for _, c := range cases {
		_, name, _ := lookupCharset(c.declared)
		d := &headerDecoder{labels: []string{name}}
		if got := d.raw(c.raw); got != c.want {
			t.Errorf("declared %s, %q: got %q, want %q", c.declared, c.raw, got, c.want)
		}
	}
}

// TestRawFileNameTrailingBackslashByte: a Shift_JIS or Big5 file name whose
// last character ends in byte 0x5C (表, 許) before the closing quote keeps
// that character and the parameters after it.
func TestRawFileNameTrailingBackslashByte(t *testing.T) {
	sjis, _ := japanese.ShiftJIS.NewEncoder().String("見積表")
	big5, _ := traditionalchinese.Big5.NewEncoder().String("許")
	raw := "From: a@example.jp\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhi\r\n" +
		"--b\r\nContent-Type: application/octet-stream; name=\"" + sjis + "\"; charset=shift_jis\r\nContent-Disposition: attachment\r\n\r\nx\r\n" +
		"--b\r\nContent-Type: application/octet-stream; charset=big5\r\nContent-Disposition: attachment; filename=\"" + big5 + "\"; size=1\r\n\r\ny\r\n--b--\r\n"
	p, err := Parse([]byte(raw), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range p.Attachments {
		names = append(names, a.Name)
	}
	if len(names) != 2 || names[0] != "見積表" || names[1] != "許" {
		t.Errorf("names %q, want [見積表 許]", names)
	}
}

// TestEncodedWordLabels: UTF-8 in words labelled ISO-8859-1 is read as
// UTF-8; real Latin-1 and Windows-1252 words stay as they are; a word in an
// unknown charset is detected.
func TestEncodedWordLabels(t *testing.T) {
	cases := map[string]string{
		"=?ISO-8859-1?B?Wm/DqyBNw7xsbGVy?=":           "Zoë Müller",
		"=?iso-8859-1?q?=C3=BCber?=":                  "über",
		"=?ISO-8859-1?Q?Fran=E7ois_P=E9rez?=":         "François Pérez",
		"=?windows-1252?Q?=93quoted=94_=80?=":         "\u201cquoted\u201d €",
		"=?iso-8859-1?q?=93x=94?=":                    "\u201cx\u201d",
		"=?unknown-8bit?Q?Caf=E9?=":                   "Café",
		"=?x-unknown?B?" + "1tDOxA==" + "?=":          "中文",
		"=?utf-8?b??= =?utf-8?q?=0D=0A_Hello?= world": "Hello world",
	}
	for in, want := range cases {
		if got := decodeHeader(in); got != want {
			t.Errorf("decodeHeader(%q) = %q, want %q", in, got, want)
		}
	}
}
