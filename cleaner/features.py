"""Featurise: turn a document's lines into what the classifier reads.

Two kinds of features, computed for the non-blank lines of one document:

* **text**: the line's words and symbols, lower-cased with digits masked (``13:24`` and
  ``09:10`` are the same timestamp to the model), hashed into a sparse vector. A linear model
  over it gives each line a *text score*.
* **shape and context** (dense): length, words, terminal punctuation, capitalisation, digit
  and symbol shares, stop-word share in the document's language, position in the document,
  repeats of the line within it, where the prose block starts and ends, and the same figures
  and text scores of the neighbouring lines. There is deliberately no feature of the document's
  size or overall prose share: with one, the model learned "short clean documents keep every
  line" from the clean-output training copies (see :mod:`cleaner.train`) and kept the cruft of
  short articles. The context model reads these, so a short line
  between two paragraphs is judged as part of the article and the same words in a menu are not.

``FEATURE_VERSION`` names this definition; a model trained on another is refused.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer

FEATURE_VERSION = "lines-v2"

_WORD = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")
_SENT_END = re.compile(r"[.!?…](?:[\"'”’»)\]]*)(?:\s|$)")
_BULLET = re.compile(r"^(?:[*•·▪►+\-–—>]\s|\d{1,2}[.)]\s)")
_URLISH = re.compile(r"https?://|www\.|@\w|\.(?:com|org|net|co\.uk)\b", re.IGNORECASE)
_SEPARATORS = set("|»›>•·/\\")
_CLOSERS = "\"'”’»)]"

#: Languages whose stop words the document-language guess chooses from (stop-words package).
STOP_LANGUAGES = (
    "english", "german", "french", "spanish", "italian", "portuguese", "dutch", "polish",
    "swedish", "danish", "norwegian", "finnish", "czech", "romanian", "hungarian", "turkish",
    "indonesian", "russian", "ukrainian",
)  # fmt: skip

#: The vectoriser is stateless (hashing), so it is part of the feature definition, not the model.
TEXT_VECTORIZER = HashingVectorizer(
    n_features=2**18,
    ngram_range=(1, 2),
    alternate_sign=False,
    norm="l2",
    lowercase=False,  # done in _mask, with the digits
    token_pattern=r"(?u)\w+|[^\w\s]",
    dtype=np.float32,
)

#: Per-line features; the context model also reads them for the neighbours at ±1 and ±2.
LINE_FEATURES = (
    "log_chars", "log_words", "mean_word_len", "ends_period", "ends_q_excl", "ends_colon",
    "ends_closer", "sentence_ends", "starts_upper", "starts_bullet", "title_share",
    "upper_share", "digit_share", "symbol_share", "separator_share", "comma_share",
    "stop_share", "urlish", "log_repeats", "first_copy", "blank_before", "blank_after",
    "is_prose",
)  # fmt: skip
DOC_FEATURES = (
    "rel_pos", "log_from_start", "log_from_end", "char_pos", "rel_len", "before_prose", "after_prose", "in_prose_block", "dist_prose",
    "window3_prose", "window8_prose", "window3_words",
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


def context_feature_names() -> list[str]:
    """Column names of :func:`context_matrix`, in order (for ``explain`` and importances)."""
    names = list(LINE_FEATURES) + list(DOC_FEATURES)
    names += [f"{name}@{off:+d}" for off in OFFSETS for name in NEIGHBOUR_FEATURES]
    return names + list(SCORE_FEATURES)


@lru_cache(maxsize=1)
def _stopword_sets() -> tuple[tuple[str, frozenset[str]], ...]:
    from stop_words import get_stop_words

    return tuple((lang, frozenset(get_stop_words(lang))) for lang in STOP_LANGUAGES)


def guess_language(words: Sequence[str]) -> tuple[str, frozenset[str]]:
    """The stop-word language covering most of ``words`` (lower-cased), and its stop words."""
    counts = Counter(words)
    best = max(_stopword_sets(), key=lambda item: sum(counts[w] for w in item[1] if w in counts))
    return best


def _mask(text: str) -> str:
    return _DIGIT.sub("0", text.lower())


def text_matrix(texts: Sequence[str]):
    """Sparse hashed n-grams of the lines (lower-cased, digits masked)."""
    return TEXT_VECTORIZER.transform([_mask(t) for t in texts])


def _repeat_key(text: str) -> str:
    return " ".join(_WORD.findall(_mask(text)))


def _line_row(text: str, words: list[str], stops: frozenset[str]) -> list[float]:
    n_chars = len(text)
    n_words = len(words)
    last = text.rstrip(_CLOSERS)[-1:] if text.rstrip(_CLOSERS) else ""
    letters = [c for c in text if c.isalpha()]
    alpha_words = [w for w in words if w[0].isalpha()]
    n_alpha_words = max(len(alpha_words), 1)
    first_alpha = next((c for c in text if c.isalpha()), "")
    symbols = sum(1 for c in text if not c.isalnum() and not c.isspace())
    lowered = [w.lower() for w in words]
    sentence_ends = len(_SENT_END.findall(text))
    return [
        np.log1p(n_chars),
        np.log1p(n_words),
        (sum(map(len, words)) / n_words) if n_words else 0.0,
        float(last == "."),
        float(last in "?!"),
        float(last == ":"),
        float(text[-1] in _CLOSERS),
        np.log1p(sentence_ends),
        float(first_alpha.isupper()),
        float(bool(_BULLET.match(text))),
        sum(1 for w in alpha_words if w[0].isupper()) / n_alpha_words,
        (sum(1 for c in letters if c.isupper()) / len(letters)) if letters else 0.0,
        sum(1 for c in text if c.isdigit()) / n_chars,
        symbols / n_chars,
        sum(1 for c in text if c in _SEPARATORS) / n_chars,
        text.count(",") / max(n_words, 1),
        (sum(1 for w in lowered if w in stops) / n_words) if n_words else 0.0,
        float(bool(_URLISH.search(text))),
        0.0,  # log_repeats, filled per document
        1.0,  # first_copy, filled per document
        0.0,  # blank_before
        0.0,  # blank_after
        float(n_words >= 12 and sentence_ends >= 1 and last in ".!?…"),
    ]


def line_matrix(
    texts: Sequence[str], blank_before: Sequence[bool], blank_after: Sequence[bool]
) -> np.ndarray:
    """Dense per-line features (``LINE_FEATURES``) of one document's non-blank lines."""
    word_lists = [_WORD.findall(t) for t in texts]
    _, stops = guess_language([w.lower() for words in word_lists for w in words])
    rows = np.array(
        [_line_row(t, words, stops) for t, words in zip(texts, word_lists, strict=True)], dtype=np.float32
    ).reshape(len(texts), len(LINE_FEATURES))
    keys = [_repeat_key(t) for t in texts]
    counts = Counter(keys)
    seen: set[str] = set()
    col = {name: i for i, name in enumerate(LINE_FEATURES)}
    for i, key in enumerate(keys):
        rows[i, col["log_repeats"]] = np.log1p(counts[key] - 1)
        rows[i, col["first_copy"]] = float(key not in seen)
        seen.add(key)
    rows[:, col["blank_before"]] = np.asarray(blank_before, dtype=np.float32)
    rows[:, col["blank_after"]] = np.asarray(blank_after, dtype=np.float32)
    return rows


def _window_mean(values: np.ndarray, radius: int) -> np.ndarray:
    padded = np.concatenate([np.zeros(radius), values, np.zeros(radius)])
    ones = np.concatenate([np.zeros(radius), np.ones(len(values)), np.zeros(radius)])
    kernel = np.ones(2 * radius + 1)
    return np.convolve(padded, kernel, "valid") / np.convolve(ones, kernel, "valid")


def _shift(values: np.ndarray, offset: int) -> np.ndarray:
    """``out[i] = values[i + offset]``, NaN past either end (the model reads NaN as missing)."""
    out = np.full(values.shape, np.nan, dtype=np.float32)
    n = len(values)
    if abs(offset) < n:
        if offset > 0:
            out[: n - offset] = values[offset:]
        else:
            out[-offset:] = values[: n + offset]
    return out


def doc_matrix(lines: np.ndarray, texts: Sequence[str]) -> np.ndarray:
    """Position and document-context features (``DOC_FEATURES``) from the line features."""
    col = {name: i for i, name in enumerate(LINE_FEATURES)}
    n = len(texts)
    idx = np.arange(n, dtype=np.float64)
    chars = np.array([len(t) for t in texts], dtype=np.float64)
    prose = lines[:, col["is_prose"]].astype(np.float64)
    prose_idx = np.flatnonzero(prose)
    if len(prose_idx):
        first, last = prose_idx[0], prose_idx[-1]
        nearest = np.abs(idx[:, None] - prose_idx[None, :]).min(axis=1)
    else:
        first, last = n, -1
        nearest = np.full(n, n, dtype=np.float64)
    scale = max(n - 1, 1)
    words = np.expm1(lines[:, col["log_words"]].astype(np.float64))
    out = np.column_stack(
        [
            idx / scale,
            np.log1p(idx),
            np.log1p(n - 1 - idx),
            (np.cumsum(chars) - chars) / max(chars.sum(), 1.0),
            chars / max(chars.max(initial=1.0), 1.0),
            (first - idx).clip(min=0) / scale,
            (idx - last).clip(min=0) / scale,
            ((idx >= first) & (idx <= last)).astype(np.float64),
            np.log1p(nearest),
            _window_mean(prose, 3),
            _window_mean(prose, 8),
            np.log1p(_window_mean(words, 3)),
        ]
    )
    return out.astype(np.float32)


def context_matrix(lines: np.ndarray, docs: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Everything the context model reads: the line, its document, its neighbours, text scores."""
    col = {name: i for i, name in enumerate(LINE_FEATURES)}
    neighbour_cols = [col[name] for name in NEIGHBOUR_FEATURES]
    parts = [lines, docs]
    for off in OFFSETS:
        parts.append(np.column_stack([_shift(lines[:, c], off) for c in neighbour_cols]))
    scores = scores.astype(np.float32)
    padded = np.pad(scores.astype(np.float64), 2, constant_values=np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 5)
    parts.append(
        np.column_stack(
            [
                scores,
                _shift(scores, -1),
                _shift(scores, 1),
                _shift(scores, -2),
                _shift(scores, 2),
                np.nanmean(windows, axis=1),
                np.nanmax(windows, axis=1),
            ]
        )
    )
    return np.hstack(parts).astype(np.float32)
