"""aegra.json `supervisor`: the server variant of the graph (overture/server.py)."""

from overture.server import supervisor as graph

__all__ = ["graph"]
