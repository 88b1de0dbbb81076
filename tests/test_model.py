"""The shipped model: its card, its integrity checks, and that training reproduces it."""

import json
import shutil

import joblib
import numpy as np
import pytest
from conftest import ROOT

from cleaner.corpus import corpus_sha256, load_docs
from cleaner.features import FEATURE_VERSION
from cleaner.model import ModelError, default_model_dir, load_model, read_card, sha256_file
from cleaner.train import fit

CORPUS = ROOT / "corpus"


def test_shipped_model_is_inside_the_installed_package():
    folder = default_model_dir()
    assert (folder / "model.joblib").is_file() and (folder / "model.json").is_file()


def test_card_records_how_the_model_was_made_and_what_it_scored():
    card = read_card()
    assert card["feature_version"] == FEATURE_VERSION
    assert {"scikit-learn", "ftfy", "numpy", "joblib", "python"} <= card["versions"].keys()
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


def test_training_reproduces_the_shipped_model_exactly(cleaner):
    """Same corpus, same seeds, same libraries: the same model, judged by what it computes (every
    probability on the held-out corpus, bit for bit) and by the figures on its card. (The pickle
    bytes can differ between processes when equal objects are shared differently in memory.)"""
    from cleaner.api import Cleaner
    from cleaner.train import train_corpus

    card = read_card()
    model, new_card = train_corpus(CORPUS, card["threshold"])
    assert new_card["heldout"] == card["heldout"]
    texts = [doc.text for doc in load_docs(CORPUS / "heldout")]
    retrained = [d.p_keep for doc in Cleaner(model=model).explain_many(texts) for d in doc]
    shipped = [d.p_keep for doc in cleaner.explain_many(texts) for d in doc]
    assert np.array_equal(np.array(retrained), np.array(shipped), equal_nan=True)


def test_training_is_deterministic_on_a_small_corpus():
    docs = load_docs(CORPUS / "train")[:12]
    a, b = fit(docs), fit(docs)
    dump = lambda m: json.dumps(m.text.coef_.round(10).tolist())  # noqa: E731
    assert dump(a) == dump(b)
