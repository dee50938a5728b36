"""Text analysis for the index, for queries and for highlighting: one tokenizer, Japanese and English.

1. NFKC (full-width letters and digits, half-width kana, ideographic spaces) keeping a map from every
   normalised character back to the original text, so highlights land on the characters the user typed.
2. Runs of kana and kanji go to Sudachi (`SplitMode.A`, `normalized_form()`): `起動しません` becomes `起動`,
   `サーバ` becomes `サーバー`. Only content words are kept (nouns, verbs, adjectives, prefixes...), minus
   light verbs such as する/いる/なる/できる, so `ログインできない` and `ログインができません` index the same terms.
   Analysed runs and Latin words are cached: support text repeats the same short phrases.
3. Latin words are lower-cased; plain words lose stop words and are Porter-stemmed (`passwords` -> `password`).
   Code identifiers are kept whole (`keyerror`, `os.path.join`, `c#`, `c++`, `.net`) and, when indexing, also
   split at dots, underscores, case changes and letter/digit boundaries (`key`, `error`), at the same position.
4. For the whole-thread field only (`KotaeTokenizer(grams=True)`), each kana/kanji run's character bigrams too.

Whoosh pickles the schema, and with it this tokenizer, into the index: the class must stay importable from
`forum.search.analysis` and holds no Sudachi object (each process and thread makes its own, lazily). So it stays
here, not in `whoosh/`, although it is a Whoosh `Tokenizer`: every index on disk names it by this path.
"""
from __future__ import annotations

import os
import re
import threading
from collections import OrderedDict

from sudachipy import Dictionary, SplitMode
from whoosh.analysis import STOP_WORDS, Token, Tokenizer
from whoosh.lang.porter import stem

from .characters import normalize

__all__ = ["KotaeTokenizer", "terms", "grams", "gram_count", "normalize", "reads_as_sentence", "QUERY_STOP",
           "TITLE_MARK", "TITLE_BOOST", "GRAM_MARK"]

# In a field value, the words before TITLE_MARK weigh TITLE_BOOST times as much (the `question` field holds the
# title and the body, so a word costs one posting list, not two, at query time).
TITLE_MARK = "\x1e"
TITLE_BOOST = 3.0
# Section marks for a field that holds a whole thread (`text`): the words after a mark weigh its weight, until the
# next mark. Weights add up per word before BM25 saturates them, so a thread is scored as one document whose title
# counts most (BM25F), not as the sum of separately saturated fields, which favoured long threads with many answers.
# Tuned on the tuning part of bench/search_quality.py: a title word weighs 4 (keyword searches drawn from titles
# found their thread less often at 2 than before this field; sentences gain slightly from 2 to 5), comments half.
SECTION_WEIGHTS = {"\x1c": 4.0, "\x1d": 1.5, "\x1b": 1.5, "\x1f": 1.0, "\x1a": 0.5}
TITLE, QUESTION, CHOSEN_ANSWER, ANSWER, COMMENT = SECTION_WEIGHTS  # title, body, accepted or official, others
_SECTIONS = re.compile("[" + "".join(SECTION_WEIGHTS) + "]")

# Hiragana, katakana (with ー), CJK ideographs and extensions, 々〆〇, katakana phonetic extensions.
_CJK = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005-\u3007"
_W = rf"[^\W{_CJK}]"  # a word character that is not Japanese
_TOKENS = re.compile(
    rf"(?P<cjk>[{_CJK}]+)"
    rf"|(?P<word>(?:(?<![\w.])\.(?={_W}))?{_W}+(?:(?:[.\-/]|::){_W}+)*(?:\+\+|#(?![\w#]))?)"
)
# Parts of an identifier: camelCase humps, ALLCAPS runs, numbers (3.11 stays whole), other letters.
_PARTS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+(?:\.\d+)*|[^\W\d_A-Za-z]+")
_PLAIN = re.compile(r"[^\W\d_]+")  # letters only

STOP = frozenset(STOP_WORDS) | frozenset(
    "am was were been being do does did doing has had having i me my mine our ours he him his she her hers they "
    "them their theirs its it's i'm what which who whom whose how why where there here than then so but too very "
    "just also into about over under again once only own same such no nor other some any each both few more most "
    "these those would should could shall might must".split())
# Sudachi part-of-speech heads that carry meaning; particles, auxiliaries, symbols and pronouns are dropped.
_KEEP_POS = frozenset({"名詞", "動詞", "形容詞", "形状詞", "接頭辞", "接尾辞"})
# Normalised forms too common or too light to search for: する, いる, ある, なる, こと, もの, ため, ください,
# いただく, 思う, いい, ございます, ない... and できる. "Can" is in nearly every support question (ログインできない,
# 保存できません): keeping it made the commonest Japanese query shape intersect two of the longest posting lists
# (3x the latency) while ranking by the content word alone finds the same threads.
_JA_STOP = frozenset({"為る", "居る", "有る", "在る", "成る", "出来る", "事", "物", "為", "様", "所", "仕舞う",
                      "呉れる", "貰う", "下さる", "頂く", "戴く", "思う", "良い", "御", "御座る", "致す", "申す",
                      "無い", "さん", "等", "的", "達"})
# Words that only say "this is a question" when a question is typed as a sentence (方法を教えてください, "is there a
# way", "does anyone know"): left out of sentence queries, since every thread could answer them. Not stop words for
# indexing, where they still carry meaning (an answer that names the 方法).
QUERY_STOP = frozenset({"方法", "教える", "知る", "分かる", "解る", "判る", "場合", "何", "質問", "やり方", "仕方", "可能",
                        "いつ", "どこ", "誰", "どれ", "わかる", "おしえる", "よい", "いい",
                        # the content-word halves of compound particles and forms (という, における, について, に関する,
                        # に対する, による, のような, ことができる, それぞれ), and 使う (どの関数を使えばいいですか: every answer uses)
                        "言う", "おく", "関する", "対する", "よる", "よう", "こと", "其々", "つく", "使う",
                        "way", "possibl", "know", "want", "pleas", "anyone", "someon", "somebodi", "thank", "question",
                        "wonder", "idea", "try", "help", "anybodi", "need", "someth"})
# Sudachi parts of speech that show a typed query is a sentence rather than keywords: particles and auxiliaries.
_FUNCTION_POS = frozenset({"助詞", "助動詞"})
# Character bigrams of kana/kanji runs (`~同期`, `~期が`), beside the words, in the whole-thread field only: a
# second, weaker signal for when Sudachi splits a question's words differently from the thread's (compounds,
# kana spellings, names). The mark keeps them apart from word terms, which never start with it.
GRAM_MARK = "~"
_MAX_SUDACHI_CHARS = 8000  # Sudachi refuses inputs over 49,149 bytes (3 bytes a character here)


class _Local(threading.local):
    tokenizer = None
    keep = None
    pos_heads = None
    pid = None


_local = _Local()
_dictionary_lock = threading.Lock()
_dictionary = None
_dictionary_pid = None


def _sudachi():
    """This thread's Sudachi tokenizer and the ids of the parts of speech to keep (made on first use)."""
    global _dictionary, _dictionary_pid
    if _local.tokenizer is None or _local.pid != os.getpid():
        with _dictionary_lock:
            if _dictionary is None or _dictionary_pid != os.getpid():
                _dictionary, _dictionary_pid = Dictionary(), os.getpid()
            dictionary = _dictionary
        _local.tokenizer = dictionary.tokenizer(mode=SplitMode.A, fields={"pos", "normalized_form"})
        _local.keep = _keep_pos_ids(dictionary)
        _local.pos_heads = _pos_heads(dictionary)
        _local.pid = os.getpid()
    return _local.tokenizer, _local.keep


def _keep_pos_ids(dictionary) -> frozenset:
    keep, pos_id = set(), 0
    while (pos := dictionary.pos_of(pos_id)) is not None:
        if pos[0] in _KEEP_POS:
            keep.add(pos_id)
        pos_id += 1
    return frozenset(keep)


def _pos_heads(dictionary) -> tuple:
    heads, pos_id = [], 0
    while (pos := dictionary.pos_of(pos_id)) is not None:
        heads.append(pos[0])
        pos_id += 1
    return tuple(heads)


class _RunCache:
    """Analysed kana/kanji runs. Short runs (です, ありがとうございます, ログインできません) repeat a lot."""

    def __init__(self, size: int):
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, run: str):
        with self.lock:
            found = self.items.get(run)
            if found is not None:
                self.items.move_to_end(run)
            return found

    def put(self, run: str, value) -> None:
        with self.lock:
            self.items[run] = value
            if len(self.items) > self.size:
                self.items.popitem(last=False)


RUN_CACHE = _RunCache(size=20_000)


def _japanese_terms(run: str) -> tuple:
    """(term, start, end) for the content words of a kana/kanji run; offsets are within the run."""
    cached = RUN_CACHE.get(run)
    if cached is not None:
        return cached
    tokenizer, keep = _sudachi()
    found = []
    for offset in range(0, len(run), _MAX_SUDACHI_CHARS):
        for morpheme in tokenizer.tokenize(run[offset:offset + _MAX_SUDACHI_CHARS]):
            if morpheme.part_of_speech_id() in keep:
                form = morpheme.normalized_form()
                if form not in _JA_STOP and not _is_lone_kana(form):
                    found.append((form, offset + morpheme.begin(), offset + morpheme.end()))
    result = tuple(found)
    if len(run) <= 64:
        RUN_CACHE.put(run, result)
    return result


def _is_lone_kana(form: str) -> bool:
    """One hiragana letter on its own: a particle between Latin words (「Python や Ruby」, 「'h' や 'l'」), which
    Sudachi, seeing it alone in its run, may read as a content word (や as 形状詞)."""
    return len(form) == 1 and "\u3041" <= form <= "\u309f"


def _run_grams(run: str) -> list[tuple[str, int, int]]:
    """(gram, start, end) for a kana/kanji run: its character bigrams, or the character itself when alone (not a
    lone hiragana letter: a particle between Latin words)."""
    if len(run) == 1:
        return [] if _is_lone_kana(run) else [(GRAM_MARK + run, 0, 1)]
    return [(GRAM_MARK + run[n:n + 2], n, n + 2) for n in range(len(run) - 1)]


def grams(text: str) -> list[str]:
    """The distinct character bigrams of a text's kana/kanji runs, as the whole-thread field indexes them."""
    text = normalize(text or "")[0]
    found = [gram for match in _TOKENS.finditer(text) if match.lastgroup == "cjk"
             for gram, _a, _b in _run_grams(match.group())]
    return list(dict.fromkeys(found))


def gram_count(text: str) -> int:
    """How many bigram tokens the whole-thread field indexes for a text (repeats counted, as in its length):
    what a keyword search leaves out of a thread's length (see whoosh/lengths.py)."""
    text = normalize(text or "")[0]
    return sum(len(_run_grams(match.group())) for match in _TOKENS.finditer(text) if match.lastgroup == "cjk")


_stems: dict[str, str] = {}
# Terms of a Latin word, per (split identifiers, stem) mode: English vocabulary is small and repetitive.
_WORD_CACHES: dict[tuple[bool, bool], dict[str, tuple]] = {(a, b): {} for a in (True, False) for b in (True, False)}
_WORD_CACHE_SIZE = 300_000


def _stem(word: str) -> str:
    found = _stems.get(word)
    if found is None:
        found = stem(word)
        if len(_stems) < _WORD_CACHE_SIZE:
            _stems[word] = found
    return found


def _plain_term(lower: str, morph: bool) -> str | None:
    """A plain word's term: None for stop words and single letters."""
    if lower in STOP or (len(lower) < 2 and not lower.isdigit()):
        return None
    return _stem(lower) if morph and lower.isascii() else lower


def _word_terms(word: str, split: bool, morph: bool) -> list[str]:
    """Terms for one Latin word: plain words are stemmed; identifiers kept whole and (when indexing) split."""
    lower = word.lower()
    if _PLAIN.fullmatch(word) and (word.islower() or word.isupper() or word.istitle()):
        term = _plain_term(lower, morph)
        return [term] if term else []
    if word.isdigit():
        return [word]
    whole = lower.strip("-/")
    found = [whole] if whole else []
    if split:
        for part in _PARTS.findall(word):
            term = _plain_term(part.lower(), morph)
            if term and term not in found:
                found.append(term)
    return found


class KotaeTokenizer(Tokenizer):
    """The whole analysis chain in one Whoosh tokenizer (faster than a chain of filters)."""

    is_morph = True
    grams = False  # also index the character bigrams of kana/kanji runs (GRAM_MARK); indexes pickled before lack it

    def __init__(self, grams: bool = False):
        self.grams = grams

    def __eq__(self, other):
        return other.__class__ is self.__class__ and other.grams == self.grams

    def __hash__(self):
        return hash((self.__class__.__name__, self.grams))

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", no_morph=False, **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost, token.stopped = 1.0, False
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        text, starts, ends = normalize(value or "")
        split, morph = mode != "query", not no_morph
        cache = _WORD_CACHES[split, morph]
        token.boost, token.stopped = 1.0, False
        boosted_until = text.find(TITLE_MARK)
        sections = [(m.start(), SECTION_WEIGHTS[m.group()]) for m in _SECTIONS.finditer(text)]
        pos = start_pos - 1
        for match in _TOKENS.finditer(text):
            if boosted_until >= 0:
                token.boost = TITLE_BOOST if match.start() < boosted_until else 1.0
            while sections and sections[0][0] < match.start():
                token.boost = sections.pop(0)[1]
            if match.lastgroup == "word":
                word = match.group()
                found = cache.get(word)
                if found is None:
                    found = tuple(_word_terms(word, split, morph))
                    if len(cache) < _WORD_CACHE_SIZE:
                        cache[word] = found
                if not found:
                    continue
                pos += 1  # identifier parts share the whole word's position
                if chars:
                    start, stop = match.span()
                    if starts is not None:
                        start, stop = starts[start], ends[stop - 1]
                for term in found:
                    token.text = term
                    if positions:
                        token.pos = pos
                    if chars:
                        token.startchar, token.endchar = start + start_char, stop + start_char
                    if keeporiginal:
                        token.original = term
                    yield token
            elif not no_morph:  # spelling suggestions are for Latin words only
                run, begin = match.group(), match.start()
                found = _japanese_terms(run)
                pieces = [(term, a, b, pos + n if positions else None) for n, (term, a, b) in enumerate(found, 1)]
                pos += len(found)
                if self.grams and mode != "query":  # at the last word's position: the field keeps none
                    at = max(pos, start_pos) if positions else None
                    pieces += [(gram, a, b, at) for gram, a, b in _run_grams(run)]
                yield from _run_tokens(token, pieces, begin, starts, ends, start_char, chars, keeporiginal)


def _run_tokens(token, pieces, begin: int, starts, ends, start_char: int, chars: bool, keeporiginal: bool):
    """The token for each (term, start, end, position) of a kana/kanji run found at `begin` in the normalised text
    (position None: not asked for), its offsets mapped back to the original text."""
    for term, a, b, pos in pieces:
        token.text = term
        if pos is not None:
            token.pos = pos
        if chars:
            a, b = begin + a, begin + b
            if starts is not None:
                a, b = starts[a], ends[b - 1]
            token.startchar, token.endchar = a + start_char, b + start_char
        if keeporiginal:
            token.original = term
        yield token


_ANALYZER = KotaeTokenizer()


def reads_as_sentence(text: str) -> bool:
    """Whether a query is written as a sentence: it has particles or auxiliaries (のは, ですか, が), or English
    function words ("how do I", "the"), which nobody types among keywords."""
    text = normalize(text or "")[0]
    for match in _TOKENS.finditer(text):
        if match.lastgroup == "word":
            if match.group().lower() in STOP:
                return True
        elif _has_function_words(match.group()):
            return True
    return False


def _has_function_words(run: str) -> bool:
    tokenizer, _keep = _sudachi()
    dictionary_pos = _local.pos_heads
    return any(dictionary_pos[m.part_of_speech_id()] in _FUNCTION_POS for m in tokenizer.tokenize(run[:2000]))


def terms(text: str, mode: str = "query") -> list[str]:
    """The terms a text analyses to (query mode: identifiers whole, not split)."""
    return [token.text for token in _ANALYZER(text, mode=mode)]
