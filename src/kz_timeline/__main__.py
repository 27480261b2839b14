"""Allow `python -m kz_timeline`."""

from kz_timeline.cli import run

run()
