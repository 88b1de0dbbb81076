"""Trim inline cruft: metadata glued to a content line, removed while the line is kept.

Scrapers often glue a timestamp to the first sentence (``date 2021-09-12 As hundreds of ...``)
or leave an ad marker at the end of a paragraph. Dropping such a line loses content and
keeping it whole keeps cruft, so the cruft is cut and the rest kept. Only a prefix followed by
a real sentence (capital or quote, at least four more words) is cut: a line that is only a
timestamp is left whole for the classifier to drop. Stacked prefixes are cut at once, so one
pass reaches what passes would (cleaning must be idempotent however many there are).
"""

from __future__ import annotations

import re

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = (
    r"(?:\d{4}-\d{1,2}-\d{1,2}"  # 2021-09-12
    r"|\d{1,2}[./]\d{1,2}[./]\d{2,4}"  # 12.09.2021, 9/12/21
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}"  # 12 September 2021
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"  # September 12th, 2021
)
_TIME = r"(?:\s*(?:,|at|-|\|)?\s*\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+(?-i:[A-Z]{2,4})\b)?)?"
_LEAD = re.compile(  # matched at a position, so no ^
    r"(?:(?:date|dated|updated|published|posted|posted on|last updated|last modified)"
    rf"\s*:?\s*)?{_DATE}{_TIME}\s*[:|\-–—]?\s+",
    re.IGNORECASE,
)
_SENTENCE_START = re.compile(r"[\"'“‘«(]?[A-Z0-9À-ÖØ-Þ]")
_MIN_WORDS_AFTER = 4
#: A real sentence: its start, then at least :data:`_MIN_WORDS_AFTER` words in all.
_SENTENCE = re.compile(_SENTENCE_START.pattern + rf"\S*(?:\s+\S+){{{_MIN_WORDS_AFTER - 1}}}")
_TAIL = ("advertisement", "Advertisement", "ADVERTISEMENT")  # an ad marker glued to the end


def trim(text: str) -> tuple[str, str]:
    """Return ``(text without inline cruft, the cruft removed)``; ``("", "")`` stays as is."""
    cut = []
    start = 0  # stacked prefixes ("Updated <date> Published <date> ...") go in one call
    while (lead := _LEAD.match(text, start)) and _SENTENCE.match(text, lead.end()):
        start = lead.end()
    if start:
        cut.append(text[:start])
        text = text[start:]
    if text.endswith(_TAIL):
        head = text[: -len(_TAIL[0])]
        body = head.rstrip()
        if len(body) < len(head) and len(body.split()) >= _MIN_WORDS_AFTER:
            cut.append(text[len(body) :])
            text = body
    return text, "".join(cut)
