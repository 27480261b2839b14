"""Write the command-line reference (docs/cli.md) as Markdown, from the argument parser itself."""

from __future__ import annotations

import argparse

from kz_timeline.arguments import build_parser

INTRO = """\
# Command line

Generated from the argument parser (`kz_timeline.arguments.build_parser`) by `kz-timeline generate`; a test fails
when it drifts. `kz-timeline COMMAND --help` prints the same.

Exit codes: 0 when the command did its job, 1 when the data is invalid or a file cannot be read or written, 2 for
arguments that are wrong or contradict each other, 130 when interrupted (Ctrl-C), with no message. Problems with
the data are printed one per line on standard error, `FILE:LINE: column 'x': message`; any other error is one line,
`Error: ...`. `--debug`, before or after the command, adds a traceback. Without `--data-dir`, a command uses `./data`
in a kz-timeline checkout, else the data shipped with the package ([which data](python.md#which-data)), and its
summary line names the data it used.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _option(action: argparse.Action) -> str:
    """Return how an option or argument is written: `--kind {timeline,actors,claims}`, `--out PATH`, `FORMAT`."""
    if not action.option_strings:
        return str(action.metavar or action.dest)
    name = ", ".join(action.option_strings)
    if action.nargs == 0:
        return name
    if action.metavar is not None:
        return f"{name} {action.metavar}"
    if action.choices is not None:
        return f"{name} {{{','.join(str(choice) for choice in action.choices)}}}"
    return f"{name} {action.dest.upper()}"


def _help(action: argparse.Action, prog: str) -> str:
    text = action.help or ""
    if "%(" in text:
        text = text % {"default": action.default, "prog": prog}
    return text


def _arguments_table(parser: argparse.ArgumentParser) -> list[str]:
    rows = ["| argument | what it does |", "|---|---|"]
    for action in parser._actions:
        if action.help == argparse.SUPPRESS or isinstance(action, argparse._SubParsersAction):
            continue
        rows.append(f"| `{_cell(_option(action))}` | {_cell(_help(action, parser.prog))} |")
    return rows


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, tuple[str, argparse.ArgumentParser]]:
    """Return each subcommand's one-line help and parser, in the order `--help` lists them."""
    action = next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
    return {name: (helps[name], subparser) for name, subparser in action.choices.items()}


def cli_reference() -> str:
    """Return the reference of every command, option and argument of `kz-timeline` as Markdown."""
    parser = build_parser()
    commands = _subcommands(parser)
    parts = [INTRO, "| command | what it does |", "|---|---|"]
    parts += [f"| [`{name}`](#kz-timeline-{name}) | {_cell(text)} |" for name, (text, _) in commands.items()]
    parts += ["", "## kz-timeline", "", _cell(parser.description or ""), "", *_arguments_table(parser)]
    for name, (text, subparser) in commands.items():
        description = subparser.description or (text[:1].upper() + text[1:] + ".")
        parts += ["", f"## kz-timeline {name}", "", description, "", *_arguments_table(subparser)]
    return "\n".join(parts) + "\n"
