"""Reading YAML from a cohort safely: PyYAML's safe loader, dates left as text, and aliases bounded.

A cohort's YAML files (``program.yaml``, an instrument) come from users and from whoever sent them the folder. The
safe loader builds no Python objects, and this one also refuses an alias "bomb" (``a2: [*a1, *a1, ...]``, nine
times per level, grows 9ⁿ-fold) before anything expands it, and an alias used inside the value it names.
"""

from __future__ import annotations

from typing import Any

import yaml

from ..errors import Problem, shown

__all__ = ["MAX_ALIAS_VALUES", "load_yaml"]

#: How many values YAML aliases (``*name``) may add to a file in total. A real ``program.yaml`` or instrument has a
#: few hundred values; a nested alias bomb (``a2: [*a1, *a1, ...]``) multiplies them at every level and would make
#: every later step (validation, messages) explode.
MAX_ALIAS_VALUES = 5_000


class _Loader(yaml.SafeLoader):
    """A safe loader that leaves dates as text, so that a date that does not exist (2026-02-30) is reported by the
    schema at its key instead of failing the whole file; and that refuses aliases expanding the file beyond
    :data:`MAX_ALIAS_VALUES` values, or an alias used inside the value it names (a cycle)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._alias_values = 0
        self._sizes: dict[int, int] = {}
        self._open: set[str] = set()

    def compose_node(self, parent: Any, index: Any) -> Any:  # PyYAML's Composer, with a budget for aliases
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            anchor = event.anchor
            if anchor in self._open:
                raise yaml.composer.ComposerError(None, None, f"the alias *{shown(anchor)[1:-1]} is used inside "
                                                  "the value it names (a cycle)", event.start_mark)
            if anchor in self.anchors:
                self._alias_values += self._size(self.anchors[anchor])
                if self._alias_values > MAX_ALIAS_VALUES:
                    raise yaml.composer.ComposerError(
                        None, None, f"aliases (*name) expand this file to more than {MAX_ALIAS_VALUES:,} values; "
                        "write the values out instead of nesting aliases", event.start_mark)
            return super().compose_node(parent, index)
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        if anchor is None:
            return super().compose_node(parent, index)
        self._open.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._open.discard(anchor)

    def _size(self, node: yaml.Node) -> int:
        """The number of values ``node`` stands for once its aliases are expanded (memoized: aliases share nodes)."""
        known = self._sizes.get(id(node))
        if known is not None:
            return known
        if isinstance(node, yaml.SequenceNode):
            size = 1 + sum(self._size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            size = 1 + sum(self._size(k) + self._size(v) for k, v in node.value)
        else:
            size = 1
        self._sizes[id(node)] = size
        return size


_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def load_yaml(text: str, file: str) -> tuple[Any, list[Problem]]:
    """Parse YAML safely; a syntax error becomes a problem located by line and column.

    Aliases are allowed while they expand the file by at most :data:`MAX_ALIAS_VALUES` values.

    Examples
    --------
    >>> load_yaml("labels: &l [a, b]\\nagain: *l", "x.yaml")
    ({'labels': ['a', 'b'], 'again': ['a', 'b']}, [])
    >>> bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\\n" + "".join(
    ...     f"b{k}: &b{k} [{', '.join([f'*b{k - 1}' if k else '*a'] * 10)}]\\n" for k in range(5))
    >>> [str(p) for p in load_yaml(bomb, "program.yaml")[1]]  # doctest: +ELLIPSIS
    ['program.yaml:4:25: not valid YAML: aliases (*name) expand this file to more than 5,000 values; ...']
    """
    try:
        return yaml.load(text, Loader=_Loader), []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = (mark.line + 1, str(mark.column + 1)) if mark is not None else (None, None)
        what = exc.problem or str(exc)
        return None, [Problem(file, where[0], where[1], f"not valid YAML: {what}")]
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        return None, [Problem(file, None, None, f"not valid YAML: {shown(str(exc), 200)}")]
