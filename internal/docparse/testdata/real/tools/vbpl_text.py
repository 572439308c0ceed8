#!/usr/bin/env python3
"""Text of the document body of a vbpl.vn page snapshot (the element marked
data-vbpl-content-root), rendered the way a browser's innerText renders it:
block elements and <br> start a new line, table cells in a row are separated
by a tab, rows end with a newline. Runs of spaces collapse; nothing else is
changed. Usage: vbpl_text.py < page.html > doc.txt"""
import sys, re
from html.parser import HTMLParser

BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "table", "tbody", "thead", "tfoot", "section", "blockquote", "pre", "center"}
VOID = {"br", "img", "hr", "col", "meta", "link", "input", "wbr", "source", "area", "base", "embed", "param", "track"}

class Extract(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0      # element depth inside the content root, 0 = outside
        self.out = []
        self.skip = 0
        self.done = False
    def nl(self):
        self.out.append("\n")
    def handle_starttag(self, tag, attrs):
        if self.done:
            return
        if self.depth == 0:
            if dict(attrs).get("data-vbpl-content-root") == "true":
                self.depth = 1
            return
        if tag not in VOID:
            self.depth += 1
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "br":
            self.nl()
        elif tag in BLOCK or tag == "tr":
            self.nl()
        elif tag in ("td", "th"):
            self.out.append("\x00CELL")
    def handle_endtag(self, tag):
        if self.depth == 0 or self.done or tag in VOID:
            return
        self.depth -= 1
        if tag in ("script", "style"):
            self.skip -= 1
        if tag in BLOCK or tag == "tr":
            self.nl()
        if self.depth == 0:
            self.done = True
    def handle_data(self, data):
        if self.depth > 0 and not self.skip and not self.done:
            self.out.append(re.sub(r"[ \t\r\n\f]+", " ", data))

def render(html):
    p = Extract()
    p.feed(html)
    raw = "".join(p.out)
    lines = []
    for line in raw.split("\n"):
        # cells: the first cell of a row has no separator before it
        parts = [re.sub(r"[ \t\r\u00a0]+", " ", c).strip() for c in line.split("\x00CELL")]
        if parts and parts[0] == "":
            parts = parts[1:]
        lines.append("\t".join(parts).strip("\t"))
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip() + "\n"

if __name__ == "__main__":
    sys.stdout.write(render(sys.stdin.read()))
