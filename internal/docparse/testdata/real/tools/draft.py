#!/usr/bin/env python3
"""Reading aid for writing expectations of vbpl.vn web copies: drafts the
identification and signature fields from the positions of lines in the
published text (header cells, the lines after the type name, the signature
block above "(Đã ký)" or above the signer's name). Every draft is then read
against the document and corrected by hand where it is wrong; this aid is not
the parser and shares no code with it. Usage: draft.py doc.txt"""
import json, re, sys, unicodedata

TYPES = {"THÔNG TƯ": "Thông tư", "NGHỊ ĐỊNH": "Nghị định", "NGHỊ QUYẾT": "Nghị quyết", "LUẬT": "Luật",
         "QUYẾT ĐỊNH": "Quyết định", "THÔNG TƯ LIÊN TỊCH": "Thông tư liên tịch", "PHÁP LỆNH": "Pháp lệnh",
         "CHỈ THỊ": "Chỉ thị", "CÔNG VĂN": "Công văn", "KẾ HOẠCH": "Kế hoạch", "THÔNG BÁO": "Thông báo",
         "BÁO CÁO": "Báo cáo", "HƯỚNG DẪN": "Hướng dẫn", "CÔNG ĐIỆN": "Công điện", "LỆNH": "Lệnh",
         "NGHỊ QUYẾT LIÊN TỊCH": "Nghị quyết liên tịch", "TỜ TRÌNH": "Tờ trình", "KẾT LUẬN": "Kết luận"}
DECOR = re.compile(r"^[\s\-_=*.–—]+$")
MOTTO = re.compile(r"CỘNG H(?:ÒA|OÀ)|CỘNG HOA|Độc lập|ĐẢNG CỘNG SẢN")
FORM = re.compile(r"^(?:(?:TM|KT|TL|TUQ|Q)\.|T/M|K/T|T/L)\s*[A-ZĐÁÀẢÃẠÂẤẦẨẪẬĂẮẰẲẴẶÉÈẺẼẸÊẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌÔỐỒỔỖỘƠỚỜỞỠỢÚÙỦŨỤƯỨỪỬỮỰÝỲỶỸỴ]")
NUMLINE = re.compile(r"^(?:Luật |Pháp lệnh |Nghị quyết |Lệnh )?[Ss]ố\b")
STOP = re.compile(r"^(Căn cứ|Theo |Chương|CHƯƠNG|Điều \d|Phần|PHẦN|Xét |Thực hiện|Để |I\.|Trên cơ sở|Quốc hội ban hành|Chính phủ ban hành|Ủy ban Thường vụ)")
AUTHOR = re.compile(r"^(BỘ TRƯỞNG|CHỦ TỊCH|ỦY BAN THƯỜNG VỤ|UỶ BAN THƯỜNG VỤ|THỦ TƯỚNG|THỐNG ĐỐC|TỔNG KIỂM TOÁN|CHÁNH ÁN|VIỆN TRƯỞNG|HỘI ĐỒNG THẨM PHÁN|CHÍNH PHỦ$|QUỐC HỘI$)")
RANK = re.compile(r"^(Đại tướng|Thượng tướng|Trung tướng|Thiếu tướng|Đại tá|Thượng tá|Trung tá|Thiếu tá)\s+")
UP = "A-ZĐÁÀẢÃẠÂẤẦẨẪẬĂẮẰẲẴẶÉÈẺẼẸÊẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌÔỐỒỔỖỘƠỚỜỞỠỢÚÙỦŨỤƯỨỪỬỮỰÝỲỶỸỴ"
NAME = re.compile(r"^[%s][^\s,.;:]*( [%s][^\s,.;:]*){1,5}$" % (UP, UP))
TITLEWORD = re.compile(r"TRƯỞNG|THỨ TRƯỞNG|CHỦ TỊCH|THỦ TƯỚNG|PHÓ|THỐNG ĐỐC|TỔNG|CHÁNH|GIÁM ĐỐC|BÍ THƯ|CHỦ NHIỆM")

def is_upper(s):
    letters = [c for c in s if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)

def draft(text):
    text = unicodedata.normalize("NFC", text)
    nonempty = [l.strip() for l in text.split("\n") if l.strip()]
    d = dict(parent_issuer=None, issuer=None, doc_type=None, number=None, notation=None, place=None,
             date=None, subject=None, signing_authority=None, signer_title=None, signer_name=None, recipients=[])
    org = []
    if nonempty and nonempty[0] not in TYPES:
        for l in nonempty[:12]:
            cell = l.split("\t")[0].strip()
            if MOTTO.search(cell) or NUMLINE.match(cell) or cell in TYPES:
                break
            if not DECOR.match(cell):
                org.append(cell)
    if org:
        d["issuer"] = " ".join(org)
    for l in nonempty[:15]:
        for cell in l.split("\t"):
            mm = re.match(r"^(?:Luật |Pháp lệnh |Nghị quyết |Lệnh )?[Ss]ố\s*:?\s*([0-9]+[a-zA-Z]?(?:\.[0-9]+)?)\s*/\s*(\S.*?)\s*$", cell)
            if mm and not d["number"]:
                d["number"], d["notation"] = mm.group(1), mm.group(2).replace(" ", "")
            md = re.search(r"^(.*?),\s*ngày\s*(\d+)\s*tháng\s*(\d+)\s*năm\s*(\d{4})", cell)
            if md and not d["date"]:
                d["place"] = md.group(1).strip()
                d["date"] = "%s-%02d-%02d" % (md.group(4), int(md.group(3)), int(md.group(2)))
    body = 0
    for i, l in enumerate(nonempty[:25]):
        if l in TYPES:
            d["doc_type"] = TYPES[l]
            sub = []
            for s in nonempty[i + 1:i + 13]:
                if STOP.match(s) or AUTHOR.match(s):
                    break
                if DECOR.match(s):
                    if sub:
                        break
                    continue
                if sub and is_upper(s) and not is_upper(sub[-1]):
                    break
                sub.append(s)
            if sub:
                s = re.sub(r"^(V/v|Về việc|VỀ VIỆC)\s*", "", " ".join(sub))
                d["subject"] = s[:1].upper() + s[1:]
            body = i + 1
            break
    # signature block: consecutive form/title lines, then optionally
    # "(Đã ký)", then a name; the first such block after the body start
    n = len(nonempty)
    for i in range(max(body, 1), n):
        if not (FORM.match(nonempty[i]) or (is_upper(nonempty[i]) and TITLEWORD.search(nonempty[i]) and len(nonempty[i]) < 70)):
            continue
        if i > 0 and (FORM.match(nonempty[i - 1]) or (is_upper(nonempty[i - 1]) and len(nonempty[i - 1]) < 70 and not nonempty[i-1].startswith("-"))):
            continue  # not the first line of a block
        block, j = [], i
        while j < n and len(block) < 5 and (FORM.match(nonempty[j]) or (is_upper(nonempty[j]) and len(nonempty[j]) < 70)):
            block.append(nonempty[j]); j += 1
        if j < n and re.match(r"^(\(\s*[Đđ]ã\s*k[ýí]\s*\)|\[daky\])$", nonempty[j]):
            j += 1
        if j < n and NAME.match(RANK.sub("", nonempty[j])) and not is_upper(nonempty[j]) and not re.match(r"^(Chương|Điều|Phụ lục|Mục|Phần)\b", nonempty[j]):
            auth = [b for b in block if FORM.match(b)]
            title = [b for b in block if not FORM.match(b)]
            d["signing_authority"] = " ".join(auth) or None
            d["signer_title"] = " ".join(title) or None
            d["signer_name"] = RANK.sub("", nonempty[j])
            break
    return d

if __name__ == "__main__":
    print(json.dumps(draft(open(sys.argv[1], encoding="utf-8").read()), ensure_ascii=False, indent=2))
