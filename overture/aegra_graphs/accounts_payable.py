"""aegra.json `accounts_payable`: the server variant of the graph (overture/server.py)."""

from overture.server import accounts_payable as graph

__all__ = ["graph"]
