package render

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strconv"

	"github.com/loa-project/loa/internal/docmodel"
)

// htmlCSS lays the document out like the PDF, in millimetres, scoped to
// the .loa-doc element so that the fragment can sit inside any page.
const htmlCSS = `
.loa-doc{box-sizing:border-box;position:relative;overflow:hidden;width:210mm;min-height:297mm;margin:0 auto;padding:20mm 15mm 20mm 30mm;background:#fff;color:#000;font-family:"Times New Roman","Liberation Serif",Tinos,Times,serif;font-size:14pt;line-height:1.2;text-align:left}
.loa-doc *{box-sizing:border-box}
.loa-doc p{margin:0}
.loa-doc .loa-hdr{display:flex;justify-content:space-between;align-items:flex-start;margin-left:-10mm}
.loa-doc .loa-hdr-l{width:78mm;text-align:center;font-size:13pt;line-height:1.15}
.loa-doc .loa-hdr-r{width:90mm;text-align:center;font-size:13pt;line-height:1.15}
.loa-doc .loa-agency,.loa-doc .loa-motto-box{display:inline-block}
.loa-doc .loa-agency{font-size:12.5pt}
.loa-doc .loa-parent{text-transform:uppercase}
.loa-doc .loa-issuer{font-weight:bold;text-transform:uppercase}
.loa-doc .loa-rule{border:0;border-top:.3mm solid #000;margin:1mm auto 0;height:0}
.loa-doc .loa-rule-short{width:40%}
.loa-doc .loa-rule-full{width:100%}
.loa-doc .loa-national{font-weight:bold;font-size:12pt;white-space:nowrap}
.loa-doc .loa-motto{font-weight:bold}
.loa-doc .loa-number{margin-top:1.5mm}
.loa-doc .loa-date{margin-top:1.5mm;font-style:italic;font-size:14pt}
.loa-doc .loa-mark{display:inline-block;margin-top:2.5mm;padding:.5mm 3mm;border:.3mm solid #000;font-weight:bold;text-transform:uppercase}
.loa-doc .loa-type{margin-top:6mm;text-align:center;font-weight:bold;text-transform:uppercase}
.loa-doc .loa-subject{margin:0 10mm;text-align:center;font-weight:bold}
.loa-doc .loa-subject-rule{width:35mm;margin-top:1mm}
.loa-doc .loa-to{margin-top:6mm}
.loa-doc .loa-to-one{text-align:center}
.loa-doc .loa-to-list{display:flex;justify-content:center}
.loa-doc .loa-to-list ul{list-style:none;margin:1.2em 0 0;padding:0}
.loa-doc .loa-to-list li{padding-left:1em;text-indent:-1em}
.loa-doc .loa-body{margin-top:3mm}
.loa-doc .loa-body p{text-align:justify;text-indent:12.7mm;margin-bottom:6pt}
.loa-doc .loa-band{display:flex;justify-content:space-between;align-items:flex-start;margin-top:2mm;break-inside:avoid}
.loa-doc .loa-nn{width:78mm;font-size:11pt;line-height:1.15}
.loa-doc .loa-nn-title{font-size:12pt;font-weight:bold;font-style:italic}
.loa-doc .loa-nn ul{list-style:none;margin:0;padding:0}
.loa-doc .loa-nn li{padding-left:.7em;text-indent:-.7em}
.loa-doc .loa-sig{width:85mm;text-align:center;font-weight:bold}
.loa-doc .loa-sig-upper{text-transform:uppercase}
.loa-doc .loa-sig-space{position:relative;height:26mm}
.loa-doc .loa-sig-img{position:absolute;left:50%;top:2mm;width:40mm;max-height:35mm;transform:translateX(-50%)}
.loa-doc .loa-seal-img{position:absolute;left:calc(50% - 20mm + 40mm/3 - 36mm);top:50%;width:36mm;transform:translateY(-50%)}
.loa-doc .loa-watermark{position:absolute;left:50%;top:50%;transform:translate(-50%,-50%) rotate(-55deg);font-size:110pt;font-weight:bold;color:rgba(0,0,0,.12);white-space:nowrap;pointer-events:none;user-select:none}
@media print{.loa-doc{margin:0;width:auto;min-height:0}}
`

var htmlTmpl = template.Must(template.New("doc").Parse(`{{define "doc"}}<style>{{.CSS}}</style>
<article class="loa-doc" lang="vi"{{with .FontSize}} style="font-size:{{.}}"{{end}}>
{{- if .Draft}}<div class="loa-watermark" aria-hidden="true">{{.Watermark}}</div>{{end}}
<header class="loa-hdr">
<div class="loa-hdr-l">
<div class="loa-agency">
{{- with .D.ParentIssuer}}<div class="loa-parent">{{.}}</div>{{end}}
{{- with .D.Issuer}}<div class="loa-issuer">{{.}}</div><hr class="loa-rule loa-rule-short">{{end}}
</div>
<div class="loa-number">{{.D.NumberLine}}</div>
{{- if and .D.IsLetter .D.Subject}}<div class="loa-vv">V/v {{.D.Subject}}</div>{{end}}
{{- range .D.Marks}}<div><span class="loa-mark">{{.}}</span></div>{{end}}
</div>
<div class="loa-hdr-r">
<div class="loa-national">{{.National}}</div>
<div class="loa-motto-box"><div class="loa-motto">{{.Motto}}</div><hr class="loa-rule loa-rule-full"></div>
<div class="loa-date">{{.D.DateLine}}</div>
</div>
</header>
{{- if not .D.IsLetter}}
<div class="loa-type">{{.D.TypeName}}</div>
{{- with .D.Subject}}<div class="loa-subject">{{.}}</div><hr class="loa-rule loa-subject-rule">{{end}}
{{- end}}
{{- if eq (len .D.Recipients) 1}}
<p class="loa-to loa-to-one">Kính gửi: {{index .D.Recipients 0}}</p>
{{- else if .D.Recipients}}
<div class="loa-to loa-to-list"><div>Kính gửi:</div><ul>{{range .Recipients}}<li>{{.}}</li>{{end}}</ul></div>
{{- end}}
<div class="loa-body">
{{- range .D.Paragraphs}}
<p>{{.}}</p>
{{- end}}
</div>
<div class="loa-band">
<div class="loa-nn">{{if .D.Distribution}}<div class="loa-nn-title">Nơi nhận:</div><ul>{{range .D.Distribution}}<li>{{.}}</li>{{end}}</ul>{{end}}</div>
<div class="loa-sig">
{{- with .D.Authority}}<div class="loa-sig-upper">{{.}}</div>{{end}}
{{- with .D.SignerTitle}}<div class="loa-sig-upper">{{.}}</div>{{end}}
<div class="loa-sig-space"{{if .SigHeight}} style="height:{{.SigHeight}}"{{end}}>
{{- with .Signature}}<img class="loa-sig-img" src="{{.}}" alt="Chữ ký">{{end}}
{{- with .Seal}}<img class="loa-seal-img" src="{{.}}" alt="Dấu">{{end}}
</div>
{{- with .D.SignerName}}<div class="loa-sig-name">{{.}}</div>{{end}}
</div>
</div>
</article>
{{end}}
{{define "page"}}<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>body{margin:0;padding:10mm 0;background:#e8e8e8}@media print{body{padding:0;background:#fff}@page{size:A4;margin:0}}</style>
</head>
<body>
{{template "doc" .}}
</body>
</html>
{{end}}`))

// htmlData is what the template sees.
type htmlData struct {
	CSS        template.CSS
	D          htmlView
	Draft      bool
	Watermark  string
	National   string
	Motto      string
	Recipients []string
	Signature  template.URL
	Seal       template.URL
	SigHeight  template.CSS
	FontSize   template.CSS // body size when not the default 14 pt
	Title      string
}

// htmlView exposes the prepared document to the template, which cannot
// read doc's unexported fields.
type htmlView struct {
	ParentIssuer, Issuer, NumberLine, Subject, TypeName, DateLine string
	IsLetter                                                      bool
	Marks, Recipients, Paragraphs, Distribution                   []string
	Authority, SignerTitle, SignerName                            string
}

// HTML writes f as an HTML fragment (a <style> element and an <article>)
// laid out like the PDF, for the in-app preview; with
// Options.StandalonePage it writes a complete page. All text is escaped by
// html/template; images are embedded as data: URLs.
func HTML(w io.Writer, f docmodel.Fields, opt Options) error {
	size, err := checkOptions(opt)
	if err != nil {
		return err
	}
	d, err := prepare(f)
	if err != nil {
		return err
	}
	title := d.title
	if opt.Title != "" {
		title = cleanLine(opt.Title)
	}
	recips := make([]string, len(d.recipients))
	for i, r := range d.recipients {
		if i == len(d.recipients)-1 {
			recips[i] = "- " + r + "."
		} else {
			recips[i] = "- " + r + ";"
		}
	}
	data := htmlData{
		CSS: template.CSS(htmlCSS),
		D: htmlView{
			ParentIssuer: d.parentIssuer, Issuer: d.issuer, NumberLine: d.numberLine,
			IsLetter: d.isLetter, Subject: d.subject, TypeName: d.typeName, Marks: d.marks,
			DateLine: d.dateLine, Recipients: d.recipients, Paragraphs: d.paragraphs,
			Distribution: d.distribution, Authority: d.authority, SignerTitle: d.signerTitle,
			SignerName: d.signerName,
		},
		Draft:      opt.Draft,
		Watermark:  watermark,
		National:   nationalName,
		Motto:      motto,
		Recipients: recips,
		Title:      title,
	}
	if size != 14 {
		data.FontSize = template.CSS(strconv.FormatFloat(size, 'f', -1, 64) + "pt")
	}
	if len(opt.SignatureImage) > 0 {
		// checkOptions verified that these are PNG images, so the data URL
		// cannot smuggle another content type.
		data.Signature = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(opt.SignatureImage))
		h := signatureWidth * pngAspect(opt.SignatureImage)
		if h > 35 {
			h = 35
		}
		if h < 12 {
			h = 12
		}
		data.SigHeight = template.CSS(fmt.Sprintf("%.1fmm", h+4))
	}
	if len(opt.SealImage) > 0 {
		data.Seal = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(opt.SealImage))
	}
	name := "doc"
	if opt.StandalonePage {
		name = "page"
	}
	bw := bufio.NewWriter(w)
	if err := htmlTmpl.ExecuteTemplate(bw, name, data); err != nil {
		return fmt.Errorf("render: writing HTML: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("render: writing HTML: %w", err)
	}
	return nil
}
