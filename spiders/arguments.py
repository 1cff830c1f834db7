"""What a spider's arguments may be: one declaration per spider, checked when the config is read.

A source's ``args`` (``[[sources]] args`` in the config, ``scrapy crawl -a`` on the command line)
are checked against its spider's ``arguments`` before any command runs: an unknown key, a wrong
type or a value outside the allowed ones is a one-line ConfigError naming the source's key.
The values the spider gets are typed and complete (defaults filled in).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.config.model import ConfigError

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
URL = re.compile(r"^https?://[^/\s]+")


class ArgumentError(ValueError):
    """One bad argument value: what is wrong and how to fix it; ``item`` is a list index."""

    def __init__(self, problem: str, fix: str, item: int | None = None, name: str = ""):
        super().__init__(problem)
        self.problem = problem
        self.fix = fix
        self.item = item
        self.name = name  # set by rules that judge several arguments at once


def kind_of(value: Any) -> str:
    kinds: list[tuple[type, str]] = [(bool, "true/false"), (int, "an integer"), (float, "a number"),
                                     (str, "a string"), (list, "a list"), (tuple, "a list"), (dict, "a table")]
    return next((name for kind, name in kinds if isinstance(value, kind)), type(value).__name__)


def close_match(value: str, candidates: Collection[str]) -> str | None:
    found = difflib.get_close_matches(value, list(candidates), n=1)
    return found[0] if found else None


@dataclass(frozen=True, kw_only=True)
class Argument:
    """One argument: its name and its default (what the spider gets when the config omits it)."""

    name: str
    default: Any = None

    def read(self, value: Any) -> Any:
        """A TOML value, checked and normalised; ArgumentError when it is not allowed."""
        raise NotImplementedError

    def read_text(self, text: str) -> Any:
        """A ``scrapy crawl -a NAME=TEXT`` value."""
        return self.read(text)

    def example(self) -> str:
        return toml(self.default)

    def wrong_type(self, value: Any, expected: str) -> ArgumentError:
        return ArgumentError(f"expected {expected}, got {kind_of(value)}",
                             f"write it like {self.name} = {self.example()}")


def toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml(item) for item in value) + "]"
    return str(value)


@dataclass(frozen=True, kw_only=True)
class Flag(Argument):
    default: bool = False

    def read(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.wrong_type(value, "true/false")
        return value

    def read_text(self, text: str) -> bool:
        word = text.strip().lower()
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return word in TRUE_WORDS
        raise ArgumentError(f"{text!r} is not true/false", f"use {self.name}=true or {self.name}=false")


@dataclass(frozen=True, kw_only=True)
class Count(Argument):
    default: int = 0
    minimum: int = 1

    def read(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.wrong_type(value, "a whole number")
        if value < self.minimum:
            raise ArgumentError(f"{value} is less than {self.minimum}", f"use {self.minimum} or more")
        return value

    def read_text(self, text: str) -> int:
        try:
            return self.read(int(text))
        except ValueError:
            raise ArgumentError(f"{text!r} is not a whole number", f"use e.g. {self.name}={self.default}") from None


def items_of(value: Any, *, split: bool) -> list[Any] | None:
    """A list value's items; a lone string is one item, or comma-separated items (as ``-a`` gives)."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()] if split else [value]
    if isinstance(value, (list, tuple)):
        return list(value)
    return None


@dataclass(frozen=True, kw_only=True)
class Words(Argument):
    """A list of plain words (codes, names); a string is a comma-separated list."""

    default: tuple[str, ...] = ()
    choices: Mapping[str, str] = field(default_factory=dict)  # allowed value -> what it is; {} = any
    hints: Mapping[str, str] = field(default_factory=dict)  # what people write instead -> the value
    what: str = "value"  # "ifeng region", for the messages

    def read(self, value: Any) -> tuple[str, ...]:
        items = items_of(value, split=True)
        if items is None:
            raise self.wrong_type(value, "a list of strings")
        words: list[str] = []
        for i, item in enumerate(items):
            if not isinstance(item, str) or not item.strip():
                shown = "a blank string" if isinstance(item, str) else kind_of(item)
                fix = f"write it like {self.name} = {self.example()}"
                raise ArgumentError(f"expected a string, got {shown}", fix, i)
            word = item.strip().lower() if self.choices else item.strip()
            if self.choices and word not in self.choices:
                raise ArgumentError(f"unknown {self.what} {item!r}", self.suggest(word), i)
            words.append(word)
        return tuple(dict.fromkeys(words))

    def suggest(self, word: str) -> str:
        hint = self.hints.get(word) or self.hints.get(word.replace(" ", ""))
        if hint is None:
            close = close_match(word, [*self.choices, *self.hints])
            hint = self.hints.get(close, close) if close else None
        listed = ", ".join(f"{code} ({label})" if label else code for code, label in self.choices.items())
        if hint is None:
            return f"use one of: {listed}"
        label = self.choices.get(hint, "")
        return f"did you mean {hint!r}{f' ({label})' if label else ''}?"


@dataclass(frozen=True, kw_only=True)
class Numbers(Argument):
    """A list of integer ids; ``names`` (id -> name) turn a name written by mistake into a hint."""

    default: tuple[int, ...] = ()
    names: Mapping[int, str] = field(default_factory=dict)
    what: str = "id"

    def read(self, value: Any) -> tuple[int, ...]:
        items = [value] if isinstance(value, int) and not isinstance(value, bool) else items_of(value, split=False)
        if items is None:
            raise self.wrong_type(value, "a list of integers")
        numbers: list[int] = []
        for i, item in enumerate(items):
            if isinstance(item, bool) or not isinstance(item, int) or item < 0:
                raise ArgumentError(f"{toml(item)} is not a {self.what} (a whole number)", self.suggest(item), i)
            numbers.append(item)
        return tuple(dict.fromkeys(numbers))

    def read_text(self, text: str) -> tuple[int, ...]:
        words = items_of(text, split=True) or []
        return self.read([int(word) if word.isdigit() else word for word in words])

    def suggest(self, item: Any) -> str:
        if isinstance(item, str) and item.strip().isdigit():
            return f"write it without quotes: {self.name} = [{int(item)}]"
        by_name = {name: number for number, name in self.names.items()}
        close = close_match(item, by_name) if isinstance(item, str) else None
        listed = ", ".join(f"{number} {name}" for number, name in list(self.names.items())[:8])
        if close:
            return f"did you mean {by_name[close]} ({close})?"
        return f"write the ids, e.g. {self.name} = {self.example()} ({listed}, …)"


@dataclass(frozen=True, kw_only=True)
class Urls(Argument):
    """A list of http(s) URLs; a string is a comma-separated list."""

    default: tuple[str, ...] = ()

    def read(self, value: Any) -> tuple[str, ...]:
        items = items_of(value, split=True)
        if items is None:
            raise self.wrong_type(value, "a list of URLs")
        for i, item in enumerate(items):
            if not isinstance(item, str):
                raise ArgumentError(f"expected a URL string, got {kind_of(item)}", "put every URL in quotes", i)
            if not URL.match(item.strip()):
                fix = f'write it in full, e.g. "https://{item.strip()}"'
                raise ArgumentError(f"{item!r} is not an http(s) URL", fix, i)
        return tuple(dict.fromkeys(item.strip() for item in items))


def compiled(value: str) -> re.Pattern[str]:
    try:
        return re.compile(value)
    except re.error as exc:
        raise ArgumentError(f"{value!r} is not a regular expression ({exc})",
                            "fix the pattern; in TOML write it in single quotes, e.g. '^https?://x\\.cn/\\d+\\.html$'"
                            ) from None


@dataclass(frozen=True, kw_only=True)
class Patterns(Argument):
    """A list of regular expressions; a string is one regex (a regex may hold commas)."""

    default: tuple[str, ...] = ()

    def read(self, value: Any) -> tuple[str, ...]:
        items = items_of(value, split=False)
        if items is None:
            raise self.wrong_type(value, "a list of regular expressions")
        for i, item in enumerate(items):
            if not isinstance(item, str):
                raise ArgumentError(f"expected a regex string, got {kind_of(item)}", "put every regex in quotes", i)
            try:
                compiled(item)
            except ArgumentError as error:
                error.item = i
                raise
        return tuple(dict.fromkeys(items))

    def example(self) -> str:
        return "['^https?://example\\.cn/\\d+\\.html$']"


@dataclass(frozen=True, kw_only=True)
class Pattern(Argument):
    """One optional regular expression ("" = none)."""

    default: str = ""

    def read(self, value: Any) -> str:
        if not isinstance(value, str):
            raise self.wrong_type(value, "a regex string")
        if value:
            compiled(value)
        return value

    def example(self) -> str:
        return "'/(\\d+)\\.html$'"


Rule = Callable[[Mapping[str, Any]], None]  # judges the checked values together; raises ArgumentError(name=…)
# What a source would crawl, in lines for ``topicfeed check``: from its checked values and the topic keywords.
Plan = Callable[[Mapping[str, Any], Sequence[str]], list[str]]


@dataclass(frozen=True)
class SpiderArguments:
    """A spider's declared arguments: what ``[[sources]] args`` may hold for it."""

    spider: str
    arguments: tuple[Argument, ...] = ()
    rules: tuple[Rule, ...] = ()
    plan: Plan | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(argument.name for argument in self.arguments)

    def check(self, args: Mapping[str, Any], *, where: str = "args", file: Path | str | None = None,
              text: Collection[str] = ()) -> dict[str, Any]:
        """``args`` checked and complete: every declared argument, typed, defaults filled in.

        ``where``: the config key of the args (``sources[0].args``), named in the errors;
        ``text``: the names whose values are ``scrapy crawl -a`` text.
        """
        declared = {argument.name: argument for argument in self.arguments}
        for name in args:
            if name not in declared:
                close = close_match(name, declared)
                fix = f"did you mean {close!r}?" if close else f"{self.spider} takes: {', '.join(declared) or 'none'}"
                raise ConfigError(file, f"{where}.{name}", f"unknown argument of spider {self.spider!r}", fix)
        values = {name: argument.default for name, argument in declared.items()}
        for name, value in args.items():
            argument = declared[name]
            from_text = name in text and isinstance(value, str)
            try:
                values[name] = argument.read_text(value) if from_text else argument.read(value)
            except ArgumentError as error:
                key = (f"-a {name}" if from_text else f"{where}.{name}") + (
                    "" if error.item is None else f"[{error.item}]")
                raise ConfigError(file, key, error.problem, error.fix) from None
        for rule in self.rules:
            try:
                rule(values)
            except ArgumentError as error:
                raise ConfigError(file, f"{where}.{error.name}", error.problem, error.fix) from None
        return values
