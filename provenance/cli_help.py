"""How the command line declares its options and reads in `--help`: one convention every command follows.

- Values are named by what they are, not by their Python type: `SOURCE...`, `URL...`, `FILE`, `N`,
  `SECONDS`; choices are listed (`table|json`); flags show no value at all. A new option gets this
  by default: its choices, else its `metavar`, else a word for its type (`N`, `PATH`, `TEXT`).
- Defaults read `[default: X]` everywhere, also for a default that is a rule, not a value
  (`--per-host [default: 2; 8 for shorteners]`).
- Options sit in panels by what they are about: settings carry their panel (settings.py:
  "Network limits", "Politeness", "Archive"), `--format` and `-o` sit in "Output", the rest with the
  command's own options.
- A command's docstring is one line saying what it does, then a `\\b` block of examples (kept
  unwrapped), then what its exit codes mean.

tests/test_help.py keeps a snapshot of every command's `--help`.
"""

from __future__ import annotations

import functools
import inspect
import typing
from dataclasses import fields
from pathlib import Path
from typing import Any, cast

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from .cli_output import fail
from .errors import ProvenanceError
from .settings import Settings, option_words

OUTPUT_PANEL = "Output"

_TYPE_WORDS = {int: "N", float: "N", Path: "PATH", str: "TEXT"}


def _default_in_words(param: Any, **kwargs: Any) -> str:
    """A default given in words (`show_default="2; 8 for shorteners"`) reads `[default: 2; 8 for shorteners]`."""
    if isinstance(param.show_default, str):
        return param.show_default
    base = TyperArgument if isinstance(param, TyperArgument) else TyperOption
    return base._get_default_string(param, **kwargs)


class _Argument(TyperArgument):
    """An argument named by its metavar (`SOURCE...`) in the usage line and the panel, without a type."""

    _get_default_string = _default_in_words

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _usage_display_name(self) -> str:
        name = self.display_name_raw
        return name if self.required else f"[{name}]"


class _Option(TyperOption):
    """An option whose value is a word or its choices; a flag shows none; a default in words has no parentheses."""

    _get_default_string = _default_in_words

    def display_type_rich(self, ctx: Any) -> str | None:
        if self.is_flag or self.count:
            return None
        if self.metavar is not None:
            return self.metavar
        choices = self.type_descriptor.choices
        if self.type_descriptor.is_choice and choices:
            return "|".join(getattr(c, "value", str(c)) for c in choices)
        return _TYPE_WORDS.get(self.type_descriptor.annotation, "VALUE")


def _taught(param: Any) -> Any:
    param.__class__ = _Argument if isinstance(param, TyperArgument) else _Option
    return param


class _Taught:
    """Parameters and help that follow the convention above (typer otherwise prints `<list[str]>`, `<bool>`)."""

    params: list[Any]
    help: str | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params = [_taught(p) for p in self.params]
        if self.help:  # rich keeps a docstring's line breaks already; there, a `\b` line would print as a blank one
            self.help = self.help.replace("\b\n", "")

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        return option if option is None else _taught(option)


class TaughtCommand(_Taught, TyperCommand):
    """A command whose help follows the convention."""


class TaughtGroup(_Taught, TyperGroup):
    """The command group (`provenance --version`, `-v`) whose help follows the convention."""


class App(typer.Typer):
    """typer's app whose commands are `TaughtCommand`s unless told otherwise."""

    def __init__(self, *args: Any, cls: Any = TaughtGroup, **kwargs: Any) -> None:
        super().__init__(*args, cls=cls, **kwargs)

    def command(self, *args: Any, cls: Any = TaughtCommand, **kwargs: Any) -> Any:
        return super().command(*args, cls=cls, **kwargs)


def version_option(version: str) -> Any:
    """`--version`: the version printed before anything else is parsed, then exit 0."""
    def show(value: bool) -> None:
        if value:
            typer.echo(f"provenance {version}")
            raise typer.Exit(0)

    return typer.Option(False, "--version", help="Print the version and exit.", is_eager=True, callback=show)


def output_option(help: str = "Write to FILE instead of stdout.") -> Any:
    return typer.Option(None, "-o", "--output", metavar="FILE", help=help, rich_help_panel=OUTPUT_PANEL)


def format_option(default: Any, choices: str) -> Any:
    """`--format`, its choices listed and what each gives said in `choices`."""
    return typer.Option(default, "--format", help=choices, rich_help_panel=OUTPUT_PANEL)


# The default of every command's `settings` parameter: `with_settings` always passes one.
INJECTED = cast(Settings, None)


def with_settings(*names: str, **help: str):
    """Add one CLI option per named setting to a command, and hand it a `Settings` (which checks itself).

    Their spelling, metavar, panel, help and defaults come from settings.py, so every command that
    touches the network takes the same limits with the same words; `help` overrides a setting's help
    for this command (`db="SQLite database to read the chains from."`). A setting that makes no sense,
    or any ProvenanceError of the command, is one line and exit 2.
    """
    meta, hints = {f.name: f for f in fields(Settings)}, typing.get_type_hints(Settings)

    def decorate(fn):
        sig = inspect.signature(fn)
        params = [p for p in sig.parameters.values() if p.name != "settings"]
        for name in names:
            f = meta[name]
            typ = next((a for a in typing.get_args(hints[name]) if a is not type(None)), hints[name])
            spelled, shown = option_words(f)
            metavar = spelled.partition(" ")[2] or None
            multiple = bool(f.metadata.get("multiple"))  # repeatable: a tuple setting, a list option
            opt = typer.Option(
                None if multiple else f.default, f.metadata["flag"], help=help.get(name, f.metadata["help"]),
                metavar=metavar, rich_help_panel=f.metadata["panel"],
                show_default=f.metadata["shown"] or (typ is not bool and f.default is not None))
            annotation: object = list[str] | None if multiple else typ if f.default is not None else typ | None
            params.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=opt, annotation=annotation))

        @functools.wraps(fn)
        def wrapper(**kwargs):
            given = {n: kwargs.pop(n) for n in names}
            given = {n: tuple(v) if isinstance(v, list) else v for n, v in given.items()}  # repeated options
            try:
                return fn(settings=Settings(**{n: v for n, v in given.items() if v is not None}), **kwargs)
            except ProvenanceError as e:
                fail(str(e), getattr(e, "exit_code", 2))  # a full disk is 1: done in part, run it again

        wrapper.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
        return wrapper

    return decorate
