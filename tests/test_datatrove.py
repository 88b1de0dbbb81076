"""cleaner.integrations.datatrove: one line in a datatrove pipeline cleans its documents."""

from __future__ import annotations

import json

import pytest
from conftest import article

pytest.importorskip("datatrove", reason="datatrove is an optional extra: pip install 'cleaner[datatrove]'")

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

from cleaner.integrations.datatrove import CleanerFilter

DIRTY = article((3, "Advertisement"), (0, "Image: AP"))


def _pipeline(tmp_path, step: CleanerFilter) -> list[dict]:
    (tmp_path / "raw").mkdir(parents=True)
    rows = [
        {"id": "a", "text": DIRTY},
        {"id": "b", "text": "Advertisement\n"},
        {"id": "c", "text": article()},
    ]
    (tmp_path / "raw" / "part.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8"
    )
    pipeline = [
        JsonlReader(str(tmp_path / "raw")),
        step,
        JsonlWriter(str(tmp_path / "clean"), compression=None),
    ]
    executor = LocalPipelineExecutor(
        pipeline=pipeline, tasks=1, workers=1, logging_dir=str(tmp_path / "logs")
    )
    executor.run()
    lines = (tmp_path / "clean" / "00000.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_cleaner_filter_in_a_local_pipeline_cleans_each_record(tmp_path, cleaner):
    out = _pipeline(tmp_path, CleanerFilter(batch_size=2))
    assert {r["id"]: r["text"] for r in out} == {"a": cleaner.clean(DIRTY), "c": article()}


def test_documents_left_without_text_are_dropped_unless_keep_empty(tmp_path):
    assert [r["id"] for r in _pipeline(tmp_path / "dropped", CleanerFilter())] == ["a", "c"]
    kept = _pipeline(tmp_path / "kept", CleanerFilter(keep_empty=True))
    assert [(r["id"], r.get("text", "")) for r in kept][1] == (
        "b",
        "",
    )  # datatrove's writer omits empty fields
