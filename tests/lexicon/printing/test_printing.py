"""Printing: real PDFs from Typst, read back with poppler's pdftotext, pdffonts and pdfinfo."""

from __future__ import annotations

import io
import os
import random
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from PIL import Image

from lexicon.alphabet import Alphabet
from lexicon.printing import (
    PrintOptions,
    UncoveredCharacters,
    build_document,
    check_coverage,
    render,
    render_pdf,
)

LETTERS = ["a", "b", "ch", "d", "e", "g", "i", "k", "m", "n", "ng", "o", "p", "s", "t", "u", "w"]
DICTIONARY = {
    "slug": "tst",
    "title": "Test Dictionary",
    "language_name": "Testish",
    "language_code": "tst",
    "vernacular_ws": ["tst"],
    "analysis_ws": ["en", "pt"],
    "alphabet": {"letters": [*LETTERS[:10], "Ng ng", *LETTERS[11:]], "ignore": ["-"]},
    "licence": "CC-BY-4.0",
    "credits": "Test Keepers",
    "extra": {"letter_pronunciations": {"ng": "ŋ"}},
}


def make_entry(hw, glosses, *, ipa="", hom=0, pos="n", examples=(), media=None, picture=None):
    sense = {
        "id": str(uuid.uuid4()),
        "part_of_speech": pos,
        "glosses": glosses,
        "definitions": {},
        "semantic_domains": [],
        "examples": [
            {"id": str(uuid.uuid4()), "text": {"tst": t}, "translations": {"en": tr}}
            for t, tr in examples
        ],
        "pictures": [{"id": "p", "caption": {}, "media": picture}] if picture else [],
        "reversals": [],
        "subsenses": [],
    }
    pron = {"id": "pr", "ipa": ipa, "forms": {}, "media": media} if ipa or media else None
    return {
        "id": str(uuid.uuid4()),
        "headword": {"tst": hw},
        "citation": {},
        "lexeme_form": {},
        "homograph": hom,
        "part_of_speech": pos,
        "pronunciations": [pron] if pron else [],
        "senses": [sense],
        "variants": [],
        "relations": [],
        "etymologies": [],
        "updated_at": "2026-03-04T10:00:00Z",
    }


def generated(n: int, seed: int = 3) -> list[dict]:
    """Distinct headwords over the test alphabet; glosses never repeat a headword."""
    rnd, seen, out = random.Random(seed), set(), []
    while len(out) < n:
        word = "".join(rnd.choice(LETTERS) + rnd.choice("aeiou") for _ in range(rnd.randint(1, 3)))
        if word not in seen:
            seen.add(word)
            out.append(make_entry(word, {"en": f"gloss {len(out)}", "pt": f"glosa {len(out)}"}))
    return out


def run(*args) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def page_count(path) -> int:
    info = run("pdfinfo", str(path))
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def region(path, page, x, y, w, h) -> str:
    return run(
        "pdftotext",
        "-f",
        str(page),
        "-l",
        str(page),
        "-x",
        str(x),
        "-y",
        str(y),
        "-W",
        str(w),
        "-H",
        str(h),
        str(path),
        "-",
    )


@pytest.fixture(scope="module")
def full_dictionary(tmp_path_factory):
    entries = generated(480)
    # Hand-made neighbours around the digraph: every n... word files before every ng... word.
    entries += [make_entry(w, {"en": f"gloss {w[::-1]}"}) for w in ("nama", "nzu", "ngama", "oba")]
    random.Random(1).shuffle(entries)
    path = tmp_path_factory.mktemp("print") / "dictionary.pdf"
    path.write_bytes(render_pdf(dictionary=DICTIONARY, entries=entries, options=PrintOptions()))
    return path, entries


def main_pages(path):
    """(page number, guide words, headwords in reading order, section headings) per main page."""
    alphabet_words = set()
    pages = []
    for page in range(1, page_count(path) + 1):
        header = region(path, page, 0, 0, 595, 58).split()
        columns = region(path, page, 0, 58, 297, 730) + region(path, page, 297, 58, 298, 730)
        lines = [line.strip() for line in columns.splitlines() if line.strip()]
        pages.append((page, header, lines))
        alphabet_words.update(header)
    return pages


def test_sections_entries_and_guide_words_follow_the_alphabet(full_dictionary):
    path, entries = full_dictionary
    alphabet = Alphabet.from_config(DICTIONARY["alphabet"])
    words = {e["headword"]["tst"] for e in entries}
    expected = sorted(words, key=alphabet.sort_key)
    found, headings, checked_pages = [], [], 0
    for _page, header, lines in main_pages(path):
        # An entry's first line is "headword n. gloss ..."; wrapped lines never start so.
        on_page = [ln.split()[0] for ln in lines if ln.split()[0] in words and " n. " in ln]
        if on_page:
            headings += [
                ln.split()
                for ln in lines
                if len(ln.split()) == 2
                and ln.split()[1] in LETTERS
                and ln.split()[0] == ln.split()[1].capitalize()
            ]
            assert header == [on_page[0], on_page[-1]], f"guide words {header} vs {on_page}"
            checked_pages += 1
        found += on_page
    assert checked_pages >= 4
    assert found == expected
    assert found.index("nama") < found.index("nzu") < found.index("ngama") < found.index("oba")
    letters_in_order = [h[1] for h in headings]
    assert letters_in_order == sorted(set(letters_in_order), key=LETTERS.index)
    assert letters_in_order.index("n") + 1 == letters_in_order.index("ng")


def test_title_page_front_matter_and_index(full_dictionary):
    path, _ = full_dictionary
    text = run("pdftotext", str(path), "-")
    first = region(path, 1, 0, 0, 595, 842)
    assert "Test Dictionary" in first and "CC-BY-4.0" in first and "2026-03-04" in first
    front = region(path, 2, 0, 0, 595, 842)
    assert "Alphabet" in front and "/ŋ/" in front and "noun" in front
    assert "Index: English" in text and "Index: Portuguese" in text
    index = text[text.index("Index: English") : text.index("Index: Portuguese")]
    glosses = [ln.split()[1] for ln in index.splitlines() if ln.startswith("gloss ")]
    assert "gloss amagn" in index and len(glosses) > 200


def test_fonts_are_embedded_and_text_is_searchable(full_dictionary):
    path, _ = full_dictionary
    rows = run("pdffonts", str(path)).splitlines()[2:]
    assert rows and all(" yes " in row for row in rows), rows
    assert any("CharisSIL" in row for row in rows)
    assert "ngama" in run("pdftotext", str(path), "-")


def test_markup_in_entries_prints_literally(tmp_path):
    entries = [
        make_entry("$x$", {"en": "#panic()"}, examples=[("*bold* ] #let", "_not italic_")]),
        make_entry("ba", {"en": "#set page(width: 1cm)"}),
    ]
    pdf = tmp_path / "literal.pdf"
    pdf.write_bytes(render_pdf(dictionary=DICTIONARY, entries=entries, options=PrintOptions()))
    text = run("pdftotext", str(pdf), "-")
    for literal in ("$x$", "#panic()", "*bold* ] #let", "_not italic_", "#set page(width: 1cm)"):
        assert literal in text


def test_each_thing_is_printed_once(tmp_path):
    """As WeSay writes them: a definition that repeats the gloss is printed once, and an IPA
    form of the headword is printed as its transcription."""
    basket = make_entry("abit", {"en": "water carrying basket"})
    basket["headword"]["tst-fonipa"] = "ab'it"
    basket["senses"][0]["definitions"] = {"en": "water carrying basket", "pt": "cesto de água"}
    same = make_entry("oba", {"en": "a pot"}, ipa="oba")
    same["headword"]["tst-fonipa"] = "oba"
    pdf = tmp_path / "once.pdf"
    pdf.write_bytes(render_pdf(dictionary=DICTIONARY, entries=[basket, same],
                               options=PrintOptions()))  # fmt: skip
    text = " ".join(run("pdftotext", str(pdf), "-").split())
    assert "abit /ab'it/ n. water carrying basket: cesto de água" in text
    assert "oba /oba/ n. a pot" in text  # the same transcription once


def test_uncovered_character_is_reported_before_printing(tmp_path):
    entries = [make_entry("ba", {"en": "plane-15 \U000f0041 here"})]
    missing = check_coverage(dictionary=DICTIONARY, entries=entries, options=PrintOptions())
    assert [m["codepoint"] for m in missing] == ["U+F0041"]
    assert missing[0]["example"] == "ba"
    with pytest.raises(UncoveredCharacters, match="U\\+F0041"):
        render_pdf(dictionary=DICTIONARY, entries=entries, options=PrintOptions())
    anyway = render_pdf(
        dictionary=DICTIONARY, entries=entries, options=PrintOptions(allow_uncovered=True)
    )
    assert anyway.startswith(b"%PDF")


def test_ipa_diacritics_and_other_scripts_render(tmp_path):
    entries = [
        make_entry("ŋ̀gàmà", {"en": "river", "hi": "नदी", "ar": "نهر"}, ipa="ŋ̩̀ɡàmà̰"),
        make_entry("ba", {"en": "house", "hi": "घर", "ar": "بيت"}, ipa="ɓá"),
    ]
    options = PrintOptions(langs=("en", "hi", "ar"))
    pdf = tmp_path / "scripts.pdf"
    pdf.write_bytes(render_pdf(dictionary=DICTIONARY, entries=entries, options=options))
    fonts = run("pdffonts", str(pdf))
    assert "NotoSansDevanagari" in fonts and "Arabic" in fonts
    text = run("pdftotext", str(pdf), "-")
    for word in ("ŋ̀gàmà", "ŋ̩̀ɡàmà̰", "नदी", "घर"):
        assert word in text
    assert "نهر" in text or "رهن" in text  # poppler may give visual order for RTL runs
    png = tmp_path / "page"
    run("pdftoppm", "-f", "3", "-l", "3", "-r", "110", "-png", str(pdf), str(png))
    assert any(p.name.startswith("page") for p in tmp_path.iterdir())


def test_same_inputs_give_the_same_bytes():
    entries = generated(40)
    first = render_pdf(dictionary=DICTIONARY, entries=entries, options=PrintOptions())
    again = render_pdf(
        dictionary=DICTIONARY, entries=list(reversed(entries)), options=PrintOptions()
    )
    assert first == again


def test_us_letter_and_font_size(tmp_path):
    pdf = tmp_path / "letter.pdf"
    options = PrintOptions(paper="letter", font_size=12, font_family="Andika")
    pdf.write_bytes(render_pdf(dictionary=DICTIONARY, entries=generated(30), options=options))
    assert "612 x 792" in run("pdfinfo", str(pdf))
    assert "Andika" in run("pdffonts", str(pdf))


def test_uploaded_font_file_is_used(tmp_path):
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    shutil.copy("/usr/share/fonts/truetype/doulos/DoulosSIL-Regular.ttf", fonts)
    pdf = tmp_path / "own-font.pdf"
    options = PrintOptions(font_paths=(str(fonts),))
    pdf.write_bytes(render_pdf(dictionary=DICTIONARY, entries=generated(10), options=options))
    assert "DoulosSIL" in run("pdffonts", str(pdf))
    one_file = PrintOptions(font_paths=("/usr/share/fonts/truetype/andika/Andika-Regular.ttf",))
    pdf.write_bytes(render_pdf(dictionary=DICTIONARY, entries=generated(10), options=one_file))
    assert "+Andika" in run("pdffonts", str(pdf))


def _png(color) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (60, 40), color).save(buf, "PNG")
    return buf.getvalue()


def test_wordlist_and_table_with_pictures(tmp_path):
    pic = {"sha256": "ab" * 32, "mime": "image/png", "url": "/media/x"}
    entries = [*generated(60), make_entry("oba", {"en": "a pot"}, ipa="oba", picture=pic)]
    read = {pic["sha256"]: _png("red")}
    for layout in ("wordlist", "table"):
        pdf = tmp_path / f"{layout}.pdf"
        data = render_pdf(
            dictionary=DICTIONARY,
            entries=entries,
            layout=layout,
            options=PrintOptions(title="Pots and pans"),
            media=lambda m: read[m["sha256"]],
        )
        pdf.write_bytes(data)
        text = run("pdftotext", str(pdf), "-")
        assert "Pots and pans" in text and "a pot" in text and "/oba/" in text
    assert "Meaning" in text
    assert len(run("pdfimages", "-list", str(tmp_path / "table.pdf")).splitlines()) == 3


def test_flashcard_backs_mirror_their_fronts(tmp_path):
    entries = generated(10)
    pdf = tmp_path / "cards.pdf"
    pdf.write_bytes(
        render_pdf(
            dictionary=DICTIONARY, entries=entries, layout="flashcards", options=PrintOptions()
        )
    )
    assert page_count(pdf) == 4
    alphabet = Alphabet.from_config(DICTIONARY["alphabet"])
    ordered = sorted(entries, key=lambda e: alphabet.sort_key(e["headword"]["tst"]))
    # First row: fronts left to right are cards 1, 2; on the back, card 2 is on the left.
    front_left = region(pdf, 1, 0, 0, 297, 200).split()
    back_left = region(pdf, 2, 0, 0, 297, 200)
    assert ordered[0]["headword"]["tst"] in front_left
    assert ordered[1]["senses"][0]["glosses"]["en"] in back_left


def test_qr_codes_are_made_for_entries_with_audio():
    audio = {"sha256": "cd" * 32, "url": "/media/tst/cd.mp3", "mime": "audio/mpeg"}
    entries = [make_entry("ba", {"en": "house"}, media=audio), make_entry("da", {"en": "dog"})]
    options = PrintOptions(qr=True, base_url="https://example.org")
    doc, _ = build_document(dictionary=DICTIONARY, entries=entries, layout="table", options=options)
    qrs = [e["qr"] for s in doc["sections"] for e in s["entries"]]
    assert "<svg" in qrs[0] and qrs[1] is None
    pngs = render(
        dictionary=DICTIONARY, entries=entries, layout="table", options=options, output="png"
    )
    assert pngs[0].startswith(b"\x89PNG")


def test_real_dictionary_files_digraph_sections_in_its_own_alphabet(tmp_path):
    """The shipped Hdi excerpt (Dictionaria, CC-BY-4.0): ɓ after b, gh after g, kw after k."""
    import json
    from pathlib import Path

    from lexicon.printing.prepare import letter_display

    payload = json.loads((Path(__file__).parents[3] / "data/demo/hdi.json").read_text())
    dictionary = payload["dictionary"]
    pdf = tmp_path / "hdi.pdf"
    pdf.write_bytes(
        render_pdf(dictionary=dictionary, entries=payload["entries"], options=PrintOptions())
    )
    alphabet = Alphabet.from_config(dictionary["alphabet"])
    displays = [letter_display(lt.lower, lt.upper) for lt in alphabet.letters]
    seen = []
    for page in range(3, page_count(pdf) + 1):
        for x in (0, 297):
            for line in region(pdf, page, x, 58, 298, 730).splitlines():
                if line.strip() in displays and (not seen or seen[-1] != line.strip()):
                    seen.append(line.strip())
        if "Index: English" in region(pdf, page, 0, 0, 595, 842):
            break
    assert seen == sorted(seen, key=displays.index), seen
    pairs = (("B b", "Ɓ ɓ"), ("Ɗ ɗ", "Dz dz"), ("G g", "Gh gh"), ("H h", "Hl hl"), ("K k", "Kw kw"))
    for before, after in pairs:
        assert seen.index(before) + 1 == seen.index(after)


def test_qr_svg_paints_exactly_the_dark_modules():
    import re

    import qrcode

    from lexicon.printing.render import qr_svg

    url = "https://example.org/media/tst/" + "cd" * 32
    svg = qr_svg(url)
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=1, mask_pattern=2
    )
    code.add_data(url)
    matrix = code.get_matrix()
    painted = [[False] * len(matrix) for _ in matrix]
    for x, y, width in re.findall(r"M(\d+) (\d+)h(\d+)v1", svg):
        for dx in range(int(width)):
            painted[int(y)][int(x) + dx] = True
    assert painted == matrix
    assert f'viewBox="0 0 {len(matrix)} {len(matrix)}"' in svg


def test_a_font_file_that_is_not_installed_covers_private_use_letters(tmp_path):
    """Codicons (CC BY 4.0, tests/fixtures/fonts) maps U+EA60...: no installed font does."""
    from pathlib import Path

    fonts = Path(__file__).parents[2] / "fixtures" / "fonts"
    entries = [make_entry("ba", {"en": "sign \uea60 here"})]
    with pytest.raises(UncoveredCharacters, match="U\\+EA60"):
        render_pdf(dictionary=DICTIONARY, entries=entries, options=PrintOptions())
    options = PrintOptions(font_paths=(str(fonts / "codicon.ttf"),))
    assert check_coverage(dictionary=DICTIONARY, entries=entries, options=options) == []
    pdf = tmp_path / "pua.pdf"
    pdf.write_bytes(render_pdf(dictionary=DICTIONARY, entries=entries, options=options))
    embedded = run("pdffonts", str(pdf))
    assert "codicon" in embedded and "CharisSIL" in embedded  # Latin falls back to Charis


def test_every_character_the_templates_print_is_checked_for_glyphs():
    from lexicon.printing.render import TEMPLATE_CHARS, default_template_dir

    used = set()
    for template in default_template_dir().glob("*.typ"):
        for line in template.read_text(encoding="utf-8").splitlines():
            code = line.split("//", 1)[0] if not line.lstrip().startswith("//") else ""
            used |= {ch for ch in code if not ch.isascii()}
    assert used and used <= set(TEMPLATE_CHARS), used - set(TEMPLATE_CHARS)


def test_a_print_is_made_anew_when_the_code_that_prints_changes():
    """The print cache's key covers the code that shapes a print (an upgrade that prints an
    entry differently must not serve last version's PDF), but not its compiled copies."""
    from lexicon.printing import prepare, service

    entries = [make_entry("ba", {"en": "x"})]

    def key() -> str:
        return service.cache_key(dictionary=DICTIONARY, entries=entries, layout="dictionary",
                                 options=PrintOptions(), labels={}, output="pdf")  # fmt: skip

    source = Path(prepare.__file__)
    before, first = source.stat(), key()
    try:
        os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
        assert key() != first
    finally:
        os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert key() == first
    assert not [f for f in service._files_state([source.parent]) if "__pycache__" in f[0]]
