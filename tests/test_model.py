"""The shipped model: its card, its integrity checks, and that training reproduces it."""

import json
import os
import platform
import shutil
import subprocess
import sys

import joblib
import numpy as np
import pytest
from conftest import ROOT

from cleaner.api import Cleaner
from cleaner.classify import Decision
from cleaner.corpus import corpus_sha256, load_docs
from cleaner.features import FEATURE_VERSION
from cleaner.model import ModelError, default_model_dir, load_model, read_card, sha256_file
from cleaner.train import fit, pass_masks

CORPUS = ROOT / "corpus"


def test_shipped_model_is_inside_the_installed_package():
    folder = default_model_dir()
    assert (folder / "model.joblib").is_file() and (folder / "model.json").is_file()


def test_card_records_how_the_model_was_made_and_what_it_scored():
    card = read_card()
    assert card["feature_version"] == FEATURE_VERSION
    assert {"scikit-learn", "ftfy", "numpy", "joblib", "python"} <= card["versions"].keys()
    assert card["blas_kernel"]  # what training sums through (see cleaner.train)
    assert 0.0 < card["threshold"] < 1.0
    assert card["heldout"]["keep"]["f1"] > 0 and card["heldout"]["drop"]["f1"] > 0
    assert card["model_sha256"] == sha256_file(default_model_dir() / "model.joblib")


def test_model_was_retrained_after_the_corpus_changed():
    assert read_card()["corpus_sha256"] == corpus_sha256(CORPUS), (
        "corpus/ changed but trained/ was not retrained: run `cleaner train corpus --out trained`"
    )


def test_model_file_that_differs_from_its_card_is_refused(tmp_path):
    shutil.copytree(default_model_dir(), tmp_path / "m")
    path = tmp_path / "m" / "model.joblib"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="SHA-256"):
        load_model(path, expected_sha256=read_card()["model_sha256"])


def test_truncated_model_file_gives_a_clear_error(tmp_path):
    path = tmp_path / "model.joblib"
    path.write_bytes((default_model_dir() / "model.joblib").read_bytes()[:1000])
    with pytest.raises(ModelError, match="cannot be read as a model"):
        load_model(path)


def test_model_of_another_feature_version_is_refused(tmp_path):
    payload = joblib.load(default_model_dir() / "model.joblib")
    payload["feature_version"] = "lines-v0"
    joblib.dump(payload, tmp_path / "model.joblib")
    with pytest.raises(ModelError, match="retrain"):
        load_model(tmp_path / "model.joblib")


def test_missing_model_file_gives_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="no model file"):
        load_model(tmp_path / "absent.joblib")


def test_training_reproduces_the_shipped_model_exactly(cleaner, tmp_path):
    """Same corpus, same seeds, same libraries, same BLAS kernel: the same model file, byte for
    byte, computing the same probabilities on the held-out corpus, with the same card figures.
    OpenBLAS picks its kernel by CPU (see :mod:`cleaner.train`), so training runs as the card
    says it was made (``cleaner train``, a fresh process) with the kernel on the card."""
    card = read_card()
    if platform.machine().lower() not in ("x86_64", "amd64"):
        pytest.skip(f"the card's OpenBLAS kernel ({card['blas_kernel']}) is an x86-64 kernel")
    env = {**os.environ, "OPENBLAS_CORETYPE": card["blas_kernel"]}
    command = [sys.executable, "-m", "cleaner.cli", "train", str(CORPUS), "--out", str(tmp_path)]
    subprocess.run(command, env=env, check=True, capture_output=True)
    new_card = json.loads((tmp_path / "model.json").read_text(encoding="utf-8"))
    assert new_card["blas_kernel"] == card["blas_kernel"]
    assert new_card["heldout"] == card["heldout"]
    assert new_card["model_sha256"] == card["model_sha256"]
    texts = [doc.text for doc in load_docs(CORPUS / "heldout")]
    retrained = Cleaner(model=load_model(tmp_path / "model.joblib"))
    new_p = [d.p_keep for doc in retrained.explain_many(texts) for d in doc]
    shipped_p = [d.p_keep for doc in cleaner.explain_many(texts) for d in doc]
    assert np.array_equal(np.array(new_p), np.array(shipped_p), equal_nan=True)


def test_training_is_deterministic_on_a_small_corpus():
    docs = load_docs(CORPUS / "train")[:12]
    a, b = fit(docs), fit(docs)
    dump = lambda m: json.dumps(m.text.coef_.round(10).tolist())  # noqa: E731
    assert dump(a) == dump(b)


def _decided(*lines: tuple[str, bool, int]) -> list[Decision]:
    """Decisions from (text, kept, last pass that scored it); blank lines are scored by none."""
    return [Decision(i, t, t, keep, 0.5, "content", "", n) for i, (t, keep, n) in enumerate(lines)]


def test_pass_copies_are_what_the_second_and_the_last_pass_saw():
    decisions = _decided(
        ("Title", True, 3), ("Menu", False, 1), ("", False, 0), ("Related", False, 2), ("Body", True, 3)
    )
    assert pass_masks(decisions) == [[True, False, True, True, True], [True, False, True, False, True]]


def test_a_document_whose_second_pass_changed_nothing_gives_one_copy():
    decisions = _decided(("Title", True, 2), ("Menu", False, 1), ("Body", True, 2))
    assert pass_masks(decisions) == [[True, False, True]]


def test_a_document_kept_whole_gives_no_copy():
    assert pass_masks(_decided(("Title", True, 1), ("", False, 0), ("Body", True, 1))) == []
