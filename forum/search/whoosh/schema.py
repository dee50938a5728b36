"""The Whoosh schema: one document per question thread."""
from whoosh.columns import NumericColumn
from whoosh.fields import BOOLEAN, COLUMN, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from ..analysis import KotaeTokenizer, gram_count

# Fields searched by plain words, and the subsets that operators narrow them to. The default search reads one
# field, `text`: the whole thread, its sections weighted inside the field (title, question, accepted or official
# answer, other answers, comments; see analysis.SECTION_WEIGHTS), so each word costs one posting list and BM25
# saturates a word's weight over the whole thread once. `question` (title + body) and `answers` (answers and
# comments) serve `is:question`, `is:answer` and phrases.
TEXT_FIELDS = ("text",)
QUESTION_FIELDS = ("question",)
ANSWER_FIELDS = ("answers",)
PHRASE_FIELDS = ("title", "question")  # fields indexed with positions
PHRASE_DEFAULT_FIELDS = ("question", "answers")  # where a "phrase" is looked for when no operator narrows it


def build_schema() -> Schema:
    """One document per thread; `question` = title + TITLE_MARK + body, so title words weigh more.

    `title` repeats the title for `title:` and "did you mean" (`spelling`: unstemmed title words; doing it for
    bodies too costs a second analysis pass and a third more postings). `accepted` repeats the accepted
    answer for `isaccepted:`. Neither is searched by default.
    """
    analyzer = KotaeTokenizer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=analyzer, stored=True, spelling=True),
        text=TEXT(analyzer=KotaeTokenizer(grams=True), phrase=False),  # words and Japanese bigrams
        grams=COLUMN(NumericColumn("I")),  # how many of `text`'s tokens are bigrams (see lengths.py)
        question=TEXT(analyzer=analyzer, field_boost=1.5),
        # No positions for answers: phrases match titles and questions; frequencies are enough to rank answers,
        # and positions would be the largest part of the index and of the indexing time.
        answers=TEXT(analyzer=analyzer, phrase=False),
        accepted=TEXT(analyzer=analyzer, phrase=False),
        tags=KEYWORD(stored=True, lowercase=True, scorable=True, field_boost=2.0),
        author_id=ID,
        answerer_ids=KEYWORD,
        author=ID(stored=True),
        # Few trie terms per number (shift_step): every indexed term costs a posting per document.
        score=NUMERIC(int, bits=32, signed=True, stored=True, sortable=True, shift_step=8),
        answer_count=NUMERIC(int, bits=32, stored=True, sortable=True, shift_step=8),
        has_accepted=BOOLEAN(stored=True),
        has_official=BOOLEAN(stored=True),  # an answer verified by staff ("Official answer" in results)
        closed=BOOLEAN(stored=True),
        lang=ID(stored=True),  # "ja" or "en": `lang:` and the result page's language filter
        # Dates only sort (newest, active): a column of epoch seconds, no postings at all.
        created=COLUMN(NumericColumn("q")),
        activity=COLUMN(NumericColumn("q")),
        fingerprint=STORED,
    )


def with_gram_count(schema: Schema, document: dict) -> dict:
    """A thread document with its `grams` count, when the index has that column (indexes built before lack it:
    their keyword searches count bigrams in the length, as they did)."""
    if "grams" in schema and "text" in document:
        return {**document, "grams": gram_count(document["text"])}
    return document


def signature(schema: Schema) -> tuple:
    """What identifies the schema's shape (Whoosh field objects do not compare equal across unpickling)."""
    def simple(obj) -> tuple:
        return tuple(sorted((k, v) for k, v in getattr(obj, "__dict__", {}).items()
                            if isinstance(v, (bool, int, float, str))))

    return tuple((name, type(field).__name__, simple(field),
                  type(getattr(field, "format", None)).__name__, simple(getattr(field, "format", None) or object()),
                  type(getattr(field, "analyzer", None)).__name__, simple(getattr(field, "analyzer", None)),
                  type(getattr(field, "column_type", None)).__name__)
                 for name, field in sorted(schema.items()))


SCHEMA_SIGNATURE = signature(build_schema())


# -- the official FAQ: its own small index (indexname "FAQ") in the same directory -------------------------------

FAQ_FIELDS = ("question", "answer")  # plain words; `question` is title + TITLE_MARK + question, like threads
FAQ_PHRASE_FIELDS = ("title", "question", "answer")


def build_faq_schema() -> Schema:
    """One document per PUBLISHED FAQ entry. A few hundred documents at most, so every field keeps positions."""
    analyzer = KotaeTokenizer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=analyzer, stored=True),
        text=TEXT(analyzer=analyzer, phrase=False),
        question=TEXT(analyzer=analyzer, field_boost=1.5),
        answer=TEXT(analyzer=analyzer),
        category_id=ID(stored=True),
        lang=ID(stored=True),
        fingerprint=STORED,
    )


FAQ_SCHEMA_SIGNATURE = signature(build_faq_schema())
