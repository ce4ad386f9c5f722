"""Hydra schema: the parameter dataclasses registered in Hydra's ConfigStore.

Each config group's YAML files (under :data:`CONFIG_DIR`) start their defaults
list with the group's schema, e.g. ``strategy/premium.yaml``::

    defaults:
      - base_strategy
      - _self_

so Hydra type-checks every value at composition: a misspelt key
(``strategy.pric=1``) or a wrong type (``sim.days=abc``) fails before any run.
Range checks (a probability above 1, a negative price, shares that do not sum
to 1) are :func:`servsim.params.validate`'s job, called by
:func:`servsim.params.make_params`.

Registered schemas
------------------
``base_config``
    the root: :class:`Config` = :class:`servsim.params.Params` plus ``seed``.
``strategy/base_strategy``, ``org/base_org``, ``stage/base_stage``,
``market/base_market``
    one per lever or uncertainty group.

The registration is idempotent and runs on import (:mod:`servsim.compose`
imports this module before Hydra composes), and :func:`register_configs` may
be called again (tests do, after ``GlobalHydra`` resets).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from hydra.core.config_store import ConfigStore

from servsim.params import (
    MarketParams,
    OrgParams,
    Params,
    SegmentParams,
    StageParams,
    StrategyParams,
)

CONFIG_DIR: Path = Path(__file__).resolve().parent / "configs"
"""The directory holding ``config.yaml`` and the config groups (shipped inside the package)."""

CONFIG_NAME = "config"
"""Name of the root config (``config.yaml``)."""


@dataclass
class MarketSchema(MarketParams):
    """:class:`~servsim.params.MarketParams` with no default segment.

    OmegaConf merges dicts key by key, so a default ``{"all": ...}`` segment
    would survive next to a market file's own segments.  Here the market file
    alone says which segments exist; a market without segments is refused by
    :func:`servsim.params.validate`.
    """

    segments: dict[str, SegmentParams] = field(default_factory=dict)


@dataclass
class Config(Params):
    """The root config: every :class:`~servsim.params.Params` field plus a top-level ``seed``.

    ``seed`` is a short alias so that ``servsim -m seed='range(20)'`` sweeps
    replications; ``config.yaml`` sets ``sim.seed: ${seed}``.  An explicit
    ``sim.seed=...`` override still wins.
    """

    market: MarketSchema = field(default_factory=MarketSchema)
    seed: int = 0


GROUPS: dict[str, type] = {
    "strategy": StrategyParams,
    "org": OrgParams,
    "stage": StageParams,
    "market": MarketSchema,
}
"""Config groups with a dataclass schema, and the schema of each."""


def register_configs() -> None:
    """Store the schemas in Hydra's ConfigStore (safe to call more than once)."""
    cs = ConfigStore.instance()
    cs.store(name="base_config", node=Config)
    for group, schema in GROUPS.items():
        cs.store(group=group, name=f"base_{group}", node=schema)


register_configs()


# --------------------------------------------------------------------------- user input

ALLOW_RESOLVERS_ENV = "SERVSIM_ALLOW_RESOLVERS"
"""Set to 1 to let the ``servsim`` command pass interpolations in overrides to OmegaConf."""

SAFE_RESOLVERS = ("now",)
"""Resolvers that read nothing of the host but the clock (Hydra's ``${now:%H-%M-%S}`` dirs)."""

_INTERPOLATION = re.compile(r"(?<!\\)\$\{\s*([A-Za-z_][\w.\-]*)?\s*(:)?")


def refuse_resolvers(text_or_overrides: str | Iterable[str], *,
                     allowed: Iterable[str] = SAFE_RESOLVERS) -> None:
    r"""Refuse interpolations and resolvers (``${...}``) in user input, with one line.

    OmegaConf resolves ``${oc.env:HOME}``, ``${oc.decode:...}``, ``${hydra:runtime.cwd}``
    and plain ``${key}`` references when a config is read, so an override
    that holds one can make servsim read, and then show, the host's environment
    or files' paths (the dashboard's free-override box shows the values it
    composed).  Overrides from a user therefore may not hold any, except the
    clock's ``${now:...}``.  Escaped ``\${`` (a literal) is allowed.

    Parameters
    ----------
    text_or_overrides
        One string (e.g. a text box's content) or a list of overrides.
    allowed
        Resolver names that are let through.

    Raises
    ------
    ParameterError
        Naming the first offending override and how to allow them on purpose.
    """
    from servsim.params import ParameterError

    items = [text_or_overrides] if isinstance(text_or_overrides, str) else text_or_overrides
    allowed = set(allowed)
    for item in items:
        text = str(item)
        for match in _INTERPOLATION.finditer(text):
            name, call = match.group(1), match.group(2)
            if call and name in allowed:
                continue
            shown = text if len(text) <= 80 else text[:77] + "..."
            raise ParameterError(
                f"{shown}: interpolations and resolvers (${{...}}) are refused in overrides, "
                f"since they can read the host's environment; set {ALLOW_RESOLVERS_ENV}=1 "
                "to allow them")


def resolvers_allowed() -> bool:
    """Whether the environment allows interpolations in command-line overrides."""
    import os

    return os.environ.get(ALLOW_RESOLVERS_ENV, "").strip().lower() in ("1", "true", "yes")
