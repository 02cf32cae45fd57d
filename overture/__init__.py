"""Overture: business processes as LangGraph state graphs on one SQL database."""

__version__ = "0.1.0"
