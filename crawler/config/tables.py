"""Typed, located access to one TOML table: every wrong value becomes a one-line ConfigError."""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from crawler.config.model import ConfigError

MISSING: Any = object()


def describe(value: Any) -> str:
    kinds: list[tuple[type | tuple[type, ...], str]] = [
        (bool, "true/false"),
        (int, "an integer"),
        (float, "a number"),
        (str, "a string"),
        (list, "a list"),
        (dict, "a table"),
        ((datetime, date, time), "a date/time"),
    ]
    return next((name for kind, name in kinds if isinstance(value, kind)), type(value).__name__)


def toml_value(value: Any) -> str:
    if isinstance(value, tuple):
        value = list(value)
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class Table:
    data: Mapping[str, Any]
    key: str
    file: Path | None

    def where(self, name: str) -> str:
        return f"{self.key}.{name}" if self.key else name

    def error(self, name: str, problem: str, fix: str) -> ConfigError:
        return ConfigError(self.file, self.where(name), problem, fix)

    def check_keys(self, allowed: Collection[str]) -> None:
        for name in self.data:
            if name not in allowed:
                close = difflib.get_close_matches(name, list(allowed), n=1)
                valid = f"valid keys: {', '.join(allowed)}"
                fix = f"did you mean {close[0]!r}?" if close else valid
                raise self.error(name, "unknown key", fix)

    def _get(self, name: str, kinds: tuple[type, ...], default: Any, example: Any) -> Any:
        """The value under ``name`` if it is one of ``kinds``; ``default`` if absent."""
        if name not in self.data:
            if default is MISSING:
                raise self.error(name, "missing", f"add {name} = {toml_value(example)}")
            return default
        value = self.data[name]
        # TOML booleans are Python ints; an integer setting must not accept true.
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            expected = describe(kinds[-1]())  # (int, float) reads as "a number"
            problem = f"expected {expected}, got {describe(value)}"
            raise self.error(name, problem, f"write it like {name} = {toml_value(example)}")
        return value

    def string(
        self, name: str, default: Any = MISSING, *, example: str = "", blank_ok: bool = False
    ) -> str:
        sample = example or default
        value: str = self._get(name, (str,), default, sample).strip()
        if not value and not blank_ok:
            raise self.error(name, "blank", f"give it a value, e.g. {name} = {toml_value(sample)}")
        return value

    def strings(
        self, name: str, default: Any = MISSING, *, example: Collection[str] = ()
    ) -> tuple[str, ...]:
        values = self._get(name, (list,), default, list(example or default or ["..."]))
        result: list[str] = []
        for i, value in enumerate(values):
            if not isinstance(value, str):
                problem = f"expected a list of strings, item {i} is {describe(value)}"
                raise self.error(f"{name}[{i}]", problem, "put every item in quotes")
            if not value.strip():
                raise self.error(f"{name}[{i}]", "blank string", "remove it or give it a value")
            result.append(value.strip())
        return tuple(dict.fromkeys(result))

    def integer(self, name: str, default: int, *, minimum: int) -> int:
        value: int = self._get(name, (int,), default, default)
        if value < minimum:
            raise self.error(name, f"{value} is less than {minimum}", f"use {minimum} or more")
        return value

    def number(self, name: str, default: float) -> float:
        value = float(self._get(name, (int, float), default, default))
        if not (math.isfinite(value) and value > 0):
            problem = f"{value} is not a positive number"
            raise self.error(name, problem, f"use e.g. {name} = {default}")
        return value

    def boolean(self, name: str, default: bool) -> bool:
        value: bool = self._get(name, (bool,), default, default)
        return value

    def free_table(self, name: str) -> dict[str, Any]:
        """A table whose keys are the user's own (spider args, Scrapy settings)."""
        if not isinstance(self.data.get(name, {}), dict):
            raise self._not_a_table(name)
        return dict(self.data.get(name, {}))

    def table(self, name: str) -> Table:
        value = self.data.get(name, {})
        if not isinstance(value, dict):
            raise self._not_a_table(name)
        return Table(value, self.where(name), self.file)

    def tables(self, name: str) -> list[Table]:
        values = self.data.get(name, [])
        if not isinstance(values, list):
            problem = f"expected an array of tables, got {describe(values)}"
            fix = f"write each one as a [[{name}]] table (double brackets)"
            raise self.error(name, problem, fix)
        if not values:
            fix = f"add at least one [[{name}]] table (see the packaged default.toml)"
            raise self.error(name, f"no {name} are configured", fix)
        for i, value in enumerate(values):
            if not isinstance(value, dict):
                problem = f"expected a [[{name}]] table, item {i} is {describe(value)}"
                raise self.error(f"{name}[{i}]", problem, f"write each one as a [[{name}]] table")
        where = self.where(name)
        return [Table(value, f"{where}[{i}]", self.file) for i, value in enumerate(values)]

    def _not_a_table(self, name: str) -> ConfigError:
        problem = f"expected a table, got {describe(self.data[name])}"
        inline = f"an inline table {name} = {{ ... }}"
        fix = f"write it as {inline}"
        if "[" not in self.key:  # a [section] header cannot name an array item
            fix = f"write it as a [{self.where(name)}] section or as {inline}"
        return self.error(name, problem, fix)
