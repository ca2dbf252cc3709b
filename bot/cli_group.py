"""The ``reportbot`` command group's own behaviour: a quiet end on a closed pipe, and click's usage
errors said in one line, in the user's language."""

from __future__ import annotations

import difflib
import os
import sys
from typing import Any

import click

from workflows.i18n import LANGS, lang_from_env, t


class QuietGroup(click.Group):
    """The command group, ending quietly when its reader goes away (`reportbot fields | head`)."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run a command; a broken pipe is the reader's choice, not an error worth a traceback."""
        standalone = kwargs.pop("standalone_mode", True)
        try:
            result = super().main(*args, standalone_mode=False, **kwargs)
        except click.UsageError as exc:
            # Click's own form is three lines of English; ours is one, in the user's language.
            if not standalone:
                raise
            argv = list(kwargs.get("args") or (args[0] if args else None) or sys.argv[1:])
            click.echo(_usage_line(exc, lang_of_argv(argv) or lang_from_env(os.environ)), err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            if not standalone:
                raise
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            if not standalone:
                raise
            click.echo("Aborted!", err=True)
            sys.exit(1)
        except BrokenPipeError:
            # Python flushes stdout again at exit: point it at devnull so that flush cannot fail too.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(141)  # 128 + SIGPIPE, as a shell reports a command that died of a broken pipe
        if standalone:
            sys.exit(result if isinstance(result, int) else 0)
        return result


def _usage_line(exc: click.UsageError, lang: str) -> str:
    """Click's usage error as one line in the user's language, with where to look for help."""
    command = exc.ctx.command_path if exc.ctx is not None else "reportbot"
    if isinstance(exc, click.NoSuchOption):
        close = ", ".join(sorted(exc.possibilities or ()))
        problem = t(lang, "no option {option}", option=exc.option_name)
        if close:
            problem += t(lang, "; did you mean {options}?", options=close)
    elif isinstance(exc, click.MissingParameter) and exc.param is not None:
        name = exc.param.opts[0] if exc.param.opts else str(exc.param.name)
        problem = t(lang, "{option} is required", option=name)
    elif isinstance(exc, click.BadParameter) and exc.param is not None:
        name = exc.param.opts[0] if exc.param.opts else str(exc.param.name)
        choices = getattr(exc.param.type, "choices", None)
        if choices:
            problem = t(lang, "{option}: choose one of {choices}", option=name, choices=", ".join(choices))
        elif isinstance(exc.param.type, click.types.IntParamType):
            problem = t(lang, "{option}: a whole number is needed", option=name)
        else:
            problem = t(lang, "{option}: {problem}", option=name, problem=exc.message)
    elif isinstance(exc.ctx.command if exc.ctx else None, click.Group) and exc.message.startswith("No such"):
        names = sorted(exc.ctx.command.list_commands(exc.ctx))
        typed = exc.message.split("'")[1] if exc.message.count("'") >= 2 else ""
        close = difflib.get_close_matches(typed, names, n=1)
        problem = t(lang, "no command {name}; commands: {names}", name=typed, names=", ".join(names))
        if close:
            problem = t(lang, "no command {name}; did you mean {close}?", name=typed, close=close[0])
    else:
        problem = exc.message
    return t(lang, "{command}: {problem} (see {command} --help)", command=command, problem=problem)


def lang_of_argv(argv: list[str]) -> str | None:
    """The --lang given on the command line, if any (a usage error may come before it is parsed)."""
    for index, word in enumerate(argv):
        value = word.split("=", 1)[1] if word.startswith("--lang=") else None
        if word == "--lang" and index + 1 < len(argv):
            value = argv[index + 1]
        if value in LANGS:
            return value
    return None


def current_lang() -> str:
    """The language of the command running now: its own --lang, the group's, else the locale's."""
    ctx = click.get_current_context(silent=True)
    for level in (ctx, ctx.find_root()) if ctx is not None else ():
        if level.params.get("lang") in LANGS:
            return level.params["lang"]
    return lang_from_env(os.environ)
