"""A parsed query and the SQL that answers it: the phases, one UNION ALL branch per tier, each
branch limited to what the viewer may see (`visible_clause`)."""

from __future__ import annotations

import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import (
    Integer,
    Table,
    and_,
    bindparam,
    func,
    literal,
    literal_column,
    select,
    text,
    union_all,
)

from lexicon.accounts import access
from lexicon.alphabet import Alphabet, fold
from lexicon.db.prepared import Prepared
from lexicon.errors import InvalidInput
from lexicon.models import Dictionary
from lexicon.search.index import TOP, search_text
from lexicon.search.ranking import (
    TIERS,
)
from lexicon.search.words import gloss_words, normalise, stem, words

TOTAL_CAP = 200  # `total` counts matching entries up to this many (counting all would dominate)

_STATEMENTS: OrderedDict = OrderedDict()  # prepared statements by plan and viewer, LRU


@dataclass(frozen=True)
class Query:
    """A parsed search: the same text prepared for each kind of comparison."""

    text: str
    norm: str  # exact and prefix on headwords (case-insensitive, diacritics count)
    folded: str  # the dictionary's fold: folded headword tiers, infix
    gloss: str  # plain fold
    words: tuple[str, ...]  # words of the plain fold: definitions and examples
    gwords: tuple[str, ...]  # the same as glosses compare them (search_index.gloss_words)
    exact: bool = False  # "exact letters": no folding, no typo tolerance (for keepers)
    # For one or two letters: the sort-key block of the first letter (see Alphabet.key_range).
    norm_block: tuple[str, str] | None = None
    folded_block: tuple[str, str] | None = None

    @property
    def fuzzy_target(self) -> str | None:
        """The one word typo tolerance applies to (single-word queries of 4+ letters)."""
        found = words(self.folded)
        return found[0] if not self.exact and len(found) == 1 and len(found[0]) >= 4 else None


def parse_query(q: str, *, alphabet: Alphabet, exact: bool = False) -> Query:
    """Prepare a query string (NFC or NFD, any case) for every tier."""
    q = unicodedata.normalize("NFC", (q or "").replace("\x00", "")).strip()
    if len(q) > 200:
        raise InvalidInput("q: a search is at most 200 characters")
    gloss, norm, folded = fold(q), normalise(q), alphabet.fold(q)

    def block(value: str):  # the first letter: `ch` of "ch", `n` of "na"
        first = alphabet.tokenize(value)[:1] if 0 < len(value) <= 2 else None
        return alphabet.key_range(first[0]) if first else None

    found = words(gloss)
    return Query(q, norm, folded, gloss, tuple(found), tuple(gloss_words(found)), exact,
                 block(norm), block(folded))  # fmt: skip


def visible_clause(viewer, dictionary: Dictionary, t: Table = search_text):
    """The access rule on index rows: the entry's visibility and status, and the visibility of
    the sense or example the text comes from. The one place search asks `lexicon.accounts.access`."""
    entry_level = SimpleNamespace(
        visibility=t.c.e_visibility, circle=t.c.e_circle, status=t.c.status
    )
    item_level = SimpleNamespace(visibility=t.c.visibility, circle=t.c.circle, status=t.c.status)
    return and_(
        access.entry_clause(viewer, dictionary, entry_level),
        access.entry_clause(viewer, dictionary, item_level),
    )


def _word_terms(query_words, prefix_last: bool) -> list[list[str]]:
    """Per query word, the forms any of which may match (the word and its stem)."""
    terms = [sorted({w, stem(w)}) for w in query_words]
    if prefix_last and terms:
        terms[-1] = [query_words[-1]]
    return terms


def _match_text(dialect: str, terms: list[list[str]], prefix_last: bool) -> str:
    """Every term group must match: an FTS5 MATCH string or a PostgreSQL tsquery."""
    if dialect == "sqlite":
        groups = ["(" + " OR ".join(f'"{w}"' for w in group) + ")" for group in terms]
        if prefix_last:
            groups[-1] = f'"{terms[-1][0]}"*'
        return " AND ".join(groups)
    groups = ["(" + " | ".join(f"'{w}'" for w in group) + ")" for group in terms]
    if prefix_last:
        groups[-1] = f"'{terms[-1][0]}':*"
    return " & ".join(groups)


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _trigram_match(value: str) -> str:
    """An FTS5 trigram MATCH for a substring (the trigram tokenizer needs 3+ characters)."""
    return '"' + value.replace('"', '""') + '"'


def plan_branches(query: Query, dialect: str, fuzzy_words: list[str]) -> tuple[tuple, dict]:
    """Which branches this query runs (in rank order) and the values they are bound to."""
    names, params = [], {}
    if query.norm:
        names += ["exact", "prefix"]
        params.update(norm=query.norm, norm_hi=query.norm + TOP)
        if query.norm_block:
            params.update(norm_lo_key=query.norm_block[0], norm_hi_key=query.norm_block[1])
    if query.folded and not query.exact:
        names += ["folded", "folded_prefix"]
        params.update(folded=query.folded, folded_hi=query.folded + TOP)
        if query.folded_block:
            params.update(folded_lo_key=query.folded_block[0], folded_hi_key=query.folded_block[1])
        if len(query.folded) >= 3:
            names.append("infix")
            sqlite = dialect == "sqlite"
            params["infix"] = _trigram_match(query.folded) if sqlite else _like(query.folded)
    if query.gwords:
        # The gloss, word for word up to case, accents, plurals and an infinitive marker:
        # `rivers` is the gloss `river`, `speaks` the gloss `to speak`.
        names.append("gloss")
        params["gloss_stems"] = " ".join(stem(w) for w in query.gwords)
        names.append("gloss_word")
        params["words"] = _match_text(dialect, _word_terms(query.gwords, False), False)
        if len(query.gwords[-1]) >= 2:
            names.append("gloss_prefix")
            params["pre"] = _match_text(dialect, _word_terms(query.gwords, True), True)
    if query.words:  # definitions, then examples: one MATCH, two full-text tables
        names += ["definition", "example"]
        params["text"] = _match_text(dialect, _word_terms(query.words, False), False)
    if fuzzy_words:
        names.append("fuzzy_hw")
        params["fz"] = list(fuzzy_words)
        # A correction that is a form of the query word (`speak` for `speaks`) would find the
        # very glosses `gloss_word` finds, a tier higher: only the others are looked up again.
        covered = {w for group in _word_terms(query.gwords, False) for w in group}
        in_glosses = [w for w in fuzzy_words if w not in covered]
        if in_glosses:
            names.append("fuzzy_gl")
            params["fzg"] = _match_text(dialect, [in_glosses], False)
    return tuple(names), params


def _condition(name: str, dialect: str, dictionary_id: int, dense: str | None = None):
    """The SQL condition of one branch, with its values as named bind parameters."""
    t, p = search_text, bindparam
    hw = and_(t.c.dictionary_id == dictionary_id, t.c.kind == literal_column("'hw'"))
    sqlite = dialect == "sqlite"
    # Full-text branches must be driven by their MATCH, not by an index scan of the dictionary
    # and kind: on SQLite a unary + keeps the planner from using those indexes there.
    in_dict = literal_column("+search_text.dictionary_id") if sqlite else t.c.dictionary_id
    kind = literal_column("+search_text.kind") if sqlite else t.c.kind

    def by_text(k: str, condition):  # a literal kind lets PostgreSQL use its partial index
        return and_(in_dict == dictionary_id, kind == literal_column(f"'{k}'"), condition)

    def fts(param: str, table: str = "search_fts"):
        if sqlite:
            sub = text(f"SELECT rowid FROM {table} WHERE {table} MATCH :{param}")
            return t.c.id.in_(sub.columns(rowid=Integer))
        tsv = func.to_tsvector(text("'simple'::regconfig"), t.c.stems)
        return tsv.op("@@")(func.to_tsquery(text("'simple'::regconfig"), p(param)))

    if name == "exact":
        return and_(hw, t.c.norm == p("norm"))
    if name in ("prefix", "folded_prefix"):
        low = "norm" if name == "prefix" else "folded"
        column = t.c.norm if name == "prefix" else t.c.folded
        if not dense:
            return and_(hw, column > p(low), column < p(low + "_hi"))
        if dense == "pair":
            # Two characters (SQLite): their own index (ix_search_hw_norm2/folded2) holds the
            # headwords that begin with them in alphabetical order; read up to the limit.
            pair = literal_column(f"substr(search_text.{column.name}, 1, 2)")
            bare = literal_column(f"+search_text.{column.name}")  # a filter, not an index
            return and_(hw, pair == p(low), bare > p(low))
        # One letter, or two characters on PostgreSQL, match thousands of headwords: walk the
        # first letter's block of ix_search_text_order in alphabetical order and stop at the
        # limit, instead of sorting every match (on SQLite a unary + keeps the planner off the
        # norm/folded indexes).
        if sqlite:
            column = literal_column(f"+search_text.{column.name}")
        block = and_(t.c.sort_key >= p(low + "_lo_key"), t.c.sort_key < p(low + "_hi_key"))
        # a literal 'hw' lets the planner use that partial index
        literal_hw = and_(t.c.dictionary_id == dictionary_id, t.c.kind == literal_column("'hw'"))
        return and_(literal_hw, block, column > p(low), column < p(low + "_hi"))
    if name == "folded":
        return and_(hw, t.c.folded == p("folded"))
    if name == "infix":
        like = t.c.folded.like(p("infix"), escape="\\")
        return by_text("hw", fts("infix", "search_tri") if sqlite else like)
    if name == "gloss":  # a literal 'gl' lets the partial index on stems serve it
        return and_(t.c.dictionary_id == dictionary_id, t.c.kind == literal_column("'gl'"),
                    t.c.stems == p("gloss_stems"))  # fmt: skip
    if name in ("gloss_word", "gloss_prefix"):
        return by_text("gl", fts("words" if name == "gloss_word" else "pre"))
    if name == "fuzzy_hw":
        return and_(hw, t.c.folded.in_(p("fz", expanding=True)))
    if name == "fuzzy_gl":
        return by_text("gl", fts("fzg"))
    if name == "definition":
        return by_text("tx", fts("text", "search_fts_tx"))
    return by_text("ex", fts("text", "search_fts_ex"))


# Branches run in rounds, in rank order; a later round is skipped when the earlier ones fill
# the page (its matches would all come after them). Cheap index lookups come first; the last
# round is the typo fallback, run only when `typo_fallback` says so.
PHASES = (
    {"exact", "prefix", "folded", "folded_prefix", "gloss"},
    {"infix"},
    {"gloss_word", "gloss_prefix"},
    {"definition"},
    {"example"},
    {"fuzzy_hw", "fuzzy_gl"},
)


TYPO_ROUND = len(PHASES) - 1


EXAMPLE_ROUND = PHASES.index({"example"})  # run only when `examples_fill_in` says so


def search_sql(
    *, dictionary: Dictionary, viewer, query: Query, dialect: str, need: int,
    fuzzy_words: list[str] = (), count: bool = False, phase: int | None = None,
) -> tuple:  # fmt: skip
    """The search as (statement, params): each branch's best rows in alphabetical order
    (columns tier, branch, entry_id, sort_key, field, lang, text), or with `count` the ids of
    distinct matching entries (up to TOTAL_CAP); (None, {}) when nothing can match. `phase`
    keeps the branches of one round (PHASES). Built apart from running it; the statement for
    a shape is built once and reused."""
    cached, params = prepared_search(
        dictionary=dictionary, viewer=viewer, query=query, dialect=dialect, need=need,
        fuzzy_words=fuzzy_words, count=count, phase=phase,
    )  # fmt: skip
    return (None, {}) if cached is None else (cached.stmt, params)


def prepared_search(
    *, dictionary, viewer, query, dialect, need, fuzzy_words=(), count=False, phase=None,
    plan=None,
) -> tuple:  # fmt: skip
    """The cached statement of one round (or all) and its values. `plan`: `plan`'s answer
    for these arguments when the caller has it already (a search asks once per round)."""
    names, params = plan or plan_branches(query, dialect, list(fuzzy_words))
    if phase is not None:
        names = tuple(n for n in names if n in PHASES[phase])
    if not names:
        return None, {}
    dense = tuple((n, mode) for n in names if (mode := dense_mode(n, params, dialect)))
    key = (dialect, names, dense, count, access.access_key(viewer, dictionary))
    cached = _STATEMENTS.get(key)
    if cached is None:
        cached = Prepared(build(names, dense, dialect, count, viewer, dictionary))
        _STATEMENTS[key] = cached
        if len(_STATEMENTS) > 512:
            _STATEMENTS.popitem(last=False)
    return cached, {**params, "lim": branch_limit(need)}


def dense_mode(name: str, params: dict, dialect: str) -> str | None:
    """How a headword prefix of one or two characters, which may match a large share of the
    headwords, is read in order: "pair" (two characters on SQLite: an index of its own),
    "block" (the first letter's block of the alphabetical order), or None (sort the matches)."""
    if name not in ("prefix", "folded_prefix"):
        return None
    value = params["norm" if name == "prefix" else "folded"]
    if dialect == "sqlite" and len(value) == 2:
        return "pair"
    lo_key = "norm_lo_key" if name == "prefix" else "folded_lo_key"
    return "block" if lo_key in params else None


_TEXT_DRIVEN = {"infix", "gloss_word", "gloss_prefix", "fuzzy_gl", "definition", "example"}


def _order_column(name: str, dialect: str):
    """sort_key, hidden from the planner where walking an index in that order would be a trap:
    SQLite prefers ix_search_text_order to seeking each word of an IN list, and PostgreSQL
    (misjudging how rare a full-text match is) prefers it to the GIN indexes."""
    t = search_text
    if name == "fuzzy_hw" and dialect == "sqlite":
        return literal_column("+search_text.sort_key")
    if name in _TEXT_DRIVEN and dialect == "postgresql":
        return t.c.sort_key.op("||")(literal(""))
    return t.c.sort_key


TIER_OF = {"fuzzy_hw": "fuzzy", "fuzzy_gl": "fuzzy"}


def build(names, dense, dialect: str, count: bool, viewer, dictionary):
    t = search_text
    common = visible_clause(viewer, dictionary)
    parts = []
    for number, name in enumerate(names):
        condition = _condition(name, dialect, dictionary.id, dense=dict(dense).get(name))
        if count:  # no order: each branch stops after TOTAL_CAP rows
            branch = select(t.c.entry_id).where(common, condition).limit(TOTAL_CAP)
            if name in _TEXT_DRIVEN and dialect == "postgresql":
                # Unordered with a limit, PostgreSQL (overestimating rare full-text matches)
                # walks a whole btree index hoping for early hits; this order keeps it on GIN.
                branch = branch.order_by(_order_column(name, dialect))
            parts.append(select(branch.subquery()))
            continue
        tier = TIERS.index(TIER_OF.get(name, name))
        branch = (
            select(
                literal(tier).label("tier"),
                literal(number).label("branch"),
                t.c.entry_id,
                t.c.sort_key,
                t.c.field,
                t.c.lang,
                t.c.text,
            )  # fmt: skip
            .where(common, condition)
            .order_by(_order_column(name, dialect), t.c.entry_id)
            .limit(bindparam("lim"))
        )
        parts.append(select(branch.subquery()))
    union = union_all(*parts).subquery()
    if count:
        return select(union.c.entry_id).distinct().limit(TOTAL_CAP)
    return select(union)


def branch_limit(need: int) -> int:
    # An entry may match a tier with several texts (two glosses "river"): leave some room.
    return need + 10
