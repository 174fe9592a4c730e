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
// was written in, for the scripts mail arrives in unlabelled.
func TestDetectRaw(t *testing.T) {
	cases := []struct {
		enc  encoding.Encoding
		text []string
	}{
		{simplifiedchinese.GBK, []string{"关于发票的问题", "张伟", "退款申请", "您好，请问订单什么时候发货？", "李娜的简历.pdf", "王芳", "李明", "刘洋", "报价单"}},
		{traditionalchinese.Big5, []string{"訂單查詢", "陳大文", "請問發票", "退貨申請", "報價單.xls", "林志明", "王小明", "黃美玲"}},
		{japanese.ShiftJIS, []string{"請求書について", "山田太郎", "お問い合わせ", "注文番号の確認", "見積書.pdf", "佐藤", "ありがとう"}},
		{japanese.EUCJP, []string{"お問い合わせ", "ご注文ありがとうございます"}},
		{korean.EUCKR, []string{"주문 문의", "김민수", "환불 요청드립니다"}},
		{charmap.KOI8R, []string{"Проблема с заказом", "Иван Петров", "Счёт на оплату", "Возврат"}},
		{charmap.Windows1251, []string{"Проблема с заказом", "Иван Петров", "Счёт на оплату", "Возврат"}},
		{charmap.Windows1252, []string{"Françoise Lefèvre", "Jürgen Müller", "Résiliation de l'abonnement", "Señor Núñez", "Ærø Købmand", "Offerte – € 1.200", "Thé", "José", "Zoë", "Ångström", "Grüße", "Ça va?"}},
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
