"""The PostgreSQL backend's tables (created by migration 5e4c0a9d7b21, on PostgreSQL only).

They are not forum models: SQLite has no tsvector, so they live in a MetaData of their own, which Alembic's
comparison leaves out (migrations/env.py), and only this package reads or writes them.

- `search_documents`: one row per document, threads and FAQ entries side by side (`kind`), with the stored
  fields the result pages and operators need and one tsvector per searchable field (see vectors.py).
- `search_terms`: how many documents of a kind contain each term, per field: the IDF of BM25, a sentence's
  rarest words, and (field "spell") the title words "did you mean" picks from, by pg_trgm similarity.
- `search_postings`: one row per thread and term of its whole-thread text, with the term's weighted frequency
  and the text's lengths (with its bigrams, and without them for keywords: migration 5f6a7b8c9d0e): all BM25
  needs to rank a plain search (ranking.py `run_postings`) from one index-only scan of the query's terms,
  without reading a single tsvector (migration c1d2e3f4a5b6). A rebuild
  leaves out the bigrams too common to score a sentence by (`search_terms.posted`, migration 4e5f6a7b8c9d):
  a third of the rows at 100,000 threads, and no search reads them.
- `search_statistics`: per kind, the document count and each field's total length (BM25's average field
  length), and the layout the vectors were built with.
"""
from sqlalchemy import ARRAY, REAL, BigInteger, Boolean, Column, Float, Integer, MetaData, String, Table, Text
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import TSVECTOR

metadata = MetaData()

# Bump when the analysis or the vectors' encoding changes: `search check` then asks for a rebuild.
LAYOUT = 3  # 2: Japanese bigrams in threads' text_vector and postings; 3: words_length (keywords' lengths)

documents = Table(
    "search_documents", metadata,
    Column("kind", String(8), primary_key=True),
    Column("id", Integer, primary_key=True),
    Column("fingerprint", String(32)),
    Column("title", Text, nullable=False, server_default=""),
    Column("tags", ARRAY(Text), nullable=False, server_default="{}"),
    Column("author_id", Integer),
    Column("answerer_ids", ARRAY(Integer), nullable=False, server_default="{}"),
    Column("score", Integer, nullable=False, server_default="0"),
    Column("answer_count", Integer, nullable=False, server_default="0"),
    Column("has_accepted", Boolean, nullable=False, server_default="false"),
    Column("has_official", Boolean, nullable=False, server_default="false"),
    Column("closed", Boolean, nullable=False, server_default="false"),
    Column("created", BigInteger, nullable=False, server_default="0"),
    Column("activity", BigInteger, nullable=False, server_default="0"),
    Column("category_id", Integer),
    Column("language", String(2)),  # "ja" or "en" (migration 2c3d4e5f6a7b)
    Column("text_vector", TSVECTOR, nullable=False),
    Column("question_vector", TSVECTOR, nullable=False),
    Column("answers_vector", TSVECTOR, nullable=False),
    Column("accepted_vector", TSVECTOR, nullable=False),
    Column("text_length", Float, nullable=False, server_default="0"),
    Column("question_length", Float, nullable=False, server_default="0"),
    Column("title_length", Float, nullable=False, server_default="0"),
    Column("answers_length", Float, nullable=False, server_default="0"),
    Column("accepted_length", Float, nullable=False, server_default="0"),
    # `text_length` less the bigrams: the length keyword searches score by (see whoosh/lengths.py; migration
    # 5f6a7b8c9d0e)
    Column("words_length", Float, nullable=False, server_default="0"),
    # A digest of the thread's postings (terms, weighted frequencies, lengths, language): a write that leaves it
    # the same (a vote, a tag change) rewrites no posting and renews no term's version (migration 6a7b8c9d0e1f)
    Column("postings_hash", String(32)),
)

terms = Table(
    "search_terms", metadata,
    Column("kind", String(8), primary_key=True),
    Column("field", String(8), primary_key=True),
    Column("term", Text, primary_key=True),
    Column("documents", Integer, nullable=False),
    # Threads' `text` terms: the most one thread's frequency of the term can add to its BM25 score, as the share
    # of the term's weight (tf / (tf + K1 * (1 - B + B * length / average))), with the average text length it
    # was reckoned at (0: not reckoned, no bound). A larger average later can only raise it, in proportion
    # (ranking.py scales it up); deletions never lower it. Rebuilds reckon it afresh.
    Column("best", REAL, nullable=False, server_default="0"),
    Column("average", REAL, nullable=False, server_default="0"),
    # False: the term has no postings, nor any document frequency for the searches (scoring.load): a bigram in
    # too many threads at the last rebuild (query.common_grams_floor). Later writes add none for it either, so it
    # stays out of every search, whole, until a rebuild reckons again.
    Column("posted", Boolean, nullable=False, server_default="true"),
    # Renewed by every write that changes the term's count or postings, and new with every row a rebuild makes:
    # decoded postings kept in an app server's memory are used while their version is current (arrays.py;
    # migration 6a7b8c9d0e1f). Random, not from a sequence: databases copied from one another (a template, a
    # restored backup) go on with versions of their own.
    Column("version", BigInteger, nullable=False, server_default=sql("CAST(random() * 9.0e18 AS bigint)")),
)

postings = Table(  # threads only; primary key (term, id) INCLUDE (frequency, length, words_length, language)
    "search_postings", metadata,
    Column("term", Text, primary_key=True),
    Column("id", Integer, primary_key=True),
    Column("frequency", REAL, nullable=False),  # = 4 * ts_rank_cd(TEXT_WEIGHTS, text_vector, term, 0)
    Column("length", REAL, nullable=False),  # = the document's text_length
    Column("words_length", REAL, nullable=False),  # = the document's words_length
    Column("language", String(2)),  # = the document's language, so a language filter needs no other table
)

statistics = Table(
    "search_statistics", metadata,
    Column("kind", String(8), primary_key=True),
    Column("layout", Integer, nullable=False),
    Column("documents", Integer, nullable=False, server_default="0"),
    Column("text_length", Float, nullable=False, server_default="0"),
    Column("question_length", Float, nullable=False, server_default="0"),
    Column("title_length", Float, nullable=False, server_default="0"),
    Column("answers_length", Float, nullable=False, server_default="0"),
    Column("accepted_length", Float, nullable=False, server_default="0"),
    Column("words_length", Float, nullable=False, server_default="0"),
)

TABLE_NAMES = frozenset(metadata.tables)
