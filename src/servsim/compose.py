"""Composing the configs of a sweep's jobs quickly.

Hydra composes a job's config from scratch (some twenty YAML files, ~0.1 s)
and does so for every job twice before it runs (the basic sweeper's check and
servsim's parameter check), so a sweep of 1,000 seeds would spend minutes
before its first run.  Most jobs of a sweep differ only in plain values
(``seed=3``, ``strategy.price=1.2``): :class:`JobComposer` composes once per
distinct set of *structural* overrides (config groups such as
``market=telecom``, ``+recovery=fast``, deletions, packages, keys that are not
a plain value) and sets the plain values on a copy, as Hydra itself applies
value overrides after composing the groups.
"""

from __future__ import annotations

import copy
from typing import Any

from omegaconf import DictConfig, OmegaConf

_ABSENT = object()


def split_value_overrides(
    config: DictConfig, job: list[str] | tuple[str, ...], loader: Any
) -> tuple[tuple[str, ...], list[tuple[str, Any]]]:
    """Split a job's overrides into structural ones and plain value settings.

    Returns the structural overrides as given and the plain ``key=value`` ones as
    (key, parsed value) pairs.  An override is plain when it sets a key that holds a
    value (not a config node) in ``config`` and is no config group of ``loader``'s
    repository, without ``+``, ``~``, ``@package`` or a sweep; anything else (or
    anything in doubt) is structural.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser

    structural: list[str] = []
    values: list[tuple[str, Any]] = []
    for override in OverridesParser.create().parse_overrides(list(job)):
        key = override.key_or_group
        plain = not (override.is_add() or override.is_delete() or override.is_force_add()
                     or override.package is not None or override.is_sweep_override()
                     or "/" in key)
        if plain:
            try:
                node = OmegaConf.select(config, key, default=_ABSENT, throw_on_missing=False)
                plain = (node is not _ABSENT and not OmegaConf.is_config(node)
                         and not loader.repository.group_exists(key))
            except Exception:
                plain = False
        if plain:
            values.append((key, override.value()))
        else:
            structural.append(override.input_line)
    return tuple(structural), values


class JobComposer:
    """The config of each job of a sweep, composed once per set of structural overrides.

    ``master`` is the sweep's config (as Hydra passes it to sweepers and callbacks),
    ``loader`` Hydra's config loader.  Errors are Hydra's own composition errors or
    OmegaConf's validation errors for a value of the wrong type.
    """

    def __init__(self, master: DictConfig, loader: Any) -> None:
        self.master = master
        self.loader = loader
        self._composed: dict[tuple[str, ...], DictConfig] = {}

    def __call__(self, job: list[str] | tuple[str, ...]) -> DictConfig:
        """Return the composed config of the job with these overrides."""
        structural, values = split_value_overrides(self.master, job, self.loader)
        if structural not in self._composed:
            self._composed[structural] = self.loader.load_sweep_config(
                self.master, list(structural))
        cfg = copy.deepcopy(self._composed[structural])
        for key, value in values:
            OmegaConf.update(cfg, key, value, merge=False)
        return cfg
