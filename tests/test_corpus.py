"""The corpus: well-formed, big and varied enough, held-out sites never trained on, no near-copies."""

import re
from itertools import combinations

import pytest
from conftest import ROOT

from cleaner.corpus import KEEP, CorpusError, corpus_files, load_docs, parse_doc

CORPUS = ROOT / "corpus"


@pytest.fixture(scope="module")
def docs():
    return {part: load_docs(CORPUS / part) for part in ("train", "heldout")}


def test_every_corpus_file_parses(docs):
    assert len(corpus_files(CORPUS)) == len(docs["train"]) + len(docs["heldout"])


def test_corpus_has_at_least_400_documents_and_15000_labeled_lines(docs):
    all_docs = docs["train"] + docs["heldout"]
    assert len(all_docs) >= 400
    assert sum(1 for d in all_docs for label in d.labels if label) >= 15000


def test_corpus_spans_at_least_40_sites_and_5_languages_besides_english(docs):
    all_docs = docs["train"] + docs["heldout"]
    assert len({d.site for d in all_docs}) >= 40
    assert len({d.site.split("-")[0] for d in all_docs} - {"en"}) >= 5


def test_heldout_sites_are_never_trained_on(docs):
    heldout = {d.site for d in docs["heldout"]}
    assert heldout, "corpus/heldout is empty"
    assert not heldout & {d.site for d in docs["train"]}


def test_every_document_has_content_and_cruft(docs):
    for doc in docs["train"] + docs["heldout"]:
        labels = {label for label in doc.labels if label}
        assert KEEP in labels, doc.name
        assert labels - {KEEP}, doc.name


def _shingles(doc, size=5):
    words = re.findall(
        r"\w+",
        " ".join(t for t, label in zip(doc.raw_lines, doc.labels, strict=True) if label == KEEP).lower(),
    )
    return {tuple(words[i : i + size]) for i in range(max(len(words) - size + 1, 0))}


def test_no_two_documents_are_near_copies(docs):
    shingles = {d.name: _shingles(d) for d in docs["train"] + docs["heldout"]}
    close = []
    for (a, sa), (b, sb) in combinations(shingles.items(), 2):
        if sa and sb and len(sa & sb) / min(len(sa), len(sb)) > 0.3:
            close.append((a, b))
    assert close == []


def test_a_line_without_a_known_label_is_reported_with_file_and_line(tmp_path):
    path = tmp_path / "en-x-01.tsv"
    path.write_text("keep\tA title\nkeeep\tA typo in the label\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"en-x-01.tsv:2"):
        parse_doc(path)
