"""aegra.json `procurement`: the server variant of the graph (overture/server.py)."""

from overture.server import procurement as graph

__all__ = ["graph"]
