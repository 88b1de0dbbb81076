"""Featurise: turn the non-blank lines of a batch of documents into what the classifier reads.

Two kinds of features:

* **text**: the line's words and symbols, lower-cased with digits masked (``13:24`` and
  ``09:10`` are the same timestamp to the model), as unigrams and bigrams (with line-start and
  line-end markers) hashed into a sparse vector. A linear model over it gives each line a
  *text score*. Only the first :data:`TEXT_CHARS` characters are read: what makes a line cruft
  ("Share", "Read more", "© 2024") is at its start, and long prose is told apart by its shape.
* **shape and context** (dense): length, words, terminal punctuation, capitalisation, digit,
  symbol and separator shares, stop-word share in the document's language, bullets, links,
  repeats of the line within its document, blank lines around it, position in the document,
  where the prose of the document starts and ends, how many of its topic words the document's
  paragraphs use (a title names what they are about; a menu item does not), the same figures
  of the neighbouring lines, and in how many other documents of the run the line occurs
  (:mod:`cleaner.crossdoc`; 0 when a document is cleaned alone). There is deliberately no
  feature of the document's size or overall prose share: with one, the model learned "short
  clean documents keep every line" and kept the cruft of short articles.

Every figure is of the line *as read* (:func:`as_read`): a Markdown link counts as its words, any
list marker as ``*``, heading and bold marks not at all, so one page reads alike whichever
HTML-to-text tool rendered it (our corpus mostly follows inscriptis, and only menus were written
with link markup, a cue that does not hold on real Markdown pages). A paragraph wrapped at a
fixed width reaches here as one line (:mod:`cleaner.unwrap`).

Words are runs of letters and digits (combining marks included, as Devanagari writes its
vowels), except in scripts written without spaces between words (Chinese, Japanese): there each
character is a word, so a line's word count, stop words (的, の) and bigrams mean there what they
mean in English; the full stops, question marks, commas, colons and brackets of those scripts
and of Hindi, Arabic and Amharic count as their Latin counterparts.

Everything is computed for a whole batch of documents at once with numpy over the code points
of the lines (one lookup table of character classes, sums per line, hashes of words from prefix
sums), because a per-line, per-character Python loop would cost more than the rest of cleaning.
Hashing is our own for the same reason: scikit-learn's ``HashingVectorizer`` tokenises in
Python, line by line; here tokens are found and hashed with array operations.

``FEATURE_VERSION`` names this definition; a model trained on another is refused.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import numpy as np
from scipy import sparse
from sklearn.preprocessing import normalize

from cleaner.lines import MD_TARGET

FEATURE_VERSION = "lines-v12"

#: Characters of a line read for its character statistics (bounds the cost of huge lines).
STAT_CHARS = 400
#: Leading characters of a line read for its text n-grams.
TEXT_CHARS = 160
#: Width of the hashed text vector.
TEXT_DIM = 2**18

#: Languages whose stop words the document-language guess chooses from (stop-words package).
STOP_LANGUAGES = (
    "english", "german", "french", "spanish", "italian", "portuguese", "dutch", "polish",
    "swedish", "danish", "norwegian", "finnish", "czech", "romanian", "hungarian", "turkish",
    "indonesian", "russian", "ukrainian", "chinese", "japanese", "korean", "arabic", "persian",
    "hindi", "greek", "hebrew",
)  # fmt: skip

#: Per-line features; the context features also read some of them for the neighbours.
LINE_FEATURES = (
    "log_chars", "log_words", "mean_word_len", "ends_period", "ends_q_excl", "ends_colon",
    "ends_closer", "sentence_ends", "starts_upper", "starts_bullet", "title_share",
    "upper_share", "digit_share", "symbol_share", "separator_share", "comma_share",
    "stop_share", "urlish", "log_repeats", "first_copy", "blank_before", "blank_after",
    "is_prose", "log_others", "prose_overlap",
)  # fmt: skip
DOC_FEATURES = (
    "rel_pos", "log_from_start", "log_from_end", "char_pos", "rel_len", "before_prose",
    "after_prose", "in_prose_block", "dist_prose", "window3_prose", "window8_prose",
    "window3_words",
)  # fmt: skip
NEIGHBOUR_FEATURES = ("log_chars", "log_words", "ends_period", "stop_share", "is_prose", "starts_bullet")
OFFSETS = (-2, -1, 1, 2)
SCORE_FEATURES = (
    "score",
    "score_m1",
    "score_p1",
    "score_m2",
    "score_p2",
    "score_win5_mean",
    "score_win5_max",
)

_BULLET = re.compile(r"(?:[*•·▪►+\-–—>o]\s|・|\d{1,2}[.)]\s)")  # ・ : Japanese, no space after
#: List markers that renderers use interchangeably (inscriptis ``*`` and ``+`` for nested items,
#: html2text ``*``, trafilatura and Markdown ``-``, plain ``•``): the text model sees them all as ``*``.
_MARKERS = frozenset("*•·▪►‣◦∙⁃+-–—")
_MD_LINK = re.compile(rf"!?\[([^\[\]\n]*)\](?:{MD_TARGET}|\[[^\[\]\n]*\])")
_MD_HEADING = re.compile(r"^#{1,6}\s+")
#: A Markdown image, linked or not (``![alt](src)``, ``[![alt](src)](href)``).
_MD_IMAGE = re.compile(rf"\[?!\[[^\[\]\n]*\]{MD_TARGET}(?:\]\([^()\s]*\))?")
#: A link numbered in place, as ``lynx -dump`` writes them: ``[12]Home``.
_LINK_NUMBER = re.compile(r"\[\d{1,5}\](?=\S)")
_URL_NEEDLES = ("http://", "https://", "www.", "@", ".com", ".org", ".net", ".co.uk")
_CLOSERS = "\"'”’»)]」』）】》〉〕］"
_SEPARATORS = "|»›>•·/\\｜／"
#: Terminal punctuation, Latin and of other scripts (Chinese and Japanese full-width, Devanagari
#: danda, Arabic and Urdu, Ethiopic).
_PERIODS = ".。｡।॥۔።"
_QUESTION_EXCLAMATION = "?!？！؟"
_SENTENCE_END = _PERIODS + _QUESTION_EXCLAMATION + "…"
_COLONS = ":："
_COMMAS = ",，、،"
#: Full stops that end a sentence with no space after them (Chinese and Japanese).
_TIGHT_ENDS = "。｡！？"


def _vowel_sign(c: str) -> bool:
    """A combining mark that belongs to its word (Devanagari and Bengali vowel signs, accents of
    decomposed letters), not a variation selector that picks an emoji's presentation."""
    return unicodedata.category(c) in ("Mn", "Mc") and not 0xFE00 <= ord(c) <= 0xFE0F


#: Scripts written without spaces between words: CJK ideographs, kana (full- and half-width) and
#: their iteration marks (々 〆 〇). Each of their characters is a word (see :func:`_words`).
UNSPACED_RANGES = (
    (0x3005, 0x3007), (0x3040, 0x30FF), (0x31F0, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF), (0xFF66, 0xFF9F),
)  # fmt: skip


# Character classes, as bits of a lookup table over the Basic Multilingual Plane.
_ALPHA, _UPPER, _DIGIT, _SPACE, _WORD, _SYMBOL, _SEP, _END, _COMMA, _CLOSE, _UNSPACED, _TIGHT_END = (
    1 << i for i in range(12)
)

_BASE = 0x100000001B3  # odd, so invertible modulo 2**64
_BASE_INV = pow(_BASE, -1, 1 << 64)
_SYMBOL_SALT = np.uint64(0x9E3779B97F4A7C15)
_BOS, _EOS = np.uint64(0x2545F4914F6CDD1D), np.uint64(0x5851F42D4C957F2D)
_PAIR = np.uint64(0xD6E8FEB86659FD93)


def context_feature_names() -> list[str]:
    """Column names of :func:`context_matrix`, in order (for ``explain`` and importances)."""
    names = list(LINE_FEATURES) + list(DOC_FEATURES)
    names += [f"{name}@{off:+d}" for off in OFFSETS for name in NEIGHBOUR_FEATURES]
    return names + list(SCORE_FEATURES)


@dataclass(frozen=True)
class Batch:
    """The non-blank lines of a batch of documents, in order, with where each document starts."""

    texts: Sequence[str]
    doc_starts: np.ndarray  # int64, n_docs + 1 offsets into ``texts``
    blank_before: np.ndarray  # bool: a blank line (or the document start) precedes the line
    blank_after: np.ndarray
    others: np.ndarray | None = None  # in how many other documents of the run it occurs (crossdoc)

    @property
    def doc_ids(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.doc_starts) - 1), np.diff(self.doc_starts))


@lru_cache(maxsize=1)
def _tables() -> tuple[np.ndarray, np.ndarray]:
    """Character-class bits and lower-case/digit-masked code points for the BMP (built once)."""
    flags = np.zeros(0x10000, dtype=np.uint16)
    fold = np.arange(0x10000, dtype=np.uint32)
    for cp in range(0x10000):
        if 0xD800 <= cp < 0xE000:
            continue
        c = chr(cp)
        bits = 0
        if c.isalpha():
            bits |= _ALPHA
            if c.isupper():
                bits |= _UPPER
            lower = c.lower()
            if len(lower) == 1:
                fold[cp] = ord(lower)
        if c.isdecimal():  # what ``\d`` matches: masked to 0, so all timestamps look alike
            bits |= _DIGIT
            fold[cp] = 0x30
        if c.isspace():
            bits |= _SPACE
        elif c.isalnum() or c == "_" or _vowel_sign(c):
            bits |= _WORD
        else:
            bits |= _SYMBOL
        if c in _SEPARATORS:
            bits |= _SEP
        if c in _SENTENCE_END:
            bits |= _END
        if c in _TIGHT_ENDS:
            bits |= _TIGHT_END
        if c in _COMMAS:
            bits |= _COMMA
        if c in _CLOSERS:
            bits |= _CLOSE
        flags[cp] = bits
    for lo, hi in UNSPACED_RANGES:
        block = flags[lo : hi + 1]
        block[(block & _WORD) != 0] |= _UNSPACED
    return flags, fold


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads polynomial hashes over all 64 bits."""
    z = z.astype(np.uint64, copy=True)
    z ^= z >> np.uint64(30)
    z *= np.uint64(0xBF58476D1CE4E5B9)
    z ^= z >> np.uint64(27)
    z *= np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    return z


def _powers(base: int, n: int) -> np.ndarray:
    out = np.full(n, np.uint64(base), dtype=np.uint64)
    if n:
        out[0] = 1
    return np.cumprod(out, dtype=np.uint64)


@dataclass(frozen=True)
class _Chars:
    """Code points of the (truncated) lines joined by newlines, with per-position facts."""

    joined: str  # the lines joined by newlines
    flags: np.ndarray  # uint16 class bits (0 at the separating newlines)
    folded: np.ndarray  # uint64 lower-cased, digit-masked code points
    lengths: np.ndarray  # int64 characters of each line read
    line_of: np.ndarray  # int64 line number of each position


def _chars(heads: Sequence[str]) -> _Chars:
    flag_table, fold_table = _tables()
    joined = "\n".join(heads)
    cps = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    bmp = cps < 0x10000
    clipped = np.where(bmp, cps, 0)
    flags = np.where(bmp, flag_table[clipped], np.uint16(_SYMBOL)).astype(np.uint16)
    folded = np.where(bmp, fold_table[clipped], cps).astype(np.uint64)
    newline = cps == 10
    flags[newline] = 0
    lengths = np.fromiter((len(h) for h in heads), dtype=np.int64, count=len(heads))
    line_of = np.cumsum(newline) - newline  # the newline belongs to the line it ends
    return _Chars(joined, flags, folded, lengths, line_of.astype(np.int64))


def _per_line(values: np.ndarray, chars: _Chars) -> np.ndarray:
    """Sum of ``values`` over the positions of each line."""
    return np.bincount(chars.line_of, weights=values, minlength=len(chars.lengths))


def _class_counts(chars: _Chars) -> np.ndarray:
    """For each line (row), how many of its characters have each class bit (column = bit).

    The few distinct combinations of bits get small codes; one ``bincount`` of (line, code)
    pairs and a product with the bits of each code give every count at once."""
    combos, bits = _combos()
    codes = np.searchsorted(combos, chars.flags)
    n = len(chars.lengths)
    per_code = np.bincount(chars.line_of * len(combos) + codes, minlength=n * len(combos))
    return per_code.reshape(n, len(combos)).astype(np.float64) @ bits


@lru_cache(maxsize=1)
def _combos() -> tuple[np.ndarray, np.ndarray]:
    """The distinct class-bit combinations of the lookup table (and 0, for line breaks), and the
    bits of each as a 0/1 matrix."""
    flags, _ = _tables()
    combos = np.union1d(np.unique(flags), np.array([0, _SYMBOL], dtype=np.uint16))
    bits = ((combos[:, None].astype(np.int64) >> np.arange(16)) & 1).astype(np.float64)
    return combos, bits


@dataclass(frozen=True)
class _Words:
    starts: np.ndarray  # position of each word's first character
    ends: np.ndarray  # position after each word's last character
    hashes: np.ndarray  # uint64 hash of the folded word
    line: np.ndarray  # line of each word


def _words(chars: _Chars) -> _Words:
    """Runs of word characters; in scripts without spaces (:data:`UNSPACED_RANGES`), each
    character."""
    word = (chars.flags & _WORD) != 0
    alone = (chars.flags & _UNSPACED) != 0
    prev = np.concatenate([[False], word[:-1] & ~alone[:-1]])
    nxt = np.concatenate([word[1:] & ~alone[1:], [False]])
    starts = np.flatnonzero(word & (~prev | alone))
    ends = np.flatnonzero(word & (~nxt | alone)) + 1
    n = len(chars.folded)
    powers, inverse = _powers(_BASE, n + 1), _powers(_BASE_INV, n + 1)
    prefix = np.zeros(n + 1, dtype=np.uint64)
    np.cumsum(chars.folded * powers[:n], out=prefix[1:])
    raw = (prefix[ends] - prefix[starts]) * inverse[starts] + (ends - starts).astype(np.uint64)
    return _Words(starts, ends, _mix(raw), chars.line_of[starts])


@lru_cache(maxsize=1)
def _stop_table() -> tuple[np.ndarray, np.ndarray]:
    """Sorted hashes of every stop word of :data:`STOP_LANGUAGES`, and a bit per language."""
    from stop_words import get_stop_words

    bits: dict[int, int] = {}
    for i, lang in enumerate(STOP_LANGUAGES):
        words = sorted({w.lower() for w in get_stop_words(lang) if w and re.fullmatch(r"\w+", w)})
        found = _words(_chars(words))
        single = np.bincount(found.line, minlength=len(words)) == 1  # one token per stop word
        for h in found.hashes[single[found.line]]:
            bits[int(h)] = bits.get(int(h), 0) | (1 << i)
    keys = np.array(sorted(bits), dtype=np.uint64)
    return keys, np.array([bits[int(k)] for k in keys], dtype=np.int64)


def _stop_bits(words: _Words) -> np.ndarray:
    """For each word, a bit for each language of :data:`STOP_LANGUAGES` it is a stop word of."""
    keys, bits = _stop_table()
    at = np.minimum(np.searchsorted(keys, words.hashes), len(keys) - 1)
    return np.where(keys[at] == words.hashes, bits[at], 0)


def _stops_per_language(words: _Words, mask: np.ndarray, n_lines: int) -> np.ndarray:
    """How many stop words of each language of :data:`STOP_LANGUAGES` each line has (int32, one
    column per language; ``mask``: :func:`_stop_bits`): a figure of the text alone, so it is
    kept across passes."""
    n_lang = len(STOP_LANGUAGES)
    if len(words.hashes) == 0:
        return np.zeros((n_lines, n_lang), dtype=np.int32)
    hit = mask != 0
    lang_bits = np.unpackbits(
        mask[hit].astype("<u4").view(np.uint8).reshape(-1, 4), axis=1, bitorder="little"
    )
    running = np.zeros((hit.sum() + 1, n_lang), dtype=np.int32)
    np.cumsum(lang_bits[:, :n_lang], axis=0, out=running[1:])
    line_hits = np.searchsorted(words.line[hit], np.arange(n_lines + 1))  # words are in line order
    return running[line_hits[1:]] - running[line_hits[:-1]]


def _stop_counts(per_language: np.ndarray, doc_starts: np.ndarray) -> np.ndarray:
    """Stop words of each line in the language (of :data:`STOP_LANGUAGES`) its document uses most."""
    running = np.zeros((len(per_language) + 1, per_language.shape[1]), dtype=np.int64)
    np.cumsum(per_language, axis=0, out=running[1:])
    per_doc = running[doc_starts[1:]] - running[doc_starts[:-1]]
    best = per_doc.argmax(axis=1)  # ties (and documents without stop words) go to English
    line_best = np.repeat(best, np.diff(doc_starts))
    return per_language[np.arange(len(per_language)), line_best].astype(np.float64)


def as_read(text: str) -> str:
    """``text`` as the features read it, the same whichever tool rendered the page: a Markdown
    link or image (``[the report](https://...)``, ``![alt](...)``, ``[text][3]``) is its text,
    as HTML-to-text tools without link markup write it, and so is a link lynx numbered in place
    (``[12]Home``); a linked image (``[![alt](img)](href)``, as html2text writes a linked
    thumbnail) is its alt text; bold markers and heading hashes are dropped; a leading list
    marker (one of :data:`_MARKERS` and a space) is ``*``. What is written out is the line
    itself."""
    if "](" in text or "][" in text:
        text = _MD_LINK.sub(r"\1", text)
        if "](" in text or "][" in text:  # the outer link of a linked image
            text = _MD_LINK.sub(r"\1", text)
    if "[" in text:
        text = _LINK_NUMBER.sub("", text)
    if "**" in text or "__" in text:
        text = text.replace("**", "").replace("__", "")
    if text[:1] == "#":
        text = _MD_HEADING.sub("", text, count=1)
    if text[:1] in _MARKERS and text[1:2].isspace() and text[0] != "*":
        text = "*" + text[1:]
    return text


def images_only(texts: Sequence[str]) -> np.ndarray:
    """Which lines are Markdown images and nothing else (a list marker aside). A page shows an
    image, not its alt text, and renderers without Markdown write no line for it: what such a
    line holds is a description and an address, never the article's text (in our corpus, 43 of
    44 such lines are logos, photos with their credits, ads and author portraits)."""
    return np.fromiter(
        ("](" in t and t[:1] in "![*-+" and not _MD_IMAGE.sub("", t).strip(" *-+") for t in texts),
        dtype=bool,
        count=len(texts),
    )


def text_matrix(texts: Sequence[str]) -> sparse.csr_matrix:
    """Hashed unigrams and bigrams of words and symbols (with line-start and -end markers) of the
    first :data:`TEXT_CHARS` characters of each line; rows L2-normalised."""
    n = len(texts)
    chars = _chars([as_read(t)[:TEXT_CHARS] for t in texts])
    words = _words(chars)
    symbol_pos = np.flatnonzero((chars.flags & _SYMBOL) != 0)
    pos = np.concatenate([words.starts, symbol_pos])
    hashes = np.concatenate([words.hashes, _mix(chars.folded[symbol_pos] ^ _SYMBOL_SALT)])
    order = np.argsort(pos, kind="stable")
    pos, hashes = pos[order], hashes[order]
    line = chars.line_of[pos]
    same = line[1:] == line[:-1]
    first = np.concatenate([[True], ~same]) if len(line) else np.zeros(0, dtype=bool)
    last = np.concatenate([~same, [True]]) if len(line) else np.zeros(0, dtype=bool)
    pairs = _mix(hashes[:-1] * _PAIR + hashes[1:])[same]
    rows = np.concatenate([line, line[:-1][same], line[first], line[last]])
    grams = np.concatenate(
        [hashes, pairs, _mix(hashes[first] * _PAIR + _BOS), _mix(hashes[last] * _PAIR + _EOS)]
    )
    cols = (grams & np.uint64(TEXT_DIM - 1)).astype(np.int64)
    matrix = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, TEXT_DIM), dtype=np.float32
    )
    matrix.sum_duplicates()
    return normalize(matrix, copy=False)


def _shift(values: np.ndarray, offset: int, doc: np.ndarray) -> np.ndarray:
    """``out[i] = values[i + offset]`` within the same document, NaN elsewhere (read as missing)."""
    n = len(values)
    out = np.full(n, np.nan, dtype=np.float64)
    if abs(offset) >= n:
        return out
    if offset > 0:
        out[: n - offset] = np.where(doc[offset:] == doc[: n - offset], values[offset:], np.nan)
    elif offset < 0:
        out[-offset:] = np.where(doc[: n + offset] == doc[-offset:], values[: n + offset], np.nan)
    else:
        out[:] = values
    return out


def _window_mean(values: np.ndarray, radius: int, index: np.ndarray, starts: np.ndarray, ends: np.ndarray):
    """Mean of ``values`` over ``[i - radius, i + radius]`` clipped to each line's document."""
    prefix = np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])
    lo = np.maximum(index - radius, starts)
    hi = np.minimum(index + radius + 1, ends)
    return (prefix[hi] - prefix[lo]) / (hi - lo)


#: The columns of :data:`LINE_FEATURES` that depend on a line's text alone (see :class:`LineStats`).
TEXT_ONLY_FEATURES = (
    "log_chars", "log_words", "mean_word_len", "ends_period", "ends_q_excl", "ends_colon",
    "ends_closer", "sentence_ends", "starts_upper", "starts_bullet", "title_share",
    "upper_share", "digit_share", "symbol_share", "separator_share", "comma_share", "urlish",
    "is_prose",
)  # fmt: skip


@dataclass(frozen=True)
class LineStats:
    """What :func:`line_matrix` reads of each line's text alone: the text-only feature columns,
    stop words per language and the repeat key. Cleaning passes over a document again and
    again with a few lines fewer each time; these figures are computed once per distinct line."""

    dense: np.ndarray  # float64, one column per TEXT_ONLY_FEATURES name
    n_words: np.ndarray  # float64 words of the line (estimated past STAT_CHARS)
    stops: np.ndarray  # int32, stop words per language of STOP_LANGUAGES
    keys: np.ndarray  # uint64 repeat keys (see line_keys)
    topic: np.ndarray  # uint64 hashes of the line's topic words (see _topic_words), line by line
    topic_starts: np.ndarray  # int64, n + 1 offsets of each line's words in ``topic``

    def take(self, rows: np.ndarray) -> LineStats:
        lengths = np.diff(self.topic_starts)[rows]
        starts = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts[1:])
        at = np.repeat(self.topic_starts[rows] - starts[:-1], lengths) + np.arange(starts[-1])
        return LineStats(
            self.dense[rows], self.n_words[rows], self.stops[rows], self.keys[rows], self.topic[at], starts
        )

    @staticmethod
    def concat(parts: Sequence[LineStats]) -> LineStats:
        offsets = np.cumsum([0] + [p.topic_starts[-1] for p in parts[:-1]])
        return LineStats(
            np.concatenate([p.dense for p in parts]),
            np.concatenate([p.n_words for p in parts]),
            np.concatenate([p.stops for p in parts]),
            np.concatenate([p.keys for p in parts]),
            np.concatenate([p.topic for p in parts]),
            np.concatenate([[0]] + [p.topic_starts[1:] + o for p, o in zip(parts, offsets, strict=True)]),
        )


def line_stats(texts: Sequence[str]) -> LineStats:
    """The :class:`LineStats` of each of ``texts``."""
    n = len(texts)
    out = np.zeros((n, len(TEXT_ONLY_FEATURES)), dtype=np.float64)
    if n == 0:
        no_stops = np.zeros((0, len(STOP_LANGUAGES)), np.int32)
        none = np.zeros(0, np.uint64)
        return LineStats(out, np.zeros(0), no_stops, none, none, np.zeros(1, np.int64))
    col = {name: i for i, name in enumerate(TEXT_ONLY_FEATURES)}
    texts = [as_read(t) for t in texts]
    chars = _chars([t[:STAT_CHARS] for t in texts])
    flags = chars.flags
    shown = chars.lengths
    n_chars = np.fromiter((len(t) for t in texts), dtype=np.float64, count=n)
    words = _words(chars)
    n_words = np.bincount(words.line, minlength=n).astype(np.float64)
    full_words = n_words * np.maximum(n_chars / np.maximum(shown, 1), 1.0)

    class_counts = _class_counts(chars)

    def count(bit: int) -> np.ndarray:
        return class_counts[:, bit.bit_length() - 1]

    letters, uppers = count(_ALPHA), count(_UPPER)
    word_chars = count(_WORD)
    is_end = (flags & _END) != 0
    follower = np.concatenate([flags[1:], [0]])  # 0 at a line's end: its newline or the text end
    ended = ((follower & (_SPACE | _CLOSE)) != 0) | (follower == 0) | ((flags & _TIGHT_END) != 0)
    sentence_ends = _per_line(is_end & ended, chars)
    alpha_word = (flags[words.starts] & _ALPHA) != 0
    cap_word = alpha_word & ((flags[words.starts] & _UPPER) != 0)
    n_alpha_words = np.maximum(np.bincount(words.line, weights=alpha_word, minlength=n), 1.0)
    with_words, first_of_line = np.unique(words.line, return_index=True)
    starts_upper = np.zeros(n, dtype=bool)
    starts_upper[with_words] = (flags[words.starts[first_of_line]] & _UPPER) != 0
    lasts = [t.rstrip(_CLOSERS)[-1:] for t in texts]
    shown_f = np.maximum(shown, 1).astype(np.float64)
    safe_words = np.maximum(n_words, 1.0)

    out[:, col["log_chars"]] = np.log1p(n_chars)
    out[:, col["log_words"]] = np.log1p(full_words)
    out[:, col["mean_word_len"]] = word_chars / safe_words
    out[:, col["ends_period"]] = [x != "" and x in _PERIODS for x in lasts]
    out[:, col["ends_q_excl"]] = [x != "" and x in _QUESTION_EXCLAMATION for x in lasts]
    out[:, col["ends_colon"]] = [x != "" and x in _COLONS for x in lasts]
    out[:, col["ends_closer"]] = [t[-1:] in _CLOSERS and t != "" for t in texts]
    out[:, col["sentence_ends"]] = np.log1p(sentence_ends)
    out[:, col["starts_upper"]] = starts_upper
    out[:, col["starts_bullet"]] = [_BULLET.match(t) is not None for t in texts]
    out[:, col["title_share"]] = np.bincount(words.line, weights=cap_word, minlength=n) / n_alpha_words
    out[:, col["upper_share"]] = uppers / np.maximum(letters, 1.0)
    out[:, col["digit_share"]] = count(_DIGIT) / shown_f
    out[:, col["symbol_share"]] = count(_SYMBOL) / shown_f
    out[:, col["separator_share"]] = count(_SEP) / shown_f
    out[:, col["comma_share"]] = count(_COMMA) / safe_words
    out[:, col["urlish"]] = _urlish(chars)
    last_is_end = np.array([x != "" and x in _SENTENCE_END for x in lasts])
    out[:, col["is_prose"]] = (full_words >= 12) & (sentence_ends >= 1) & last_is_end
    stop = _stop_bits(words)
    topic, topic_starts = _topic_words(words, flags, stop, n)
    return LineStats(
        out, n_words, _stops_per_language(words, stop, n), _line_keys(words, texts), topic, topic_starts
    )


def _topic_words(words: _Words, flags: np.ndarray, stop: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct topic words of each line (letters first, three or more characters, not a stop
    word of any language; in scripts without spaces, two adjacent characters, neither a stop word)
    as hashes, line after line, and the offset of each line's first."""
    first = flags[words.starts]
    topical = ((first & _ALPHA) != 0) & (words.ends - words.starts >= 3) & (stop == 0)
    alone = ((first & _UNSPACED) != 0) & (stop == 0)
    pair = alone[:-1] & alone[1:] & (words.ends[:-1] == words.starts[1:])
    pairs = _mix(words.hashes[:-1][pair] * _PAIR + words.hashes[1:][pair])
    line = np.concatenate([words.line[topical], words.line[:-1][pair]])
    hashes = np.concatenate([words.hashes[topical], pairs])
    order = np.lexsort((hashes, line))
    line, hashes = line[order], hashes[order]
    fresh = np.ones(len(line), dtype=bool)
    fresh[1:] = (line[1:] != line[:-1]) | (hashes[1:] != hashes[:-1])
    line, hashes = line[fresh], hashes[fresh]
    return hashes, np.searchsorted(line, np.arange(n + 1)).astype(np.int64)


def _prose_overlap(stats: LineStats, doc_ids: np.ndarray, prose: np.ndarray | None = None) -> np.ndarray:
    """The share of each line's topic words that the other prose lines of its document use.

    A title or subheading names what the article's paragraphs are about ("Electrician tools"
    above paragraphs on multimeters and tools); a menu item, a byline or a related headline
    mostly does not. Prose lines are those of ``is_prose``, or those marked in ``prose`` (the
    stacked model passes the lines the model before it is confident are content)."""
    n = len(doc_ids)
    lengths = np.diff(stats.topic_starts)
    line = np.repeat(np.arange(n), lengths)
    key = _mix(stats.topic ^ _mix(doc_ids[line].astype(np.uint64) + _PAIR))
    if prose is None:
        prose = stats.dense[:, TEXT_ONLY_FEATURES.index("is_prose")] > 0
    in_prose = prose[line]
    known, lines_using = np.unique(key[in_prose], return_counts=True)
    if len(known) == 0:
        return np.zeros(n)
    at = np.minimum(np.searchsorted(known, key), len(known) - 1)
    others = np.where(known[at] == key, lines_using[at], 0) - in_prose
    return np.bincount(line, weights=others > 0, minlength=n) / np.maximum(lengths, 1)


def line_matrix(batch: Batch, stats: LineStats | None = None) -> np.ndarray:
    """Dense per-line features (``LINE_FEATURES``) of every line of the batch; ``stats`` are the
    batch's :func:`line_stats` when already known."""
    n = len(batch.texts)
    out = np.zeros((n, len(LINE_FEATURES)), dtype=np.float64)
    if n == 0:
        return out.astype(np.float32)
    stats = line_stats(batch.texts) if stats is None else stats
    col = {name: i for i, name in enumerate(LINE_FEATURES)}
    out[:, [col[name] for name in TEXT_ONLY_FEATURES]] = stats.dense
    stops = _stop_counts(stats.stops, batch.doc_starts)
    out[:, col["stop_share"]] = np.where(stats.n_words > 0, stops / np.maximum(stats.n_words, 1.0), 0.0)
    repeats, first_copy = _repeats(stats.keys, batch.doc_ids)
    out[:, col["log_repeats"]] = np.log1p(repeats - 1)
    out[:, col["first_copy"]] = first_copy
    out[:, col["prose_overlap"]] = _prose_overlap(stats, batch.doc_ids)
    out[:, col["blank_before"]] = batch.blank_before
    out[:, col["blank_after"]] = batch.blank_after
    if batch.others is not None:
        out[:, col["log_others"]] = np.log1p(batch.others)
    return out.astype(np.float32)


def _url_hit(needle: str, follower: str) -> bool:
    """``@`` must start a name, ``.com`` and the like must end a word, the rest always count."""
    word = follower.isalnum() or follower == "_"
    if needle == "@":
        return word
    return not word if needle.startswith(".") else True


def _urlish(chars: _Chars) -> np.ndarray:
    """1 for lines with a web or e-mail address (``http``, ``www.``, ``@name``, ``.com``, ...)."""
    lowered = chars.joined.lower()
    hits = []
    for needle in _URL_NEEDLES:
        at = lowered.find(needle)
        while at >= 0:
            end = at + len(needle)
            if _url_hit(needle, lowered[end : end + 1]):
                hits.append(at)
            at = lowered.find(needle, end)
    flags = np.zeros(len(chars.lengths))
    if hits:
        flags[chars.line_of[np.array(hits)]] = 1.0
    return flags


def _line_keys(words: _Words, texts: Sequence[str]) -> np.ndarray:
    """A 64-bit key per line from its words in order (lower-cased, digits masked), so the same
    line with another timestamp or count is the same line; symbol-only lines key on their text."""
    n = len(texts)
    with_words, first_of_line = np.unique(words.line, return_index=True)
    index_in_line = np.arange(len(words.line)) - first_of_line[np.searchsorted(with_words, words.line)]
    keyed = _mix(words.hashes + _mix(index_in_line.astype(np.uint64) + _PAIR))
    key = np.zeros(n, dtype=np.uint64)
    if len(keyed):
        key[with_words] = np.add.reduceat(keyed, first_of_line)
    no_words = np.ones(n, dtype=bool)
    no_words[with_words] = False
    for i in np.flatnonzero(no_words):  # symbol-only lines ("|", "•"): key on the text itself
        key[i] = np.uint64(zlib.crc32(texts[i].encode("utf-8", "surrogatepass")))
    return _mix(key)


def line_keys(texts: Sequence[str]) -> np.ndarray:
    """The key of each line, as :func:`line_matrix` uses it for repeats (see :mod:`cleaner.crossdoc`)."""
    texts = [as_read(t) for t in texts]
    return _line_keys(_words(_chars([t[:STAT_CHARS] for t in texts])), texts)


def _repeats(keys: np.ndarray, doc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How often each line occurs in its document, and whether this is its first occurrence."""
    key = _mix(keys ^ _mix(doc.astype(np.uint64)))
    _, first, inverse, counts = np.unique(key, return_index=True, return_inverse=True, return_counts=True)
    return counts[inverse].astype(np.float64), (first[inverse] == np.arange(len(keys))).astype(np.float64)


def doc_matrix(batch: Batch, lines: np.ndarray) -> np.ndarray:
    """Position and document-context features (``DOC_FEATURES``) from the line features."""
    col = {name: i for i, name in enumerate(LINE_FEATURES)}
    n = len(batch.texts)
    doc = batch.doc_ids
    starts = batch.doc_starts[doc]
    ends = batch.doc_starts[doc + 1]
    index = np.arange(n)
    idx = (index - starts).astype(np.float64)
    size = (ends - starts).astype(np.float64)
    chars = np.expm1(lines[:, col["log_chars"]].astype(np.float64))
    cum = np.cumsum(chars)
    doc_before = np.concatenate([[0.0], cum])[batch.doc_starts[:-1]][doc]
    doc_total = np.concatenate([[0.0], cum])[batch.doc_starts[1:]][doc] - doc_before
    char_pos = (cum - chars - doc_before) / np.maximum(doc_total, 1.0)
    max_chars = np.zeros(len(batch.doc_starts) - 1)
    np.maximum.at(max_chars, doc, chars)
    max_chars = max_chars[doc]
    prose = lines[:, col["is_prose"]].astype(np.float64)
    first_prose = np.full(len(batch.doc_starts) - 1, np.iinfo(np.int64).max)
    last_prose = np.full(len(batch.doc_starts) - 1, -1)
    np.minimum.at(first_prose, doc[prose > 0], index[prose > 0])
    np.maximum.at(last_prose, doc[prose > 0], index[prose > 0])
    has_prose = last_prose[doc] >= 0
    first = np.where(has_prose, first_prose[doc], ends)
    last = np.where(has_prose, last_prose[doc], starts - 1)
    above, below = _nearest_marked(prose > 0, doc, starts, ends)
    nearest = np.where(
        prose > 0,
        0,
        np.minimum(np.where(above >= 0, index - above, n), np.where(below >= 0, below - index, n)),
    ).astype(np.float64)
    scale = np.maximum(size - 1, 1.0)
    words = np.expm1(lines[:, col["log_words"]].astype(np.float64))
    out = np.column_stack(
        [
            idx / scale,
            np.log1p(idx),
            np.log1p(size - 1 - idx),
            char_pos,
            chars / np.maximum(max_chars, 1.0),
            (first - index).clip(min=0) / scale,
            (index - last).clip(min=0) / scale,
            ((index >= first) & (index <= last)).astype(np.float64),
            np.log1p(np.where(has_prose, nearest, size)),
            _window_mean(prose, 3, index, starts, ends),
            _window_mean(prose, 8, index, starts, ends),
            np.log1p(_window_mean(words, 3, index, starts, ends)),
        ]
    )
    return out.astype(np.float32)


def context_matrix(batch: Batch, lines: np.ndarray, docs: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Everything the context model reads: the line, its document, its neighbours, text scores."""
    col = {name: i for i, name in enumerate(LINE_FEATURES)}
    doc = batch.doc_ids
    n = len(doc)
    parts = [lines.astype(np.float64), docs.astype(np.float64)]
    for off in OFFSETS:
        parts.append(np.column_stack([_shift(lines[:, col[name]], off, doc) for name in NEIGHBOUR_FEATURES]))
    s = scores.astype(np.float64)
    shifted = np.column_stack([_shift(s, off, doc) for off in (-2, -1, 0, 1, 2)])
    with np.errstate(all="ignore"):
        parts.append(
            np.column_stack(
                [
                    s,
                    shifted[:, 1],
                    shifted[:, 3],
                    shifted[:, 0],
                    shifted[:, 4],
                    np.nanmean(shifted, axis=1) if n else s,
                    np.nanmax(shifted, axis=1) if n else s,
                ]
            )
        )
    return np.hstack(parts).astype(np.float32)


#: P(keep) from which the stacked models count a line as the document's confident content.
CONFIDENT = 0.9
#: What the second (stacked) model reads about the first model's P(keep) around each line.
STACK_WINDOWS = (1, 2, 3, 5, 10)
STACK_LINE_FEATURES = ("log_words", "is_prose", "starts_bullet", "ends_colon", "ends_period", "blank_before")


def stack_feature_names() -> list[str]:
    names = ["p", "p_m1", "p_p1", "p_m2", "p_p2"]
    for w in STACK_WINDOWS:
        names += [f"max_above{w}", f"max_below{w}", f"mean{w}"]
    names += ["log_gap_above", "log_gap_below", "mass_before", "mass_after", "score"]
    names += ["p_prose_above", "log_to_prose_above", "p_prose_below", "log_to_prose_below"]
    names += ["log_run", "run_pos", "run_mean_p", "in_main", "log_to_main"]
    names += ["intro_score", "intro_p", "intro_colon", "intro_prose", "log_list", "content_overlap"]
    return names + list(STACK_LINE_FEATURES)


def _window_max(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Max of ``values[lo:hi]`` for each line (NaN when the range is empty); ranges are short."""
    out = np.full(len(values), np.nan)
    width = int((hi - lo).max(initial=0))
    for k in range(width):
        at = lo + k
        ok = at < hi
        out[ok] = np.fmax(out[ok], values[at[ok]])
    return out


def stack_matrix(
    batch: Batch, lines: np.ndarray, scores: np.ndarray, p: np.ndarray, stats: LineStats
) -> np.ndarray:
    """Features of the stacked model: the first model's P(keep) of the line and of the lines
    around it (is the line inside a run of confident content?), where the document's confident
    content lies, how many of the line's topic words that content uses (``stats``: the lines'
    :class:`LineStats`; a comment, a bio or a teaser for another article talks of other things
    than the article, an item of the article's own list does not), and a few figures of the
    line itself."""
    col = {name: i for i, name in enumerate(LINE_FEATURES)}
    doc = batch.doc_ids
    n = len(doc)
    index = np.arange(n)
    starts, ends = batch.doc_starts[doc], batch.doc_starts[doc + 1]
    p = p.astype(np.float64)
    parts = [p] + [_shift(p, off, doc) for off in (-1, 1, -2, 2)]
    for w in STACK_WINDOWS:
        parts.append(_window_max(p, np.maximum(index - w, starts), index))
        parts.append(_window_max(p, index + 1, np.minimum(index + 1 + w, ends)))
        parts.append(_window_mean(p, w, index, starts, ends))
    confident = np.where(p >= CONFIDENT, index, -1)
    big = np.iinfo(np.int64).max // 4
    before = np.maximum.accumulate(np.where(confident >= 0, index, -big)) if n else index
    after = np.minimum.accumulate(np.where(confident >= 0, index, big)[::-1])[::-1] if n else index
    prev_conf = np.concatenate([[-big], before[:-1]]) if n else index
    next_conf = np.concatenate([after[1:], [big]]) if n else index
    gap_above = np.where(prev_conf >= starts, index - prev_conf, index - starts + 1 + 50)
    gap_below = np.where(next_conf < ends, next_conf - index, ends - index + 50)
    chars = np.expm1(lines[:, col["log_chars"]].astype(np.float64))
    mass = p * chars
    cum = np.concatenate([[0.0], np.cumsum(mass)])
    total = cum[ends] - cum[starts]
    safe = np.maximum(total, 1.0)
    parts += [
        np.log1p(gap_above),
        np.log1p(gap_below),
        (cum[index] - cum[starts]) / safe,
        (cum[ends] - cum[index + 1]) / safe,
        scores.astype(np.float64),
    ]
    prose = lines[:, col["is_prose"]] > 0
    above, below = _nearest_marked(prose, doc, starts, ends)
    parts += [
        np.where(above >= 0, p[np.maximum(above, 0)], np.nan),
        np.log1p(np.where(above >= 0, index - above, index - starts + 50)),
        np.where(below >= 0, p[np.maximum(below, 0)], np.nan),
        np.log1p(np.where(below >= 0, below - index, ends - index + 50)),
    ]
    parts += _run_features(prose, p, doc)
    parts += _main_block(p, chars, batch.doc_starts, index)
    parts += _list_intro(lines, scores, p, doc)
    parts.append(_prose_overlap(stats, doc, p >= CONFIDENT))
    parts += [lines[:, col[name]].astype(np.float64) for name in STACK_LINE_FEATURES]
    return np.column_stack(parts).astype(np.float32)


def _nearest_marked(
    marked: np.ndarray, doc: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Index of the nearest marked line strictly above and strictly below each line within its
    document, -1 where there is none."""
    n = len(marked)
    index = np.arange(n)
    at = np.where(marked, index, -1)
    last = np.maximum.accumulate(at) if n else at
    above = np.concatenate([[-1], last[:-1]]) if n else at
    above = np.where(above >= starts, above, -1)
    nxt = np.where(marked, index, n)
    first = np.minimum.accumulate(nxt[::-1])[::-1] if n else nxt
    below = np.concatenate([first[1:], [n]]) if n else nxt
    below = np.where(below < ends, below, -1)
    return above, below


def _run_features(prose: np.ndarray, p: np.ndarray, doc: np.ndarray) -> list[np.ndarray]:
    """The run of consecutive non-prose lines (a list, a menu, a block of headings) that each
    line belongs to: its length, the line's place in it, and the run's mean first P(keep).
    A prose line is a run of its own."""
    n = len(p)
    if n == 0:
        return [np.zeros(0)] * 3
    new_run = np.ones(n, dtype=bool)
    new_run[1:] = prose[1:] | prose[:-1] | (doc[1:] != doc[:-1])
    run = np.cumsum(new_run) - 1
    length = np.bincount(run)
    first = np.flatnonzero(new_run)
    mean_p = np.bincount(run, weights=p) / length
    return [np.log1p(length[run]), (np.arange(n) - first[run]) / np.maximum(length[run] - 1, 1), mean_p[run]]


def _list_intro(lines: np.ndarray, scores: np.ndarray, p: np.ndarray, doc: np.ndarray) -> list[np.ndarray]:
    """For the items of a list (consecutive lines that start with a list marker), the line
    that introduces it: its text score, first P(keep), whether it ends with a colon or is
    prose, and the list's length. An article introduces its lists ("You will need:"); a menu
    or a related list follows a heading of cruft or nothing. Missing (NaN) off lists."""
    col = {name: i for i, name in enumerate(LINE_FEATURES)}
    n = len(p)
    if n == 0:
        return [np.zeros(0)] * 5
    item = lines[:, col["starts_bullet"]] > 0
    new_list = item.copy()
    new_list[1:] &= ~item[:-1] | (doc[1:] != doc[:-1])
    group = np.cumsum(new_list) - 1
    first = np.flatnonzero(new_list)
    intro = first - 1
    has_intro = (intro >= 0) & (doc[np.maximum(intro, 0)] == doc[first])
    at = np.maximum(intro, 0)

    def per_item(per_list: np.ndarray) -> np.ndarray:
        out = np.full(n, np.nan)
        out[item] = per_list[group[item]]
        return out

    def intro_of(values: np.ndarray) -> np.ndarray:
        return per_item(np.where(has_intro, values[at], np.nan))

    return [
        intro_of(scores.astype(np.float64)),
        intro_of(p),
        intro_of(lines[:, col["ends_colon"]].astype(np.float64)),
        intro_of(lines[:, col["is_prose"]].astype(np.float64)),
        per_item(np.log1p(np.bincount(group[item], minlength=len(first)))),
    ]


def _main_block(
    p: np.ndarray, chars: np.ndarray, doc_starts: np.ndarray, index: np.ndarray
) -> list[np.ndarray]:
    """The document's main block: the run of lines with the largest total of (P(keep) - 1/2),
    each line weighted by its log length (a maximum-sum segment); whether each line is inside
    it, and how far outside."""
    gain = (p - 0.5) * np.log1p(chars)
    inside = np.zeros(len(p))
    distance = np.zeros(len(p))
    for lo, hi in pairwise(doc_starts.tolist()):
        if hi <= lo:
            continue
        total = np.concatenate([[0.0], np.cumsum(gain[lo:hi])])
        low_at = np.minimum.accumulate(total[:-1])
        best_end = int(np.argmax(total[1:] - low_at))  # segment ends at line lo + best_end
        start = int(np.flatnonzero(total[: best_end + 1] == low_at[best_end])[-1])
        seg = index[lo:hi] - lo
        inside[lo:hi] = (seg >= start) & (seg <= best_end)
        distance[lo:hi] = np.maximum(start - seg, 0) + np.maximum(seg - best_end, 0)
    return [inside, np.log1p(distance)]
