#!/usr/bin/env bash
# The labelled samples are what every model is trained and scored on: if a
# record's text is not the seed's text at its source, or a label row points
# between paragraphs, every figure the project reports is built on sand. The same
# holds for the web corpus: web.jsonl must be its paragraphs with their web.tsv labels.
# Run from the repository root; seeds from $RAKIZA_SEEDS (default samples/).
set -uo pipefail
export RAKIZA_SEEDS=${RAKIZA_SEEDS:-$(pwd)/samples}
fails=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rakiza-it_labelled_data.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# 1. The committed JSONL files are exactly what the seeds and TSVs give.
if ! out=$(scripts/extract-labelled --check 2>&1); then
    fail "scripts/extract-labelled --check: $out"
fi

# 2. Every record is well formed and its text is its source slice of the seed;
#    seed 002's own pillar paragraphs are all there, once each.
python3 - models/data/seed002_sections.jsonl models/data/hand.jsonl <<'EOF' || fails=$((fails + 1))
import collections, json, os, re, sys
seeds = os.environ["RAKIZA_SEEDS"]
labels = {"conditions", "prevention", "capacity", "human_rights", "none"}
bad = 0
def fail(msg):
    global bad
    bad += 1
    if bad <= 20:
        print("FAIL: " + msg, file=sys.stderr)
cache = {}
per = {}
for path in sys.argv[1:]:
    recs = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            where = f"{path}:{n}"
            try:
                r = json.loads(line)
            except ValueError as e:
                fail(f"{where}: not JSON: {e}"); continue
            miss = [k for k in ("text", "label", "lang", "source") if not r.get(k)]
            if miss:
                fail(f"{where}: missing {', '.join(miss)}"); continue
            if r["label"] not in labels:
                fail(f"{where}: unknown label {r['label']!r}")
            if r["lang"] not in ("ar", "en"):
                fail(f"{where}: lang {r['lang']!r} is neither ar nor en")
            m = re.fullmatch(r"([^/@]+)@(\d+)-(\d+)", r["source"])
            if not m:
                fail(f"{where}: source {r['source']!r} is not FILE@START-END"); continue
            name, s, e = m.group(1), int(m.group(2)), int(m.group(3))
            if name not in cache:
                cache[name] = open(os.path.join(seeds, name), "rb").read()
            text = " ".join(cache[name][s:e].decode("utf-8", "replace").split())
            if text != r["text"]:
                fail(f"{where}: text is not the seed slice {r['source']}")
            letters = [c for c in text if c.isalpha()]
            ar = sum(1 for c in letters if "\u0600" <= c <= "\u06ff")
            want = "ar" if ar > len(letters) - ar else "en"
            if r["lang"] != want:
                fail(f"{where}: lang {r['lang']} but the text is mostly {want}")
            # Cross-validation groups: seed 003's rows name their resolution
            # (folds must not split one), every other row is grouped by its
            # document, which training derives from the source.
            if name.startswith("003_"):
                if not re.fullmatch(r"003:(res-44/[0-9]+|front)", r.get("group", "")):
                    fail(f"{where}: seed 003 row without a resolution group ({r.get('group')!r})")
            elif "group" in r:
                fail(f"{where}: group {r['group']!r} on a row outside seed 003")
            recs.append(r)
    per[path] = recs
    res = sorted((int(m.group(1).split("@")[1].split("-")[0]), r["group"]) for r in recs
                 for m in [re.match(r"(003_[^@]*@[0-9]+)", r["source"])] if m)
    nums = [-1 if g == "003:front" else int(g.split("/")[1]) for _, g in res]
    if nums != sorted(nums):
        fail(f"{path}: seed 003's resolution groups do not rise with the offset")

sec = per[sys.argv[1]]
got = [(r["lang"], r["para"]) for r in sec]
want = [("ar", str(n)) for n in range(14, 28)] + [("en", str(n)) for n in range(3, 53)]
if got != want:
    fail(f"seed002_sections: paragraphs {got} are not Arabic 14-27 then English 3-52")
wanted_labels = {"ar": [(14, 16, "conditions"), (17, 21, "prevention"), (22, 24, "capacity"), (25, 27, "human_rights")],
                 "en": [(3, 20, "conditions"), (21, 34, "prevention"), (35, 42, "capacity"), (43, 52, "human_rights")]}
for r in sec:
    for lo, hi, lab in wanted_labels[r["lang"]]:
        if r["para"] and lo <= int(r["para"]) <= hi and r["label"] != lab:
            fail(f"seed002_sections: {r['lang']} paragraph {r['para']} labelled {r['label']}, its section is {lab}")

for path, recs in per.items():
    by_label = collections.Counter(r["label"] for r in recs)
    by_lang = collections.Counter(r["lang"] for r in recs)
    by_file = collections.Counter(r["source"].split("@")[0] for r in recs)
    print(f"{os.path.basename(path)}: {len(recs)} records, "
          f"{len(set(r.get('group') or r['source'].split('@')[0] for r in recs))} groups")
    print("  per label: " + ", ".join(f"{k} {v}" for k, v in sorted(by_label.items())))
    print("  per lang:  " + ", ".join(f"{k} {v}" for k, v in sorted(by_lang.items())))
    print("  per file:  " + ", ".join(f"{k} {v}" for k, v in sorted(by_file.items())))
hand = per[sys.argv[2]]
if hand:
    pillars = collections.Counter(r["label"] for r in hand)
    ar = sum(1 for r in hand if r["lang"] == "ar")
    short = [f"{l} {pillars[l]}" for l in ("conditions", "prevention", "capacity", "human_rights") if pillars[l] < 40]
    if len(hand) < 300 or 3 * ar < 2 * len(hand) or short:
        print(f"note: project targets (>=300 hand rows, >=2/3 Arabic, >=40 per pillar) not met yet: "
              f"{len(hand)} rows, {ar} Arabic" + (f", under 40: {', '.join(short)}" if short else ""))
sys.exit(1 if bad else 0)
EOF

# 2b. web.jsonl: every record is its corpus paragraph (text, lang, source, group)
#     with its web.tsv label, in id order, once; every corpus paragraph is in it
#     or labelled skip.
python3 - models/data/web/corpus.jsonl models/data/labels/web.tsv models/data/web.jsonl <<'EOF' || fails=$((fails + 1))
import collections, json, sys
corpus_path, tsv_path, web_path = sys.argv[1:]
labels = {"conditions", "prevention", "capacity", "human_rights", "none"}
bad = 0
def fail(msg):
    global bad
    bad += 1
    if bad <= 20:
        print("FAIL: " + msg, file=sys.stderr)
corpus = {}
for line in open(corpus_path, encoding="utf-8"):
    r = json.loads(line)
    corpus[r["id"]] = r
tsv = {}
for n, line in enumerate(open(tsv_path, encoding="utf-8"), 1):
    if line.startswith("#") or not line.strip():
        continue
    f = line.rstrip("\n").split("\t")
    if len(f) != 3 or f[0] in tsv:
        fail(f"{tsv_path}:{n}: not id<TAB>label<TAB>reason, or a repeated id"); continue
    tsv[f[0]] = f[1]
recs, ids = [], []
for n, line in enumerate(open(web_path, encoding="utf-8"), 1):
    where = f"{web_path}:{n}"
    try:
        r = json.loads(line)
    except ValueError as e:
        fail(f"{where}: not JSON: {e}"); continue
    if set(r) != {"text", "label", "lang", "source", "group", "id"}:
        fail(f"{where}: fields {sorted(r)} are not text, label, lang, source, group, id"); continue
    c = corpus.get(r["id"])
    if c is None:
        fail(f"{where}: id {r['id']!r} is not in the corpus"); continue
    if r["text"] != c["text"]:
        fail(f"{where}: text of {r['id']} is not its corpus paragraph")
    if r["source"] != c["source"] or r["group"] != "web:" + c["source"]:
        fail(f"{where}: source/group of {r['id']} is not its page {c['source']}")
    if r["label"] not in labels:
        fail(f"{where}: unknown label {r['label']!r}")
    elif tsv.get(r["id"]) != r["label"]:
        fail(f"{where}: label {r['label']} of {r['id']} is not its web.tsv label {tsv.get(r['id'])}")
    letters = [ch for ch in r["text"] if ch.isalpha()]
    ar = sum(1 for ch in letters if "\u0600" <= ch <= "\u06ff")
    want = "ar" if ar > len(letters) - ar else "en"
    if r["lang"] != c["lang"] or r["lang"] != want:
        fail(f"{where}: lang {r['lang']} of {r['id']}: corpus says {c['lang']}, script says {want}")
    ids.append(r["id"])
    recs.append(r)
if ids != sorted(set(ids)):
    fail(f"{web_path}: ids are not in increasing order, once each")
skipped = {i for i, lab in tsv.items() if lab == "skip"}
missing = sorted(set(corpus) - set(ids) - skipped)
if missing:
    fail(f"{web_path}: {len(missing)} corpus paragraph(s) neither in it nor skipped: "
         + ", ".join(missing[:5]))
unknown = sorted(set(tsv) - set(corpus))
if unknown:
    fail(f"{tsv_path}: id(s) not in the corpus: {', '.join(unknown[:5])}")
extra = sorted(set(ids) & skipped)
if extra:
    fail(f"{web_path}: skipped paragraph(s) present: {', '.join(extra[:5])}")
by_label = collections.Counter(r["label"] for r in recs)
by_lang = collections.Counter(r["lang"] for r in recs)
print(f"web.jsonl: {len(recs)} records, {len(skipped)} skipped, "
      f"{len(set(r['group'] for r in recs))} groups (source pages)")
print("  per label: " + ", ".join(f"{k} {v}" for k, v in sorted(by_label.items())))
print("  per lang:  " + ", ".join(f"{k} {v}" for k, v in sorted(by_lang.items())))
for lang in sorted(by_lang):
    c = collections.Counter(r["label"] for r in recs if r["lang"] == lang)
    print(f"  {lang}:        " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
sys.exit(1 if bad else 0)
EOF

# 3. The checker refuses bad rows: each broken copy of the data must fail, with
#    a message naming the problem.
mkdir -p "$tmp/repo/models/data/labels" "$tmp/repo/models/data/web"
cp -r scripts "$tmp/repo/"
cp models/data/*.jsonl "$tmp/repo/models/data/"
cp models/data/web/corpus.jsonl "$tmp/repo/models/data/web/"
cp models/data/labels/*.tsv "$tmp/repo/models/data/labels/" 2>/dev/null || true
seed0=$(cd "$RAKIZA_SEEDS" && ls 000_*.txt)
seed2=$(cd "$RAKIZA_SEEDS" && ls 002_*.txt)
first=$(scripts/list-paragraphs "$RAKIZA_SEEDS/$seed0" | sed -n 3p)
s=$(cut -f1 <<<"$first"); e=$(cut -f2 <<<"$first")
sec=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["source"].split("@")[1].replace("-", " "))' \
      models/data/seed002_sections.jsonl)
read -r ss se <<<"$sec"
expect_refusal() {  # expect_refusal WHAT PATTERN ROW...
    local what=$1 pattern=$2; shift 2
    printf '%s\n' "$@" >"$tmp/repo/models/data/labels/bad.tsv"
    local msg
    if msg=$("$tmp/repo/scripts/extract-labelled" --check 2>&1); then
        fail "extract-labelled --check accepted $what"
    elif ! grep -q -- "$pattern" <<<"$msg"; then
        fail "extract-labelled --check refused $what without saying why ($msg)"
    fi
}
expect_refusal "a start inside a paragraph" "is not the start of a paragraph" \
    "$seed0	$((s + 1))	$e	none	test"
expect_refusal "an end inside a paragraph" "is not the end of a paragraph" \
    "$seed0	$s	$((e - 2))	none	test"
expect_refusal "offsets past the end of the seed" "out of range" \
    "$seed0	$s	99999999	none	test"
expect_refusal "an unknown label" "unknown label" \
    "$seed0	$s	$e	pillar_five	test"
expect_refusal "a duplicate row" "duplicate source" \
    "$seed0	$s	$e	none	test" "$seed0	$s	$e	none	again"
expect_refusal "a row on one of seed 002's own pillar paragraphs" "overlaps seed 002" \
    "$seed2	$ss	$se	none	test"
expect_refusal "a row with four fields" "expected 5" \
    "$seed0	$s	$e	none"
rm -f "$tmp/repo/models/data/labels/bad.tsv"
if ! msg=$("$tmp/repo/scripts/extract-labelled" --check 2>&1); then
    fail "the unchanged copy of the data does not pass --check ($msg)"
fi
# The web labels: each broken copy of labels/web.tsv must fail, naming the row.
web_tsv=$tmp/repo/models/data/labels/web.tsv
cp "$web_tsv" "$tmp/web.tsv.orig"
first_web=$(grep -m1 -v '^#' "$tmp/web.tsv.orig")
first_id=$(cut -f1 <<<"$first_web")
web_row() {  # web_row ID LABEL REASON: one row of web.tsv
    printf '%s\t%s\t%s\n' "$@"
}
expect_web_refusal() {  # expect_web_refusal WHAT PATTERN FUNCTION (FUNCTION edits $web_tsv)
    local what=$1 pattern=$2 edit=$3
    cp "$tmp/web.tsv.orig" "$web_tsv"
    "$edit"
    local msg
    if msg=$("$tmp/repo/scripts/extract-labelled" --check 2>&1); then
        fail "extract-labelled --check accepted $what"
    elif ! grep -q -- "$pattern" <<<"$msg"; then
        fail "extract-labelled --check refused $what without saying why ($msg)"
    fi
}
add_unknown() { web_row web-9999 none test >>"$web_tsv"; }
add_duplicate() { printf '%s\n' "$first_web" >>"$web_tsv"; }
bad_label() { sed -i "s/^$first_id\t[a-z_]*\t/$first_id\tpillar_five\t/" "$web_tsv"; }
drop_row() { sed -i "/^$first_id\t/d" "$web_tsv"; }
two_fields() { sed -i "s/^\($first_id\t[a-z_]*\)\t.*/\1/" "$web_tsv"; }
expect_web_refusal "a web row with an unknown id" "web.tsv:[0-9]*: unknown id 'web-9999'" add_unknown
expect_web_refusal "a duplicate web id" "web.tsv:[0-9]*: duplicate id $first_id" add_duplicate
expect_web_refusal "a web row with a bad label" "web.tsv:[0-9]*: $first_id: unknown label 'pillar_five'" bad_label
expect_web_refusal "a corpus paragraph without a row" "have no row: $first_id" drop_row
expect_web_refusal "a web row with two fields" "web.tsv:[0-9]*: expected 3" two_fields
# skip leaves a paragraph out of web.jsonl, and extract-labelled counts it.
cp "$tmp/web.tsv.orig" "$web_tsv"
sed -i "s/^$first_id\t[a-z_]*\t/$first_id\tskip\t/" "$web_tsv"
if ! out=$("$tmp/repo/scripts/extract-labelled" 2>&1) || ! grep -q "(1 web paragraphs skipped)" <<<"$out"; then
    fail "extract-labelled did not count a skipped web paragraph ($out)"
elif grep -q "\"id\": \"$first_id\"" "$tmp/repo/models/data/web.jsonl"; then
    fail "a skipped web paragraph is in web.jsonl"
fi
cp "$tmp/web.tsv.orig" "$web_tsv"
cp models/data/*.jsonl "$tmp/repo/models/data/"
if ! msg=$("$tmp/repo/scripts/extract-labelled" --check 2>&1); then
    fail "the restored copy of the web data does not pass --check ($msg)"
fi
# A web.jsonl that no longer matches web.tsv must be noticed.
sed -i '1d' "$tmp/repo/models/data/web.jsonl"
if msg=$("$tmp/repo/scripts/extract-labelled" --check 2>&1); then
    fail "extract-labelled --check accepted a stale web.jsonl"
elif ! grep -q "web.jsonl" <<<"$msg"; then
    fail "extract-labelled --check refused a stale web.jsonl without naming it ($msg)"
fi
cp models/data/web.jsonl "$tmp/repo/models/data/"

# ...and a hand.jsonl that no longer matches the TSVs must be noticed.
echo '{"text": "stale", "label": "none", "lang": "en", "source": "x@0-5", "para": null}' \
    >>"$tmp/repo/models/data/hand.jsonl"
if msg=$("$tmp/repo/scripts/extract-labelled" --check 2>&1); then
    fail "extract-labelled --check accepted a stale hand.jsonl"
elif ! grep -q "hand.jsonl" <<<"$msg"; then
    fail "extract-labelled --check refused a stale hand.jsonl without naming it ($msg)"
fi

if [ "$fails" -eq 0 ]; then echo "it_labelled_data: ok"; else echo "it_labelled_data: $fails failure(s)"; fi
[ "$fails" -eq 0 ]
