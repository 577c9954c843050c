"""Subcommands of `eecc`: one module each, with `add_parser(subparsers)`; see eecc/cli.py."""
