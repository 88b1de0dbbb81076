"""A datatrove pipeline step: ``CleanerFilter()`` cleans each document's text in place.

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from cleaner.integrations.datatrove import CleanerFilter

    LocalPipelineExecutor(
        pipeline=[JsonlReader("raw/"), CleanerFilter(), JsonlWriter("clean/")], tasks=4
    ).run()

It is a datatrove ``BaseFilter``: documents are cleaned in batches (one ``clean_many`` call per
``batch_size`` documents, with the model loaded once per worker process, never pickled with the
pipeline), a document left with no text is dropped (reason ``no_content``; with
``exclusion_writer`` it is written there with its original text), and the others go on with
their cleaned text, metadata unchanged. Cross-document counts need a first pass over the whole
input, which a streaming step does not have: pass ``counts`` (from ``Cleaner.count`` over the
input, e.g. a sample of it) to use them. Needs ``pip install 'cleaner[datatrove]'``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter

from cleaner.api import Cleaner, Config

if TYPE_CHECKING:
    from datatrove.pipeline.writers.disk_base import DiskWriter

    from cleaner.crossdoc import LineCounts

NO_CONTENT = "no_content"


@lru_cache(maxsize=2)
def _cleaner(config: Config) -> Cleaner:
    return Cleaner(config)


class CleanerFilter(BaseFilter):
    """Strip boilerplate from each document's text; drop documents left empty."""

    name = "🧹 cleaner"

    def __init__(
        self,
        config: Config | None = None,
        batch_size: int = 256,
        exclusion_writer: DiskWriter | None = None,
        keep_empty: bool = False,
        counts: LineCounts | None = None,
    ) -> None:
        super().__init__(exclusion_writer=exclusion_writer, batch_size=batch_size)
        self.config = config or Config()
        self.keep_empty = keep_empty
        self.counts = counts

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        return self.filter_batch([doc])[0]

    def filter_batch(self, batch: list[Document]) -> list[bool | tuple[bool, str]]:
        cleaned = _cleaner(self.config).clean_many([doc.text for doc in batch], self.counts)
        results: list[bool | tuple[bool, str]] = []
        for doc, text in zip(batch, cleaned, strict=True):
            self.stat_update("chars_removed", value=len(doc.text) - len(text))
            if text or self.keep_empty:
                doc.text = text
                results.append(True)
            else:
                results.append((False, NO_CONTENT))
        return results
