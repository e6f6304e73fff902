"""The ISO 639-3 lookup (iso639-lang's table) and the alphabet proposed from CLDR (ICU)."""

from lexicon import languages


def test_a_name_finds_the_language_first():
    found = languages.find_languages("sena")
    assert found[0].code == "seh"
    assert found[0].name == "Sena"


def test_a_code_finds_its_language_and_the_tag_is_the_shortest():
    assert languages.find_languages("fra")[0].name == "French"
    assert languages.find_languages("fr")[0].tag == "fr"
    assert languages.language("seh-fonipa").code == "seh"
    assert languages.language("zzzz") is None


def test_accents_and_other_names_are_found():
    assert [lang.code for lang in languages.find_languages("aasax")] == ["aas"]
    # "Adygei" is another name of Adyghe.
    assert "ady" in [lang.code for lang in languages.find_languages("adygei")]


def test_the_table_is_the_whole_of_iso_639_3():
    assert len(languages._table()[0]) > 7800
    assert languages.find_languages("") == []
    assert len(languages.find_languages("a", limit=500)) == languages.MAX_RESULTS


def test_exact_name():
    assert languages.exact_language("sena").code == "seh"
    assert languages.exact_language("no such language at all") is None


def test_alphabet_from_cldr_keeps_letters_and_leaves_accented_forms_out():
    spanish = languages.proposed_alphabet("es")
    assert spanish[:3] == ["a", "b", "c"]
    assert spanish.index("ñ") == spanish.index("n") + 1
    assert "é" not in spanish
    welsh = languages.proposed_alphabet("cy")
    assert welsh[welsh.index("c") + 1] == "ch"
    assert "ll" in welsh
    assert languages.proposed_alphabet("seh")[0] == "a"


def test_no_alphabet_for_a_language_cldr_does_not_know():
    assert languages.has_cldr_data("es")
    assert not languages.has_cldr_data("ptn")
    assert languages.proposed_alphabet("ptn") is None
    assert languages.proposed_alphabet("") is None
