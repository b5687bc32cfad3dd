"""``python -m hardware``: see hardware.cli."""

from hardware import cli

if __name__ == "__main__":
    raise SystemExit(cli.main())
