#!/usr/bin/env python3
"""make_corpus.py OUTDIR [--large] - writes the bad-input corpus.

One file per case, each a whole Kafka message payload (or a whole file for
`rakiza classify`), and OUTDIR/expected.tsv: name, the contract's code the
envelope must give (`ok` when the input is acceptable and must be
classified), and for acceptable inputs the exact paragraph count or `-`.
The small cases are also committed under tests/bad_input/corpus/ (written
by this script, so the bytes are explained here); --large adds the cases
too big to commit: a 100 MB message, a gzip bomb, a 1 MB "word" and a
document of 100,000 tiny paragraphs.
"""
import gzip, json, os, sys

AR = "تدين الجمعية العامة الإرهاب بجميع أشكاله ومظاهره"
EN = "The General Assembly condemns terrorism in all its forms."

def env(doc_id, **fields):
    return json.dumps(dict(id=doc_id, **fields), ensure_ascii=False).encode()

def small():
    c = {}  # name -> (payload bytes, code, paragraphs or None)
    # Invalid UTF-8 in all the ways a decoder can be too lenient.
    c["utf8_stray_ff"] = (b"text \xff more", "bad_utf8", None)
    c["utf8_lone_continuation"] = (b"text \x80", "bad_utf8", None)
    c["utf8_overlong_slash"] = (b"path \xc0\xaf", "bad_utf8", None)
    c["utf8_overlong_nul"] = (b"nul \xc0\x80 here", "bad_utf8", None)
    c["utf8_overlong_3byte"] = (b"\xe0\x80\xaf", "bad_utf8", None)
    c["utf8_overlong_4byte"] = (b"\xf0\x80\x80\xaf", "bad_utf8", None)
    c["utf8_surrogate"] = (b"half \xed\xa0\x80 pair", "bad_utf8", None)
    c["utf8_above_10ffff"] = (b"\xf4\x90\x80\x80", "bad_utf8", None)
    c["utf8_truncated_arabic"] = (AR.encode()[:-1], "bad_utf8", None)
    c["utf8_latin1"] = ("déjà vu".encode("latin-1"), "bad_utf8", None)
    c["nul_byte"] = (b"before\x00after", "bad_utf8", None)
    c["json_escaped_nul"] = (b'{"id": "json_escaped_nul", "text": "a\\u0000b"}', "bad_json", None)
    c["json_lone_surrogate"] = (b'{"id": "json_lone_surrogate", "text": "\\ud800"}', "bad_json", None)
    c["json_bad_utf8_in_string"] = (b'{"id": "x", "text": "\xff"}', "bad_utf8", None)
    # Empty and white space only.
    c["empty"] = (b"", "empty", None)
    c["whitespace"] = (b"  \n\t \r\n  \n", "empty", None)
    c["json_blank_text"] = (env("json_blank_text", text=" \n\n "), "empty", None)
    # Malformed JSON and wrong-typed fields.
    c["json_truncated"] = (b'{"id": "json_truncated", "text": ', "bad_json", None)
    c["json_trailing_garbage"] = (env("x", text=EN) + b" trailing", "bad_json", None)
    c["json_unquoted_key"] = (b'{id: "x", "text": "t"}', "bad_json", None)
    c["json_duplicate_text"] = (b'{"id": "d", "text": "one", "text": "two"}', "bad_json", None)
    c["json_id_number"] = (b'{"id": 7, "text": "t"}', "bad_field", None)
    c["json_id_missing"] = (b'{"text": "t"}', "bad_field", None)
    c["json_text_missing"] = (b'{"id": "json_text_missing"}', "bad_field", None)
    c["json_text_array"] = (b'{"id": "a", "text": ["t"]}', "bad_field", None)
    c["json_text_null"] = (b'{"id": "a", "text": null}', "bad_field", None)
    c["json_lang_number"] = (b'{"id": "a", "text": "t", "lang": 1}', "bad_field", None)
    c["json_meta_string"] = (b'{"id": "a", "text": "t", "meta": "m"}', "bad_field", None)
    # gzip damaged, and gzip around bad content.
    good = gzip.compress((AR + "\n\n" + EN + "\n").encode(), mtime=0)
    c["gzip_truncated"] = (good[: len(good) // 2], "bad_gzip", None)
    c["gzip_corrupt"] = (good[:12] + bytes(b ^ 0x5A for b in good[12:30]) + good[30:], "bad_gzip", None)
    c["gzip_magic_only"] = (b"\x1f\x8b", "bad_gzip", None)
    c["gzip_of_bad_utf8"] = (gzip.compress(b"ok \xff", mtime=0), "bad_utf8", None)
    c["gzip_of_nothing"] = (gzip.compress(b"", mtime=0), "empty", None)
    # Acceptable but hostile: these must be classified, not refused.
    c["gzip_good"] = (good, "ok", 2)
    c["json_array_is_text"] = (b"[1, 2, 3]", "ok", 1)
    bidi = "\u202e\u202d\u2066\u2067\u2069\u200f\u200e\u061c"
    # 96 KB in one line: cut into two 64 KiB-bounded paragraphs.
    c["bidi_flood"] = ((bidi * 2000 + AR + bidi * 2000).encode(), "ok", 2)
    c["bidi_between_words"] = (bidi.join(AR.split()).encode(), "ok", 1)
    c["mixed_script"] = ((AR + " " + EN + " Терроризм 恐怖主义 🕊️ ١٢٣ 123.\n\n" + EN + " " + AR).encode(), "ok", 2)
    c["combining_flood"] = (("ب" + "\u0651\u064e" * 5000 + " " + EN).encode(), "ok", 1)
    c["json_good"] = (env("json_good", text=AR + "\n\n" + EN, lang="ar", meta={"src": "test"}), "ok", 2)
    return c

def large():
    c = {}
    line = (AR + " " + EN + "\n").encode()
    c["message_100mb"] = (line * (100 * 2**20 // len(line) + 1), "too_large", None)
    # 80 MiB of zeros: past the 64 MiB decompressed limit, ~80 KB compressed.
    c["gzip_bomb"] = (gzip.compress(b"\0" * (80 * 2**20), 9, mtime=0), "too_large", None)
    # One 1 MiB "word": cut into 64 KiB paragraphs (RK_SEG_MAX_PARAGRAPH_BYTES).
    c["word_1mb"] = (("ب" * (2**19)).encode(), "ok", 16)
    c["paragraphs_100k"] = ("\n\n".join(f"نص {i}." for i in range(100000)).encode(), "ok", 100000)
    return c

def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    cases = small()
    if "--large" in sys.argv[2:]:
        cases = large()
    with open(os.path.join(out, "expected.tsv"), "w") as f:
        for name, (data, code, paras) in cases.items():
            with open(os.path.join(out, name), "wb") as g:
                g.write(data)
            f.write(f"{name}\t{code}\t{paras if paras is not None else '-'}\n")

main()
