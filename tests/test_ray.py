"""--backend ray: the run engine's tasks on a Ray cluster (here a local one, started in the test,
on the loopback interface) give the same bytes as a local run."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PARAGRAPHS, article, long_prose

from cleaner.files import plan
from cleaner.run import RunSettings, run_jobs

ray = pytest.importorskip("ray", reason="Ray is an optional extra: pip install 'cleaner[ray]'")


@pytest.fixture(scope="module")
def local_ray():
    ray.init(
        num_cpus=2, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1",
        configure_logging=False,
    )  # fmt: skip
    yield
    ray.shutdown()


def _inputs(src: Path) -> None:
    site = "More from the coast desk"
    for i in range(40):
        folder = src / f"s{i % 3}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{i}.txt").write_text(article((1, site), (3, PARAGRAPHS[i % 4])), encoding="utf-8")
    (src / "records.jsonl").write_text('{"text": "Advertisement"}\nnot json\n', encoding="utf-8")
    (src / "big.txt").write_text(long_prose(32), encoding="utf-8")


def _outputs(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_ray_backend_gives_the_same_bytes_and_summary_as_a_local_run(tmp_path, local_ray):
    _inputs(tmp_path / "in")
    summaries = {}
    for backend in ("local", "ray"):
        out = tmp_path / backend
        settings = RunSettings(
            backend=backend, segment_bytes=1500, batch_counts=True, dedup=True,
            report=str(out / "report.jsonl"), removed=str(out / "removed"),
        )  # fmt: skip
        summaries[backend] = run_jobs(plan(tmp_path / "in", out / "clean"), settings)
    assert summaries["ray"] == summaries["local"]
    assert summaries["ray"].cleaned == 42 and summaries["ray"].bad_records == 1
    local, remote = _outputs(tmp_path / "local"), _outputs(tmp_path / "ray")
    assert remote == local and len(local) == 2 * 42 + 1
