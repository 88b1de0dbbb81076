"""``--backend ray``: the run engine's tasks as Ray tasks, on an existing cluster.

The tasks are the ones a local run makes (:mod:`cleaner.run`): the same chunks of files, each
cleaned by one Ray task that loads the model once per worker process and writes its outputs
atomically, results taken back in task order, so the outputs are byte-identical to a local run.
The batch counts of the first pass go to the object store once (``ray.put``) and every task
reads them from there without a copy. At most :data:`IN_FLIGHT_PER_CPU` tasks per cluster CPU
are submitted ahead, so the driver's memory stays flat however long the plan is.

Inputs and outputs are paths: every node must see them at the same place (a shared file
system). Ray is an optional dependency: ``pip install 'cleaner[ray]'``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from cleaner.crossdoc import LineCounts

#: Tasks submitted ahead of the one being waited for, per CPU of the cluster.
IN_FLIGHT_PER_CPU = 2


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:  # pragma: no cover (depends on the installation)
        raise RuntimeError("--backend ray needs Ray: pip install 'cleaner[ray]'") from exc
    return ray


def connect(address: str | None) -> Any:
    """Ray, connected to the cluster at ``address`` (None: ``RAY_ADDRESS``, else a local one),
    unless this process is connected already (then that cluster is used)."""
    ray = _ray()
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    return ray


def cluster_cpus(address: str | None) -> int:
    """How many CPUs the cluster has (at least one)."""
    return max(1, int(connect(address).cluster_resources().get("CPU", 1)))


def ray_map(
    fn: Callable[..., Any], tasks: Iterable[tuple[Any, ...]], counts: LineCounts | None, address: str | None
) -> Iterator[Any]:
    """``fn(*task, table)`` for every task as a Ray task, results in task order; ``table`` is the
    counts' table from the object store (None without counts)."""
    ray = connect(address)
    remote = ray.remote(num_cpus=1, max_retries=0)(fn)
    shared = ray.put(counts.table) if counts is not None else None
    window = IN_FLIGHT_PER_CPU * cluster_cpus(address)
    pending: deque[Any] = deque()
    try:
        for task in tasks:
            pending.append(remote.remote(*task, shared))
            if len(pending) >= window:
                yield _get(ray, pending.popleft())
        while pending:
            yield _get(ray, pending.popleft())
    finally:
        for ref in pending:  # the run stopped early: do not leave work running on the cluster
            ray.cancel(ref)


def _get(ray: Any, ref: Any) -> Any:
    from cleaner.run import RunAborted

    try:
        return ray.get(ref)
    except (ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError) as exc:
        raise RunAborted(
            "a Ray worker died (killed, out of memory, or its node was lost); the outputs written are "
            "complete: run the same command again to finish"
        ) from exc
