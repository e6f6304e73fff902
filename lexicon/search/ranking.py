"""How learner search ranks its matches: the one place for these rules (issue 20).

Every match has a tier, given as the item's `match.type`. Ties are broken by the dictionary's
alphabetical order, then by id. The search (lexicon.search), printing a search's results
(`search.matching_ids`) and the page cache (lexicon.search.cache, which stores pages as
computed) all follow these rules.

- **Order.** TIERS is the usual order: exact headword > headword prefix > folded headword
  (equal > prefix > infix) > gloss exact > gloss word > gloss prefix > a word of a definition
  (`definition`) > a word of an example sentence or its translation (`example`) > near-miss
  (`fuzzy`). Definitions and examples are indexed apart (search_index.TEXT_KINDS) so that an
  example, which often uses a word in passing, never outranks a definition.
- **Analysis-language words.** A query of 3+ letters that is a whole gloss and no headword is
  taken for a word of that language (`ranking`). Its whole-word matches come in
  ANALYSIS_ORDER, and headwords that merely begin with or contain it are left out: "man"
  lists the entries glossed "man", not `manda`.
- **Examples fill in.** Example sentences and their translations are searched only while no
  gloss holds the query, as a whole gloss or a word of one (`examples_fill_in`): "chair" lists
  the entry glossed "chair", not the one whose example says "they took the chair away". A word
  in no gloss keeps its examples, below its definitions; so does a word of the language.
- **Near-misses are a fallback.** Near-misses are words one or two typos away, through a
  vocabulary of headword and gloss words. They fill in only while the whole-word matches
  (WHOLE_WORD: exact or folded headword, gloss, gloss word, definition, example) are fewer
  than FEW_MATCHES (`typo_fallback`), and they rank below everything else.
  - With FEW_MATCHES = 1, a query whose own word is found gets no near-misses: no French
    `gater` for an English `water`.
  - A vernacular typo, which matches no whole word, still finds its entry.
"""

from __future__ import annotations

TIERS = (
    "exact", "prefix", "folded", "folded_prefix", "infix",
    "gloss", "gloss_word", "gloss_prefix", "definition", "example", "fuzzy",
)  # fmt: skip
WHOLE_WORD = frozenset({"exact", "folded", "gloss", "gloss_word", "definition", "example"})
# Measured on the judged queries of tests/fixtures/search-judged (bench/search.py --precision):
# letting near-misses fill in beside one or two whole-word matches (`boat` -> `goat`, `coat`)
# took precision@5 of gloss queries from 0.92 to 0.75-0.79 on Sena (0.78 to 0.74-0.76 on Hdi)
# and found no more relevant entries.
FEW_MATCHES = 1
PARTIAL = frozenset({"prefix", "folded_prefix", "infix"})  # headwords containing the query
# Measured as above: examples filling in only when no gloss holds the word took precision@5
# of gloss queries from 0.839 to 0.90 on Hdi (0.937 to 0.957 on Sena), recall@20 from 0.943
# to 0.939 (Sena 0.978 kept). Ranking them below definitions alone changed neither figure:
# precision@5 counts every result shown when fewer than five are, whatever their order.
EXAMPLES = frozenset({"example"})
ANALYSIS_ORDER = (
    "exact", "folded", "gloss", "gloss_word", "definition", "gloss_prefix", "example",
    "prefix", "folded_prefix", "infix", "fuzzy",
)  # fmt: skip


class Evidence:
    """What a search has found so far: enough to apply the rules above."""

    __slots__ = ("whole", "vernacular", "gloss", "in_gloss")

    def __init__(self) -> None:
        self.whole: set[str] = set()  # entries with a whole-word match
        self.vernacular = False  # the query is a headword, exact or folded
        self.gloss = False  # the query is a whole gloss
        self.in_gloss = False  # the query is a whole gloss or a word of one

    def add(self, tier: str, entry_id: str) -> None:
        if tier in WHOLE_WORD:
            self.whole.add(entry_id)
            self.vernacular = self.vernacular or tier in ("exact", "folded")
            self.gloss = self.gloss or tier == "gloss"
            self.in_gloss = self.in_gloss or tier in ("gloss", "gloss_word")


def ranking(evidence: Evidence, folded_query: str) -> tuple[tuple[str, ...], frozenset]:
    """The order of the tiers for a query, and the tiers it leaves out (decided after the
    search's first round, which looks up headwords and whole glosses)."""
    if evidence.gloss and not evidence.vernacular and len(folded_query) >= 3:
        return ANALYSIS_ORDER, PARTIAL
    return TIERS, frozenset()


def examples_fill_in(evidence: Evidence) -> bool:
    """Whether example matches are searched (after the gloss rounds have run)."""
    return not evidence.in_gloss


def typo_fallback(evidence: Evidence) -> bool:
    """Whether near-misses fill in (after every whole-word round has run)."""
    return len(evidence.whole) < FEW_MATCHES


def ranked_hits(hits: dict[str, list], order: tuple[str, ...]) -> list:
    """Each entry once, by its best match in `order`, then alphabetically, then by id. `hits`:
    entry id -> its matching rows (with `tier` as an index of TIERS, `sort_key`, `branch`)."""
    position = {tier: i for i, tier in enumerate(order)}
    best = [
        min((position[TIERS[r.tier]], r.sort_key, r.entry_id, r.branch, r) for r in rows)
        for rows in hits.values()
    ]
    return [key[-1] for key in sorted(best, key=lambda key: key[:4])]
