"""Learner search: one box for both directions, over the index of lexicon.search.index.

The ranking rules (which tiers, in which order, when typos fill in) live in
lexicon.search.ranking; this module builds and runs the queries (`search_sql`, `search`) in
rounds, cheap index lookups first. Folding ignores case and diacritics and unifies the
dictionary's confusables; "exact letters" (for keepers) turns folding and typo tolerance off.
"""

from __future__ import annotations

from collections import namedtuple
from types import SimpleNamespace

from pydantic import BaseModel
from sqlalchemy import (
    bindparam,
    select,
)

from lexicon.accounts import access
from lexicon.db.prepared import Prepared, fetch
from lexicon.entries.read import decode_cursor, encode_cursor
from lexicon.errors import InvalidInput
from lexicon.models import Dictionary
from lexicon.search.index import alphabet_of, search_vocab
from lexicon.search.plan import (
    EXAMPLE_ROUND,
    PHASES,
    TIER_OF,
    TOTAL_CAP,
    TYPO_ROUND,
    Query,
    branch_limit,
    parse_query,
    plan_branches,
    prepared_search,
)
from lexicon.search.ranking import (
    EXAMPLES,
    TIERS,
    Evidence,
    examples_fill_in,
    ranked_hits,
    ranking,
    typo_fallback,
)
from lexicon.search.results import items
from lexicon.search.words import deletions, edit_distance, one_edit_apart

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class SearchItem(BaseModel):
    """One result: enough to list it, and why it matched."""

    id: str
    headword: dict
    headword_text: str
    homograph: int = 0
    part_of_speech: str | None = None
    letter: str | None = None
    glosses: dict
    has_audio: bool = False
    match: dict | None = None


class SearchPage(BaseModel):
    items: list[SearchItem]
    total: int
    next: str | None = None


# -- queries ---------------------------------------------------------------------------------------


_Hit = namedtuple("_Hit", "tier branch entry_id sort_key field lang text")


_VOCAB_BY_KEYS = Prepared(
    select(search_vocab.c.word)
    .where(
        search_vocab.c.dictionary_id == bindparam("dictionary_id"),
        search_vocab.c.key.in_(bindparam("keys", expanding=True)),
    )
    .distinct()
)


def corrections(*, session, dictionary: Dictionary, query: Query) -> list[str]:
    """Words of the dictionary (headwords, glosses) within a typo or two of the query word."""
    target = query.fuzzy_target
    if target is None:
        return []
    params = {"dictionary_id": dictionary.id, "keys": sorted(deletions(target))}
    found = [row[0] for row in fetch(session, _VOCAB_BY_KEYS, params)]
    if len(target) < 7:  # one typo allowed
        return sorted(w for w in found if one_edit_apart(target, w))[:20]
    close = sorted(
        (d, w)
        for w in found
        if w != target and abs(len(w) - len(target)) <= 2 and (d := edit_distance(target, w)) <= 2
    )
    return [w for _, w in close[:20]]


def _leave_out(plan: tuple, hits: dict, tiers: frozenset) -> tuple:
    """The plan without the branches of `tiers`, and `hits` without their rows."""
    if not tiers:
        return plan
    for entry_id in list(hits):
        hits[entry_id] = [r for r in hits[entry_id] if TIERS[r.tier] not in tiers]
        if not hits[entry_id]:
            del hits[entry_id]
    return tuple(n for n in plan[0] if TIER_OF.get(n, n) not in tiers), plan[1]


def search(
    *, session, dictionary: Dictionary, viewer, q: str, limit: int = DEFAULT_LIMIT,
    cursor: str | None = None, exact: bool = False,
) -> dict:  # fmt: skip
    """Search headwords and glosses at once: {"items", "total", "next"}, best match first."""
    access.require_dictionary(viewer, dictionary)
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = decode_cursor(cursor, 1)[0] if cursor else 0
    if not isinstance(offset, int) or offset < 0:
        raise InvalidInput("cursor: not a cursor this server gave out")
    query = parse_query(q, alphabet=alphabet_of(dictionary), exact=exact)
    dialect = session.get_bind().dialect.name
    need = offset + limit + 1
    found = _gather(session, dictionary, viewer, query, dialect, need)
    ranked = ranked_hits(found.hits, found.order)
    total = len(ranked)
    if found.partial:
        plan = found.plan
        if not examples_fill_in(found.evidence):  # a page filled before the example round
            plan = _leave_out(plan, found.hits, EXAMPLES)
        total = _count(session, dictionary, viewer, query, dialect, need, plan, set(found.hits),
                       found.complete)  # fmt: skip
    page = ranked[offset : offset + limit]
    following = encode_cursor(offset + limit) if len(ranked) > offset + limit else None
    return {
        "items": items(session, dictionary, viewer, page, TIERS),
        "total": total,
        "next": following,
    }


def _gather(session, dictionary, viewer, query, dialect: str, need: int) -> SimpleNamespace:
    """Run the search's rounds (PHASES) until `need` entries are settled: the matching rows
    per entry, the tier order, what is left of the plan, and whether every match was fetched."""
    plan = plan_branches(query, dialect, [])
    hits: dict[str, list] = {}  # entry id -> its matching rows
    evidence = Evidence()
    order = TIERS
    partial = False  # True when some matches were not fetched (a full branch, a skipped round)
    complete = set()  # rounds whose every match is in `hits`: counting them again adds nothing
    for phase in range(len(PHASES)):
        if phase == EXAMPLE_ROUND and not examples_fill_in(evidence):
            plan = _leave_out(plan, hits, EXAMPLES)
        if _settled(hits, order, plan[0], phase) >= need:
            partial = True
            break
        if phase == TYPO_ROUND:  # the fallback: only now is it known whether it applies
            fuzzy = (corrections(session=session, dictionary=dictionary, query=query)
                     if typo_fallback(evidence) else [])  # fmt: skip
            if not fuzzy:
                break
            plan = plan_branches(query, dialect, fuzzy)
        cached, params = prepared_search(
            dictionary=dictionary, viewer=viewer, query=query, dialect=dialect, need=need,
            phase=phase, plan=plan,
        )  # fmt: skip
        if cached is None:
            continue
        per_branch: dict[int, int] = {}
        for row in map(_Hit._make, fetch(session, cached, params)):
            per_branch[row.branch] = per_branch.get(row.branch, 0) + 1
            evidence.add(TIERS[row.tier], row.entry_id)
            hits.setdefault(row.entry_id, []).append(row)
        if any(n >= branch_limit(need) for n in per_branch.values()):
            partial = True
        else:
            complete.add(phase)
        if phase == 0:
            order, left_out = ranking(evidence, query.folded)
            plan = _leave_out(plan, hits, left_out)
    return SimpleNamespace(hits=hits, order=order, plan=plan, evidence=evidence,
                           partial=partial, complete=complete)  # fmt: skip


def _settled(hits: dict[str, list], order: tuple[str, ...], names: tuple, phase: int) -> int:
    """How many entries found so far rank above every match the rounds from `phase` on could
    add: once they fill the page, those rounds are skipped."""
    position = {tier: i for i, tier in enumerate(order)}
    later = [position[TIER_OF.get(n, n)] for n in names
             if any(n in PHASES[p] for p in range(phase, len(PHASES)))]  # fmt: skip
    floor = min(later, default=len(order))
    return sum(1 for rows in hits.values() if min(position[TIERS[r.tier]] for r in rows) < floor)


def _count(session, dictionary, viewer, query, dialect, need, plan, seen: set,
           complete: set = frozenset()) -> int:  # fmt: skip
    """Matching entries up to TOTAL_CAP, round by round from the cheap index lookups: a common
    word reaches the cap among exact glosses without counting thousands of full-text matches.
    `seen` holds the entries already found; the rounds in `complete` found all of theirs."""
    for phase in range(len(PHASES)):
        if len(seen) >= TOTAL_CAP:
            break
        if phase in complete:
            continue
        counted, params = prepared_search(
            dictionary=dictionary, viewer=viewer, query=query, dialect=dialect, need=need,
            count=True, phase=phase, plan=plan,
        )  # fmt: skip
        if counted is not None:
            seen.update(row[0] for row in fetch(session, counted, params))
    return min(len(seen), TOTAL_CAP)


MATCH_CAP = 100_000  # `matching_ids`: at most this many rows per branch


def matching_ids(
    *, session, dictionary: Dictionary, viewer, q: str, exact: bool = False
) -> set[str]:
    """Every entry the search finds for `q`, unranked (printing a search's results): the same
    tiers, and near-misses when the search's own typo fallback would show them."""
    access.require_dictionary(viewer, dictionary)
    query = parse_query(q, alphabet=alphabet_of(dictionary), exact=exact)
    dialect = session.get_bind().dialect.name
    hits: dict[str, list] = {}
    evidence = Evidence()
    plan = plan_branches(query, dialect, [])
    for phase in range(TYPO_ROUND):
        if phase == EXAMPLE_ROUND and not examples_fill_in(evidence):
            plan = _leave_out(plan, hits, EXAMPLES)
        cached, params = prepared_search(dictionary=dictionary, viewer=viewer, query=query,
                                   dialect=dialect, need=MATCH_CAP, phase=phase, plan=plan)  # fmt: skip
        for row in fetch(session, cached, params) if cached is not None else ():
            hit = _Hit._make(row)
            hits.setdefault(hit.entry_id, []).append(hit)
            evidence.add(TIERS[hit.tier], hit.entry_id)
        if phase == 0:
            plan = _leave_out(plan, hits, ranking(evidence, query.folded)[1])
    found = set(hits)
    fuzzy = (corrections(session=session, dictionary=dictionary, query=query)
             if typo_fallback(evidence) else [])  # fmt: skip
    if fuzzy:
        cached, params = prepared_search(
            dictionary=dictionary, viewer=viewer, query=query, dialect=dialect, need=MATCH_CAP,
            phase=TYPO_ROUND, plan=plan_branches(query, dialect, fuzzy),
        )  # fmt: skip
        found.update(row[2] for row in fetch(session, cached, params))
    return found
