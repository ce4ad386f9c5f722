"""servsim's sweeper: Hydra's basic sweeper with a faster up-front check.

Hydra's :class:`BasicSweeper` composes every job's config before launching a
batch, to catch composition errors early (~0.1 s a job: minutes for a sweep of
thousands of seeds, spent in the launching process while workers wait).
:class:`ServsimBasicSweeper` runs the same sweep with the same check, composing
once per distinct set of config-group overrides and setting plain values on a
copy (:class:`servsim.compose.Composer`).  servsim's ``hydra/default.yaml``
selects it; the jobs, their order, batches and outputs are the basic sweeper's.
"""

from __future__ import annotations

from collections.abc import Sequence

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper


class ServsimBasicSweeper(BasicSweeper):
    """:class:`BasicSweeper` whose batch check composes each distinct config once."""

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        """Compose every job of ``batch`` (raising Hydra's or OmegaConf's error)."""
        from servsim.compose import Composer

        assert self.config is not None and self.hydra_context is not None
        compose = Composer(self.config, self.hydra_context.config_loader)
        for overrides in batch:
            compose(list(overrides))
