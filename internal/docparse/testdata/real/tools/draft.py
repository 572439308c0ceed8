#!/usr/bin/env python3
"""Reading aid for writing expectations of vbpl.vn web copies: drafts the
identification and signature fields from the positions of lines in the
published text (header table cells, the line after the type name, the last
lines of the closing). Every draft is then checked and corrected by a person
reading the document; the reading aid is not the parser and shares no code
with it. Usage: draft.py doc.txt > doc.draft.json"""
import json, re, sys

TYPES = {"THÔNG TƯ": "Thông tư", "NGHỊ ĐỊNH": "Nghị định", "NGHỊ QUYẾT": "Nghị quyết", "LUẬT": "Luật",
         "QUYẾT ĐỊNH": "Quyết định", "THÔNG TƯ LIÊN TỊCH": "Thông tư liên tịch", "PHÁP LỆNH": "Pháp lệnh",
         "CHỈ THỊ": "Chỉ thị", "CÔNG VĂN": "Công văn", "KẾ HOẠCH": "Kế hoạch", "THÔNG BÁO": "Thông báo",
         "BÁO CÁO": "Báo cáo", "HƯỚNG DẪN": "Hướng dẫn", "CÔNG ĐIỆN": "Công điện", "LỆNH": "Lệnh",
         "NGHỊ QUYẾT LIÊN TỊCH": "Nghị quyết liên tịch", "TỜ TRÌNH": "Tờ trình", "KẾT LUẬN": "Kết luận"}
DECOR = re.compile(r"^[\s\-_=*.–—]+$")
MOTTO = re.compile(r"CỘNG H(?:ÒA|OÀ)|CỘNG HOA|Độc lập|ĐẢNG CỘNG SẢN")
FORM = re.compile(r"^(TM|KT|TL|TUQ|Q|T/M|K/T|T/L)\.?\s")

def draft(text):
    lines = [l.strip() for l in text.split("\n")]
    nonempty = [l for l in lines if l.strip()]
    d = dict(parent_issuer=None, issuer=None, doc_type=None, number=None, notation=None, place=None,
             date=None, subject=None, signing_authority=None, signer_title=None, signer_name=None, recipients=[])
    # issuer: header cells / lines before the motto
    org = []
    for l in nonempty[:12]:
        cell = l.split("\t")[0]
        if MOTTO.search(cell) or cell.startswith("Số"):
            break
        if not DECOR.match(cell):
            org.append(cell)
    if org:
        d["issuer"] = " ".join(org)
    m = None
    for l in nonempty[:15]:
        for cell in l.split("\t"):
            mm = re.match(r"^(?:Luật |Pháp lệnh |Nghị quyết )?[Ss]ố\s*:?\s*([0-9]+[a-zA-Z]?)\s*/\s*(\S.*?)\s*$", cell)
            if mm and not d["number"]:
                d["number"], d["notation"] = mm.group(1), mm.group(2).replace(" ", "")
            md = re.search(r"^(.*?),\s*ngày\s*(\d+)\s*tháng\s*(\d+)\s*năm\s*(\d{4})", cell)
            if md and not d["date"]:
                d["place"] = md.group(1).strip()
                d["date"] = "%s-%02d-%02d" % (md.group(4), int(md.group(3)), int(md.group(2)))
    for i, l in enumerate(nonempty[:25]):
        if l in TYPES:
            d["doc_type"] = TYPES[l]
            sub = []
            for s in nonempty[i + 1:i + 4]:
                if re.match(r"^(Căn cứ|Chương|Điều|Phần|Theo đề nghị|_+$|-+$)", s) or s.isupper() and sub and l != "LUẬT":
                    break
                if DECOR.match(s):
                    continue
                sub.append(s)
                break
            if sub:
                s = re.sub(r"^(V/v|Về việc|VỀ VIỆC)\s*", "", " ".join(sub))
                d["subject"] = s[:1].upper() + s[1:]
            break
    # closing: the lines above "(Đã ký)" and the name under it; else the
    # last lines before an annex
    auth, title, name = [], [], None
    signed = [i for i, l in enumerate(nonempty) if re.match(r"^\(?[Đđ]ã ký\)?$", l)]
    if signed:
        i = signed[0]
        j = i - 1
        block = []
        while j >= 0 and (nonempty[j].isupper() or FORM.match(nonempty[j])) and not nonempty[j].startswith("-"):
            block.insert(0, nonempty[j])
            j -= 1
        for c in block:
            (auth if FORM.match(c) else title).append(c)
        if i + 1 < len(nonempty):
            name = nonempty[i + 1]
    else:
        end = len(nonempty)
        for k, l in enumerate(nonempty):
            if k > 10 and (l.startswith("PHỤ LỤC") or l.startswith("QUY CHẾ") or l.startswith("QUY ĐỊNH") or l.startswith("DANH MỤC")):
                end = k
                break
        for l in nonempty[max(0, end - 8):end]:
            for cell in l.split("\t"):
                c = cell.strip()
                if not c or c.startswith("(") or c.startswith("Nơi nhận") or c.startswith("-"):
                    continue
                if FORM.match(c):
                    auth.append(c)
                elif c.isupper() and len(c) < 80:
                    title.append(c)
                elif re.match(r"^[A-ZĐÁÀẢÃẠÂẤẦẨẪẬĂẮẰẲẴẶÉÈẺẼẸÊẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌÔỐỒỔỖỘƠỚỜỞỠỢÚÙỦŨỤƯỨỪỬỮỰÝỲỶỸỴ]\\S*( [A-ZĐÁÀẢÃẠÂẤẦẨẪẬĂẮẰẲẴẶÉÈẺẼẸÊẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌÔỐỒỔỖỘƠỚỜỞỠỢÚÙỦŨỤƯỨỪỬỮỰÝỲỶỸỴ]\\S*){1,4}$", c):
                    name = c
    d["signing_authority"] = " ".join(auth) or None
    d["signer_title"] = " ".join(title) or None
    d["signer_name"] = name
    return d

if __name__ == "__main__":
    print(json.dumps(draft(open(sys.argv[1], encoding="utf-8").read()), ensure_ascii=False, indent=2))
