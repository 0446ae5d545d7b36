#!/usr/bin/env bash
# rakiza report as an analyst uses it: hand-written classify/run records
# (real seed paragraphs, Arabic and English, documents interleaved, one
# paragraph redelivered, one hostile document) rendered into HTML and then
# loaded in headless Chromium, whose DOM is checked. If this fails, pages
# lose paragraphs, colour them wrongly, set Arabic left-to-right, miss the
# explanation terms, or let a document inject markup.
source "$(dirname "$0")/lib.sh"

data=tests/data/report
command -v chromium >/dev/null || { echo "FAIL: chromium is missing (scripts/bootstrap installs it)" >&2; exit 1; }

# dom FILE: the DOM Chromium builds from FILE, on stdout.
dom() {
    local profile
    profile=$(mktemp -d "$TEST_TMP/chromium.XXXXXX")
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --dump-dom "file://$1" 2>/dev/null
}

out=$TEST_TMP/out
status=0; "$RAKIZA" report --out "$out/nested" "$data/interleaved.jsonl" 2>"$TEST_TMP/err" || status=$?
check_eq "well-formed input: exit 0" 0 "$status"
check_eq "one page per document (in order of first appearance) plus the index" \
    "1-A_74_677.html 2-A_74_677__annex_.html 3-_img_src_x_onerror_alert_1_____.html index.html" \
    "$(cd "$out/nested" && echo *)"

for page in "$out"/nested/*.html; do
    dom "$page" >"$page.dom"
done

check "Arabic document: order, redelivery, label classes, abstention, RTL, terms, chart" \
    python3 - "$out/nested/1-A_74_677.html.dom" <<'PY'
import sys
from html.parser import HTMLParser

class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.paras, self.marks, self.bars, self.stack = [], [], {}, []
        self.in_mark = self.in_text = False
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class", "").split()
        if tag == "section" and "para" in cls:
            self.paras.append({"index": a["data-index"], "label": a["data-label"], "cls": cls, "text": ""})
        if tag == "p" and "text" in cls:
            self.paras[-1]["dir"], self.paras[-1]["lang"] = a.get("dir"), a.get("lang")
            self.in_text = True
        if tag == "mark":
            self.marks.append("")
            self.in_mark = True
        if tag == "g" and "bar" in cls:
            self.bars[a["data-label"]] = [int(a["data-count"]), None]
            self.last_bar = a["data-label"]
        if tag == "rect":
            self.bars[self.last_bar][1] = float(a["width"])
    def handle_endtag(self, tag):
        if tag == "mark": self.in_mark = False
        if tag == "p": self.in_text = False
    def handle_data(self, d):
        if self.in_mark: self.marks[-1] += d
        if self.in_text: self.paras[-1]["text"] += d

d = Dom(); d.feed(open(sys.argv[1], encoding="utf-8").read())
assert [p["index"] for p in d.paras] == ["0", "1", "2", "3", "4"], [p["index"] for p in d.paras]
# index 1 arrived twice; the later copy (conditions, paragraph 14) wins
assert d.paras[1]["label"] == "conditions" and d.paras[1]["text"].startswith("14 - "), d.paras[1]
expect = ["label-none", "label-conditions", "label-human_rights", "abstained", "label-capacity"]
for p, cls in zip(d.paras, expect):
    assert cls in p["cls"], (p["index"], p["cls"], cls)
assert d.paras[3]["label"] == "", "a null label is shown as abstained, not as a label"
assert all(p["dir"] == "rtl" and p["lang"] == "ar" for p in d.paras), [p["dir"] for p in d.paras]
# explanation terms (normalised stems) found in the written words: ta marbuta
# and alef folded, prefixes kept in the highlighted word
assert d.marks == ["الظروف", "انتشار", "حقوق", "وسيادة", "وحقوق"], d.marks
counts = {k: v[0] for k, v in d.bars.items()}
assert counts == {"conditions": 1, "prevention": 0, "capacity": 1, "human_rights": 1, "none": 1,
                  'x"><b>bold</b>': 0, "abstained": 1}, counts
assert all((w > 0) == (c > 0) for c, w in d.bars.values()), d.bars
PY

check "English document: LTR, stemmed and n-gram terms highlighted, missing summary flagged" \
    python3 - "$out/nested/2-A_74_677__annex_.html.dom" <<'PY'
import re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
assert len(re.findall(r'<section class="para ', dom)) == 2
assert len(re.findall(r'<p class="text" lang="en" dir="ltr">', dom)) == 2
marks = re.findall(r'<mark class="term">([^<]*)</mark>', dom)
assert marks == ["Border", "Security", "capacity-building", "training", "capacity"], marks
assert "No document summary record" in dom
PY

check "hostile document: everything escaped, nothing injected" \
    python3 - "$out/nested/3-_img_src_x_onerror_alert_1_____.html.dom" <<'PY'
import sys
from html.parser import HTMLParser
class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.ids, self.text, self.title, self.docid, self.where = [], [], "", "", "", None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if "id" in a: self.ids.append(a["id"])
        cls = a.get("class", "")
        self.where = "text" if cls == "text" else "docid" if cls == "doc-id" else "title" if tag == "title" else None
    def handle_endtag(self, tag):
        self.where = None
    def handle_data(self, d):
        if self.where == "text": self.text += d
        if self.where == "docid": self.docid += d
        if self.where == "title": self.title += d
d = Dom(); d.feed(open(sys.argv[1], encoding="utf-8").read())
for bad in ("script", "img", "b", "i", "mark"):
    assert bad not in d.tags, (bad, d.tags)
assert "injected" not in d.ids
assert d.text == "</p><script>alert(2)</script><b id=\"injected\">not bold</b> & <!-- no comment --> \"quoted\" 'single'", d.text
assert d.docid == "<img src=x onerror=alert(1)>\"'&", d.docid
assert d.title == "rakiza report: <img src=x onerror=alert(1)>\"'&", d.title
PY

check "index lists every document and links to its page" \
    python3 - "$out/nested/index.html.dom" "$out/nested" <<'PY'
import os, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
links = re.findall(r'<tr class="doc"><td><a href="([^"]*)"', dom)
assert len(links) == 3, links
assert all(os.path.exists(os.path.join(sys.argv[2], l)) for l in links), links
assert "<script" not in dom
PY

profile=$(mktemp -d "$TEST_TMP/chromium.XXXXXX")
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --window-size=1100,1400 \
    --screenshot="$TEST_TMP/page.png" "file://$out/nested/1-A_74_677.html" >/dev/null 2>&1 || true
check "the page renders to a screenshot" test "$(stat -c %s "$TEST_TMP/page.png" 2>/dev/null || echo 0)" -gt 20000

status=0; "$RAKIZA" report --out "$out/stdin" <"$data/interleaved.jsonl" 2>/dev/null || status=$?
check_eq "stdin is read when no file is given" 0 "$status"
check "and gives the same pages" diff -r "$out/nested" "$out/stdin" -x '*.dom'

status=0; "$RAKIZA" report --out "$out/bad" "$data/malformed.jsonl" 2>"$TEST_TMP/err" || status=$?
check_eq "malformed lines: exit 1" 1 "$status"
check_eq "each malformed line is named FILE:LINE (blank lines are not errors)" \
    "2 3 4 6 7 8 9 10" \
    "$(grep -o 'malformed.jsonl:[0-9]*:' "$TEST_TMP/err" | cut -d: -f2 | paste -sd' ')"
check "the message names the field" grep -q "malformed.jsonl:4: field 'scores' must be an object" "$TEST_TMP/err"
check_eq "the good lines still make their page" 1 \
    "$(grep -c '<section class="para ' "$out/bad/1-S_2021_1.html")"

status=0; "$RAKIZA" report --bogus >/dev/null 2>&1 || status=$?
check_eq "an unknown option is a usage error (exit 2)" 2 "$status"
status=0; "$RAKIZA" report --out "$out/x" "$TEST_TMP/missing.jsonl" 2>"$TEST_TMP/err" || status=$?
check_eq "a missing input file is an error (exit 1)" 1 "$status"
check "naming the file" grep -q "missing.jsonl" "$TEST_TMP/err"
test_done
