"""labelled_data - shared code of scripts/extract-labelled and scripts/list-paragraphs.

Paragraph units (see models/data/GUIDELINES.md, "Units"): in the seeds every
paragraph, list item and table row sits on its own line, so the atomic unit is
one non-blank line with its surrounding whitespace trimmed. A labelled span is
one or more whole consecutive units (a paragraph cut by a page break spans the
blank lines between its halves). Offsets are byte offsets into the seed file.

Python 3 standard library only; everything here is deterministic.
"""

import json
import os
import re
import sys

LABELS = ("conditions", "prevention", "capacity", "human_rights", "none")

# labels/web*.tsv belong to the web corpus (models/data/web/), keyed by paragraph
# id, not by seed offsets: the seed-row reader leaves them alone.
WEB_TSV_PREFIX = "web"
WEB_CORPUS = os.path.join("web", "corpus.jsonl")  # under models/data/
WEB_LABELS = "web.tsv"                             # under models/data/labels/
# A web row may say `skip`: nobody could decide it; it is left out and counted.
WEB_SKIP = "skip"

# Where seed 002 places paragraphs under the four pillars: the line that opens
# each section (prefix match on the trimmed line) and the line that closes the
# last one. Arabic body first, English annex II second.
SEED002_GLOB_PREFIX = "002_"
SEED002_SECTIONS = (
    (("ألف - الركيزة الأولى", "conditions"),
     ("باء - الركيزة الثانية", "prevention"),
     ("جيم - الركيزة الثالثة", "capacity"),
     ("دال - الركيزة الرابعة", "human_rights")),
    "رابعاً - ",
    (("Pillar I:", "conditions"),
     ("Pillar II:", "prevention"),
     ("Pillar III:", "capacity"),
     ("Pillar IV:", "human_rights")),
    "Analysis of United Nations capacity-building",
)

# Seed 003 is a compendium of OIC Council of Foreign Ministers resolutions
# (44th session): each opens with "إنّ مجلس وزراء الخارجية ..." under a heading
# block ("قرار رقم 44/N-س", "بشأن", the title). Its labelled rows are grouped
# by resolution for cross-validation (see seed003_groups).
SEED003_GLOB_PREFIX = "003_"
_RES_OPEN_RE = re.compile(r"^إنّ? مجلس وزراء الخارجية")
_RES_HEAD_RE = re.compile(r"^قرار(?:\s+رقم)?\s*:?\s*44\s*/\s*(\d+)")
_RES_TITLE_MAX_WORDS = 30

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# "14 - ", "- 17 - ", "1. ", "١ - ", "### ١٣ - ": a paragraph number. A number
# in parentheses, "(1)", is a footnote mark and not a paragraph number.
_PARA_RE = re.compile(r"^[#\s]*(?:-\s+)?([0-9٠-٩۰-۹]+)\s*(?:-|\.)(?:\s|$)")
_BULLET_RE = re.compile(r"^[-•*]\s")
_FOOTNOTE_RE = re.compile(r"^\(([0-9]+)\)\s")
# A line ends a sentence when its last visible character (after closing quotes,
# brackets, markup and footnote marks) is one of these.
_TERMINAL = set(".:;!?؛؟")
_TRAILING_NOISE = set("\"'”’»)]*⁽⁾⁰¹²³⁴⁵⁶⁷⁸⁹ ")


class DataError(Exception):
    """A problem with the labelled data or the seeds; the message names the place."""


def collapse(text):
    """Every run of whitespace (Unicode-aware) becomes one space."""
    return " ".join(text.split())


def lang_of(text):
    """'ar' or 'en' by dominant script among the letters of text."""
    arabic = latin = 0
    for ch in text:
        if not ch.isalpha():
            continue
        o = ord(ch)
        if 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0xFB50 <= o <= 0xFEFF:
            arabic += 1
        else:
            latin += 1
    return "ar" if arabic > latin else "en"


def para_number(text):
    """The paragraph number a unit starts with (ASCII digits), or None."""
    m = _PARA_RE.match(text)
    return m.group(1).translate(_DIGITS) if m else None


def units(data):
    """List of (start, end, text) for every non-blank line of data (bytes),
    trimmed; start/end are byte offsets, text is the decoded trimmed line."""
    out = []
    pos = 0
    for raw in data.split(b"\n"):
        line = raw.decode("utf-8")
        body = line.strip()
        if body:
            lead = len(line) - len(line.lstrip())
            start = pos + len(line[:lead].encode("utf-8"))
            out.append((start, start + len(body.encode("utf-8")), body))
        pos += len(raw) + 1
    return out


def read_seed(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise DataError(f"{path}: cannot read seed: {e.strerror}")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise DataError(f"{path}: offset {e.start}: not valid UTF-8")
    return data


def repo_root():
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def seeds_dir():
    d = os.environ.get("RAKIZA_SEEDS") or os.path.join(repo_root(), "samples")
    if not os.path.isdir(d):
        raise DataError(f"{d}: seeds directory not found (set RAKIZA_SEEDS)")
    return d


def seed_path(seeds, name):
    """Path of the seed file called name (a bare file name, no directories)."""
    if os.path.basename(name) != name or not name:
        raise DataError(f"{name!r}: seed_file must be a bare file name")
    return os.path.join(seeds, name)


def record(name, data, start, end, label):
    text = collapse(data[start:end].decode("utf-8"))
    return {"text": text, "label": label, "lang": lang_of(text),
            "source": f"{name}@{start}-{end}", "para": para_number(text)}


def _ends_sentence(text):
    t = text.rstrip()
    while t and t[-1] in _TRAILING_NOISE:
        t = t[:-1]
    return bool(t) and t[-1] in _TERMINAL


def _find_line(us, prefix, after, name):
    hits = [i for i, u in enumerate(us) if i > after and u[2].startswith(prefix)]
    if not hits:
        raise DataError(f"{name}: section line starting {prefix!r} not found")
    return hits[0]


def seed002_spans(name, data):
    """(start, end, label) of every paragraph inside seed 002's own pillar
    sections. Section and sub-section headings and footnotes are left out; a
    paragraph a page break cut in two is joined again; a lead-in ending in ':'
    keeps the bullet list that follows it."""
    us = units(data)
    arabic, arabic_end, english, english_end = SEED002_SECTIONS
    spans = []
    after = -1
    for heads, closing in ((arabic, arabic_end), (english, english_end)):
        idx = []
        for prefix, label in heads:
            after = _find_line(us, prefix, after, name)
            idx.append((after, label))
        stop = _find_line(us, closing, after, name)
        bounds = idx + [(stop, None)]
        for (first, label), (nxt, _) in zip(bounds, bounds[1:]):
            spans.extend(_section_paragraphs(us[first + 1:nxt], label))
        after = stop
    return spans


def _section_paragraphs(section, label):
    out = []
    cur = None  # [start, end, last_text, has_list]
    for start, end, text in section:
        numbered = para_number(text) is not None
        bullet = not numbered and _BULLET_RE.match(text) is not None
        if _FOOTNOTE_RE.match(text):
            continue  # a page's footnote, not a paragraph of the section
        if cur and not numbered and (
                (bullet and (cur[3] or cur[2].rstrip().endswith(":")))
                or (not bullet and not _ends_sentence(cur[2]))):
            cur[1], cur[2] = end, text
            cur[3] = cur[3] or bullet
            continue
        if cur:
            out.append((cur[0], cur[1], label))
            cur = None
        if numbered or bullet:
            cur = [start, end, text, False]
        # else: a heading (it follows a finished sentence): left out
    if cur:
        out.append((cur[0], cur[1], label))
    return out


def seed003_groups(name, data):
    """[(start, group)] for seed 003, in offset order: the byte offset where
    each resolution's block starts and its cross-validation group,
    "003:res-44/N"; text before the first block (title page, contents) is
    "003:front". A block starts at the heading block above the resolution's
    opening line: walking up from "إنّ مجلس وزراء الخارجية" over title lines
    (unnumbered, no final punctuation, at most _RES_TITLE_MAX_WORDS words) to
    the "قرار رقم 44/N-س" heading. A resolution printed without that heading
    takes the number after the previous one; the numbers must rise."""
    us = units(data)
    opens = [i for i, u in enumerate(us) if _RES_OPEN_RE.match(u[2])]
    if not opens:
        raise DataError(f"{name}: no resolution opening line found")
    out = [(0, "003:front")]
    prev, last = -1, 0
    for o in opens:
        i, n = o, None
        while i - 1 > prev:
            t = us[i - 1][2]
            m = _RES_HEAD_RE.match(t)
            if m:
                i, n = i - 1, int(m.group(1))
                break
            if (para_number(t) is not None or _BULLET_RE.match(t) or _ends_sentence(t)
                    or len(t.split()) > _RES_TITLE_MAX_WORDS):
                break
            i -= 1
        n = last + 1 if n is None else n
        if n <= last:
            raise DataError(f"{name}@{us[i][0]}: resolution 44/{n} follows 44/{last}")
        out.append((us[i][0], f"003:res-44/{n}"))
        prev, last = o, n
    return out


def write_jsonl(path, records):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def die(msg, status=1):
    prog = os.path.basename(sys.argv[0])
    print(f"{prog}: {msg}", file=sys.stderr)
    sys.exit(status)
