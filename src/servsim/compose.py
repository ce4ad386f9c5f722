"""Composing a run's config: the one path from choices and overrides to a config and Params.

Everything that turns "market X, strategy Y, these overrides" into a config
goes through :class:`Composer`: the ``servsim`` command's sweep checks (the
sweeper plugin and :class:`servsim.sweep.SweepProgress`), :func:`servsim.simulate`
and :func:`servsim.evaluate`, the experiments and the report
(:mod:`servsim.replicate`), and the dashboard.  It composes with Hydra's own
config loader on the package's configs (:data:`servsim.conf.CONFIG_DIR`), so a
config composed here is the config the command composes.

Hydra composes a config from scratch (some twenty YAML files, ~0.1 s).  Most
runs that an analysis asks for differ only in plain values (``seed=3``,
``strategy.price=1.2``).  Hydra itself composes the defaults list (the config
groups: ``market=telecom``, ``+recovery=fast``, ``strategy@...=lowcost``) first
and applies every other override to the result afterwards; :class:`Composer`
does the same in two steps and caches the first: one composition per distinct
set of config-group choices, and the other overrides applied to a copy with
Hydra's own function.  Sweeps of thousands of seeds, and the thousands of
evaluations of a sensitivity analysis, compose once.

Also here: the helpers between a composed config and the engine
(:func:`task_container`, :func:`params_from_config`), the job list of a sweep
(:func:`expand_sweep`) and the one-line description of a composition error
(:func:`describe_error`).
"""

from __future__ import annotations

import copy
import dataclasses
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from omegaconf import DictConfig, OmegaConf, open_dict, read_write

from servsim import conf
from servsim.params import ParameterError, Params, allowed_for_key, make_params

GROUP_CHOICES = ("market", "strategy", "org", "stage")
"""Config groups chosen in ``config.yaml``'s defaults list (``market=telecom``)."""

ADDED_GROUPS = ("experiment", "heterogeneity", "recovery")
"""Config groups appended on request (``+recovery=fast``)."""

LAUNCHER_EXTRAS = {
    "joblib": "parallel",
    "submitit_local": "cluster",
    "submitit_slurm": "cluster",
    "ray": "ray",
    "ray_aws": "ray",
}
"""Hydra launcher plugins and the servsim extra that installs each."""


def choice_overrides(**choices: str | None) -> list[str]:
    """Hydra overrides choosing config-group options, e.g. ``market="telecom"``.

    Groups of :data:`GROUP_CHOICES` become ``group=option``, those of
    :data:`ADDED_GROUPS` ``+group=option``; ``None`` keeps the root config's
    choice (or adds nothing).

    Raises
    ------
    ParameterError
        For a name that is no config group.
    """
    out = []
    for group, option in choices.items():
        if option is None:
            continue
        if group in GROUP_CHOICES:
            out.append(f"{group}={option}")
        elif group in ADDED_GROUPS:
            out.append(f"+{group}={option}")
        else:
            allowed = ", ".join((*GROUP_CHOICES, *ADDED_GROUPS))
            raise ParameterError(f"{group}: not a config group; allowed: {allowed}")
    return out


def value_overrides(values: Mapping[str, Any] | Sequence[str] | None) -> tuple[list[str], dict]:
    """Split ``overrides`` given as a dict or as ``key=value`` lines into (lines, dict)."""
    if values is None:
        return [], {}
    if isinstance(values, Mapping):
        return [], dict(values)
    if isinstance(values, str):
        raise ParameterError(f"overrides: expected a dict or a list of key=value, got {values!r}")
    return [str(v) for v in values], {}


def standalone_loader() -> Any:
    """Hydra's config loader on the package's configs, without Hydra's global state.

    The search path is the one ``servsim``'s ``@hydra.main`` builds (Hydra's
    own configs, :data:`servsim.conf.CONFIG_DIR`, search-path plugins, the
    ConfigStore), so compositions equal the command's; because it does not go
    through ``GlobalHydra`` it works inside a running Hydra job or test.
    """
    from hydra._internal.config_loader_impl import ConfigLoaderImpl
    from hydra._internal.utils import create_config_search_path

    conf.register_configs()
    return ConfigLoaderImpl(config_search_path=create_config_search_path(
        f"file://{conf.CONFIG_DIR}"))


def _is_structural(override: Any, loader: Any) -> bool:
    """Whether Hydra reads ``override`` while composing the defaults list.

    Config-group overrides (Hydra's own rule: the key is a group and the value
    no dict), and, to stay on the safe side, every ``hydra.*`` override.
    """
    key = override.key_or_group
    if key == "hydra" or key.startswith("hydra.") or key.startswith("hydra/"):
        return True
    try:
        value = override.value()
    except Exception:
        return True
    return loader.repository.group_exists(key) and not isinstance(value, dict)


class Composer:
    """Compose servsim configs as the ``servsim`` command does, once per set of group choices.

    Parameters
    ----------
    master : DictConfig, optional
        A sweep's config, as Hydra passes it to sweepers and callbacks: jobs are
        then composed as Hydra composes a sweep's jobs (``load_sweep_config``,
        with the sweep's Hydra overrides).  Without it, configs are composed
        from the package's root config.
    loader : optional
        Hydra's config loader; default :func:`standalone_loader`.

    Notes
    -----
    ``config(overrides)`` splits ``overrides`` as Hydra does: config-group
    overrides are composed (and cached by their tuple, in order), every other
    override (``seed=3``, ``+strategy.x=1``, ``~sim.days``) is applied to a copy
    with Hydra's own ``_apply_overrides_to_config``, in order, as Hydra applies
    them after composing.  Errors are Hydra's composition errors and
    OmegaConf's validation errors (:func:`describe_error` makes one line of
    them); ranges are checked by :meth:`params`.  Thread-safe.  Usable as a
    context manager (for the code that used ``servsim.replicate.Composer``).
    """

    def __init__(self, master: DictConfig | None = None, loader: Any = None) -> None:
        self.master = master
        self.loader = loader if loader is not None else standalone_loader()
        self._composed: dict[tuple[str, ...], DictConfig] = {}
        self._tasks: dict[tuple[str, ...], DictConfig] = {}
        self._plain: dict[tuple[str, ...], tuple[dict, list] | None] = {}
        self._lock = threading.RLock()

    def __enter__(self) -> Composer:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def split(self, overrides: Iterable[str]) -> tuple[tuple[str, ...], list[Any]]:
        """Return the config-group overrides (as given) and the other overrides (parsed)."""
        from hydra.core.override_parser.overrides_parser import OverridesParser

        structural: list[str] = []
        rest: list[Any] = []
        for override in OverridesParser.create().parse_overrides(list(overrides)):
            if override.is_sweep_override():
                raise ParameterError(f"{override.input_line}: a sweep; one run takes one value "
                                     "(sweeps run with servsim -m)")
            if _is_structural(override, self.loader):
                structural.append(override.input_line)
            else:
                rest.append(override)
        return tuple(structural), rest

    def _base(self, structural: tuple[str, ...], hydra: bool) -> DictConfig:
        with self._lock:
            if structural not in self._composed:
                if self.master is not None:
                    cfg = self.loader.load_sweep_config(self.master, list(structural))
                else:
                    from hydra.types import RunMode

                    cfg = self.loader.load_configuration(
                        config_name=conf.CONFIG_NAME, overrides=list(structural),
                        run_mode=RunMode.RUN, from_shell=False)
                self._composed[structural] = cfg
            if hydra:
                return self._composed[structural]
            if structural not in self._tasks:
                task = copy.deepcopy(self._composed[structural])
                with read_write(task), open_dict(task):
                    task.pop("hydra", None)
                self._tasks[structural] = task
            return self._tasks[structural]

    def config(self, overrides: Iterable[str] = (), values: Mapping[str, Any] | None = None,
               *, hydra: bool = False) -> DictConfig:
        """The composed config for these overrides, then ``values`` (dotted key -> value).

        ``values`` are set as a ``key=value`` override would set them (typed
        by the schema; an unknown key is refused).  With ``hydra`` the config
        keeps its ``hydra`` node (``hydra.overrides.task`` then lists the
        group overrides only).
        """
        from hydra._internal.config_loader_impl import ConfigLoaderImpl
        from hydra.errors import ConfigCompositionException
        from omegaconf.errors import ConfigAttributeError, ConfigKeyError, OmegaConfBaseException

        structural, rest = self.split(overrides)
        cfg = copy.deepcopy(self._base(structural, hydra))
        try:
            ConfigLoaderImpl._apply_overrides_to_config(rest, cfg)
        except OmegaConfBaseException as ex:  # as Hydra's load_configuration wraps them
            raise ConfigCompositionException().with_traceback(ex.__traceback__) from ex
        for key, value in (values or {}).items():
            try:
                OmegaConf.update(cfg, str(key), value, merge=True)
            except (ConfigAttributeError, ConfigKeyError) as ex:
                raise ConfigCompositionException(f"Could not override '{key}'.") from ex
            except OmegaConfBaseException as ex:
                raise ConfigCompositionException(f"Error merging override {key}={value!r}") from ex
        return cfg

    def __call__(self, job: Iterable[str]) -> DictConfig:
        """The full config (with its ``hydra`` node) of a sweep job with these overrides."""
        return self.config(job, hydra=True)

    def task(self, overrides: Iterable[str] = (), values: Mapping[str, Any] | None = None
             ) -> dict[str, Any]:
        """The task part of the composed config as a plain dict (:func:`task_container`)."""
        return task_container(self.config(overrides, values))

    def params(self, overrides: Iterable[str] = (), values: Mapping[str, Any] | None = None
               ) -> Params:
        """Validated parameters for these overrides (raises ParameterError or Hydra's errors).

        When every override besides the config groups sets a plain value, the
        values are checked and converted by the schema's own value nodes and set
        on a plain copy of the composed task (:meth:`_plain_task`), which is
        several times faster than copying the config; anything else, and any
        value the fast path cannot take, goes through :meth:`config`.
        """
        overrides = list(overrides)
        structural, rest = self.split(overrides)
        if all(_is_plain_setting(o) for o in rest):
            merged = {o.key_or_group: o.value() for o in rest}
            merged.update(values or {})
            data = self._plain_task(structural, merged)
            if data is not None:
                return make_params(data)
        return params_from_config(self.config(overrides, values))

    def _plain_task(self, structural: tuple[str, ...], values: Mapping[str, Any]
                    ) -> dict[str, Any] | None:
        """The task as :func:`task_container` would give it, or None to take the slow path.

        Each value is set on a copy of its own value node of the composed config
        (so OmegaConf's type checks and conversions apply, as for ``key=value``),
        then into a plain copy of the task; interpolations of the form
        ``${key}`` (``sim.seed: ${seed}``) are resolved afterwards.
        """
        base = self._base(structural, hydra=False)
        with self._lock:
            if structural not in self._plain:
                self._plain[structural] = _plain_template(base)
            template = self._plain[structural]
        if template is None:
            return None
        data, interpolations = copy.deepcopy(template[0]), template[1]
        for key, value in values.items():
            key = str(key)
            if isinstance(value, Mapping | list | tuple) or (
                    isinstance(value, str) and "${" in value):
                return None
            node = _value_node(base, key)
            if node is None:
                return None
            trial = copy.deepcopy(node)
            try:
                trial._set_value(value)
            except Exception:  # let the slow path raise OmegaConf's own message
                return None
            converted = trial._value()
            if isinstance(converted, str) and "${" in converted:
                return None
            _set_path(data, key, converted)
        for path, ref in interpolations:
            if path in values:
                continue
            target = _get_path(data, ref)
            if target is _ABSENT or (isinstance(target, str) and "${" in target):
                return None
            _set_path(data, path, target)
        data.pop("hydra", None)
        data.pop("seed", None)  # alias, already interpolated into sim.seed
        return data


_ABSENT = object()
_SIMPLE_INTERPOLATION = re.compile(r"^\$\{([A-Za-z_][\w.]*)\}$")


def _is_plain_setting(override: Any) -> bool:
    """Whether ``override`` is a plain ``key=value`` (no ``+``, ``~``, ``++`` or package)."""
    return not (override.is_add() or override.is_delete() or override.is_force_add()
                or override.package is not None)


def _plain_template(base: DictConfig) -> tuple[dict, list[tuple[str, str]]] | None:
    """The unresolved task as a plain dict and its ``${key}`` interpolations (path, key).

    None when the task holds an interpolation of another form (a resolver).
    """
    data = OmegaConf.to_container(base, resolve=False)
    found: list[tuple[str, str]] = []

    def walk(node: Any, path: str) -> bool:
        if isinstance(node, dict):
            return all(walk(v, f"{path}.{k}" if path else str(k)) for k, v in node.items())
        if isinstance(node, list):
            return all(walk(v, f"{path}.{i}") for i, v in enumerate(node))
        if isinstance(node, str) and "${" in node:
            match = _SIMPLE_INTERPOLATION.match(node)
            if match is None:
                return False
            found.append((path, match.group(1)))
        return True

    return (data, found) if walk(data, "") else None


def _value_node(cfg: DictConfig, key: str) -> Any:
    """The value node at dotted ``key`` of ``cfg`` (None if missing or a container)."""
    from omegaconf import ValueNode

    node: Any = cfg
    for part in key.split("."):
        if not isinstance(node, DictConfig) or part not in node:
            return None
        node = node._get_node(part)
    return node if isinstance(node, ValueNode) else None


def _get_path(data: dict, key: str) -> Any:
    node: Any = data
    for part in key.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _ABSENT
    return node


def _set_path(data: dict, key: str, value: Any) -> None:
    *parents, last = key.split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


_default: Composer | None = None
_default_lock = threading.Lock()


def default_composer() -> Composer:
    """The process's shared :class:`Composer` on the package's configs (created on first use)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Composer()
        return _default


def compose_params(overrides: Mapping[str, Any] | Sequence[str] | None = None,
                   **choices: str | None) -> Params:
    """Validated parameters of the run ``servsim [choices] [overrides]`` would make.

    Parameters
    ----------
    overrides
        ``{"strategy.price": 1.2}`` or ``["strategy.price=1.2", ...]`` (Hydra
        syntax, as on the command line).
    **choices
        Config-group options: ``market``, ``strategy``, ``org``, ``stage``,
        ``experiment``, ``heterogeneity``, ``recovery`` (None: the root
        config's choice).

    Raises
    ------
    ParameterError
        On any invalid choice, key or value, with one line (:func:`describe_error`).
    """
    lines, values = value_overrides(overrides)
    try:
        return default_composer().params([*choice_overrides(**choices), *lines], values)
    except ParameterError:
        raise
    except Exception as ex:
        if raised_by_hydra(ex):
            raise ParameterError(describe_error(ex)) from None
        raise


def compose_task(overrides: Iterable[str]) -> dict[str, Any]:
    """The task part of the config ``servsim OVERRIDES`` composes, as a plain dict."""
    return default_composer().task(list(overrides))


# --------------------------------------------------------------------------- config -> params


def task_container(cfg: DictConfig | Mapping[str, Any]) -> dict[str, Any]:
    """Return the task part of a composed config as a plain dict (no ``hydra`` node, no alias)."""
    if isinstance(cfg, DictConfig):
        if "hydra" in cfg:
            cfg = copy.deepcopy(cfg)
            with read_write(cfg), open_dict(cfg):
                cfg.pop("hydra", None)
        data = OmegaConf.to_container(cfg, resolve=True)
    else:
        data = copy.deepcopy(dict(cfg))
        data.pop("hydra", None)
    assert isinstance(data, dict)
    data.pop("seed", None)  # alias, already interpolated into sim.seed
    return data


def params_from_config(cfg: DictConfig | Mapping[str, Any]) -> Params:
    """Build validated :class:`~servsim.params.Params`; raises ParameterError."""
    return make_params(task_container(cfg))


# --------------------------------------------------------------------------- sweeps


def expand_sweep(config: DictConfig) -> list[list[str]] | None:
    """Return the override list of every job a basic-sweeper multirun will launch, in order.

    Mirrors :class:`hydra._internal.core_plugins.basic_sweeper.BasicSweeper`:
    ``hydra.sweeper.params`` first, then the command line's task overrides.
    Returns None for other sweepers or when the overrides cannot be parsed.
    """
    target = str(OmegaConf.select(config, "hydra.sweeper._target_", default=""))
    if not target.endswith("BasicSweeper"):
        return None
    try:
        from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
        from hydra.core.override_parser.overrides_parser import OverridesParser

        params = OmegaConf.select(config, "hydra.sweeper.params", default=None) or {}
        lines = [f"{k}={v}" for k, v in params.items()]
        lines += list(config.hydra.overrides.task)
        parsed = OverridesParser.create().parse_overrides(lines)
        batches = BasicSweeper.split_arguments(parsed, None)
    except Exception:  # unknown sweep syntax: Hydra will report it itself
        return None
    return [job for batch in batches for job in batch]


# --------------------------------------------------------------------------- errors


def describe_error(ex: BaseException) -> str:
    """One line for a configuration error: the key, the value and what is allowed."""
    from hydra.errors import MissingConfigException
    from omegaconf.errors import ConfigAttributeError, ConfigKeyError, OmegaConfBaseException

    if isinstance(ex, ParameterError):
        return str(ex)
    if isinstance(ex, MissingConfigException) and ex.missing_cfg_file:
        missing = str(ex.missing_cfg_file)
        group, _, option = missing.rpartition("/")
        if ex.options is not None:
            allowed = sorted(o for o in ex.options if not o.startswith("base_"))
            return (f"{group}={option}: unknown option of config group '{group}'; "
                    f"allowed: {', '.join(allowed)}")
        first = first_line(ex)
        plugin = LAUNCHER_EXTRAS.get(option) if group == "hydra/launcher" else None
        if plugin:
            return (f"{first} The launcher plugin is not installed; "
                    f"pip install 'servsim[{plugin}]'")
        return first
    head = first_line(ex).rstrip(".")
    cause = ex if isinstance(ex, OmegaConfBaseException) else ex.__cause__
    if isinstance(cause, OmegaConfBaseException):
        msg = first_line(cause, getattr(cause, "msg", None))
        key = getattr(cause, "full_key", None) or ""
        parent = getattr(cause, "parent_node", None)
        if isinstance(cause, ConfigKeyError | ConfigAttributeError):
            schema = getattr(cause, "object_type", None)
            if dataclasses.is_dataclass(schema):
                msg += f"; allowed: {', '.join(f.name for f in dataclasses.fields(schema))}"
            elif parent is not None and hasattr(parent, "keys"):
                msg += f"; allowed: {', '.join(str(k) for k in parent.keys())}"
        text = msg if cause is ex else f"{head}: {msg}" if head else msg
        if key and key not in text:
            text += f" (key {key})"
        hint = allowed_for_key(str(key)) if key else None
        if hint and "allowed" not in text:
            text += f"; {hint}"  # a value of the wrong type: say what the key takes
        return text
    if "No match in the defaults list" in str(ex):
        return head + experiment_hint(str(ex))
    return head or type(ex).__name__


def experiment_hint(text: str) -> str:
    """A hint for ``group=option`` of a group that is not in the defaults list (``+`` missing)."""
    for group in ADDED_GROUPS:
        if f"'{group}'" in text or f"{group}=" in text:
            return (f" (the {group} group is not in the root config's defaults: "
                    f"add it with +{group}=NAME)")
    return " (a group that is not in the root config's defaults is added with +group=NAME)"


def first_line(ex: BaseException, text: str | None = None) -> str:
    """The first non-empty line of ``text`` (default ``str(ex)``)."""
    for line in (text or str(ex)).splitlines():
        if line.strip():
            return line.strip()
    return ""


def raised_by_hydra(ex: BaseException) -> bool:
    """Tell whether ``ex`` was raised inside Hydra or OmegaConf (not in servsim or the model)."""
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    if isinstance(ex, HydraException | OmegaConfBaseException):
        return True
    tb = ex.__traceback__
    last = None
    while tb is not None:
        last = tb.tb_frame
        tb = tb.tb_next
    name = str(last.f_globals.get("__name__", "")) if last is not None else ""
    return name.split(".")[0] in ("hydra", "omegaconf")
