"""cleaner: strip boilerplate (ads, credits, bylines, menus, footers) from scraped text.

    >>> import cleaner
    >>> cleaner.clean(text)                      # shipped model, loaded once per process
    >>> c = cleaner.Cleaner(cleaner.Config(threshold=0.6))
    >>> c.explain(text)                          # a Decision per input line

The flow, one module per stage: :mod:`~cleaner.decode` -> :mod:`~cleaner.repair` ->
:mod:`~cleaner.lines` (and :mod:`~cleaner.trim`) -> :mod:`~cleaner.features` ->
:mod:`~cleaner.classify` (with :mod:`~cleaner.model`) -> :mod:`~cleaner.smooth` ->
:mod:`~cleaner.write`.
"""

from cleaner.api import Cleaner, Config, clean
from cleaner.classify import Decision

__all__ = ["Cleaner", "Config", "Decision", "clean"]
