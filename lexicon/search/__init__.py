"""Learner search and browse: the index rows kept in step with every write (`index`), the
query and its ranking (`query`, `ranking`), result rows (`results`), the per-dictionary cache
(`cache`) and alphabetical browsing (`browse`)."""

from lexicon.search.index import (
    IndexRows,
    index_rows,
    reindex_dictionary,
    reindex_entries,
    reindex_entry,
    remove_entry,
    write_index,
)
from lexicon.search.plan import Query, parse_query, search_sql, visible_clause
from lexicon.search.query import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    TOTAL_CAP,
    SearchItem,
    SearchPage,
    corrections,
    matching_ids,
    search,
)
from lexicon.search.words import (
    deletions,
    edit_distance,
    gloss_words,
    normalise,
    one_edit_apart,
    stem,
    words,
)

__all__ = [
    "DEFAULT_LIMIT",
    "IndexRows",
    "MAX_LIMIT",
    "TOTAL_CAP",
    "Query",
    "SearchItem",
    "SearchPage",
    "corrections",
    "deletions",
    "edit_distance",
    "gloss_words",
    "index_rows",
    "matching_ids",
    "normalise",
    "one_edit_apart",
    "parse_query",
    "reindex_dictionary",
    "reindex_entries",
    "reindex_entry",
    "remove_entry",
    "search",
    "search_sql",
    "stem",
    "visible_clause",
    "words",
    "write_index",
]
