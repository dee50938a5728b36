"""The Whoosh schema: one document per question thread."""
from whoosh.fields import BOOLEAN, DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from .analysis import KotaeTokenizer

# Fields searched by plain words, and the subsets that operators narrow them to.
TEXT_FIELDS = ("title", "body", "answers", "accepted", "comments")
QUESTION_FIELDS = ("title", "body")
ANSWER_FIELDS = ("answers", "accepted")
PHRASE_FIELDS = ("title", "body", "answers", "accepted")  # fields indexed with positions


def build_schema() -> Schema:
    """Titles weigh most, then the accepted answer, the question, other answers and comments."""
    analyzer = KotaeTokenizer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=3.0, spelling=True),
        body=TEXT(analyzer=analyzer, field_boost=1.2, spelling=True),
        answers=TEXT(analyzer=analyzer),
        accepted=TEXT(analyzer=analyzer, field_boost=1.5),
        comments=TEXT(analyzer=analyzer, phrase=False, field_boost=0.5),
        tags=KEYWORD(stored=True, lowercase=True, scorable=True, field_boost=2.0),
        author_id=ID,
        answerer_ids=KEYWORD,
        author=ID(stored=True),
        score=NUMERIC(int, bits=32, signed=True, stored=True, sortable=True),
        answer_count=NUMERIC(int, bits=32, stored=True, sortable=True),
        has_accepted=BOOLEAN(stored=True),
        closed=BOOLEAN(stored=True),
        created=DATETIME(stored=True, sortable=True),
        activity=DATETIME(sortable=True),
        fingerprint=STORED,
    )


SCHEMA_FIELDS = frozenset(build_schema().names())
