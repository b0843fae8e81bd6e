"""(being written)"""

import typer


def register(app: typer.Typer) -> None:
    """Adds no commands yet."""
