"""Alias so that `linli terminal-sim` works as the issue spells it."""

from linli.access.management.commands.terminal_sim import Command

__all__ = ["Command"]
