"""`run_document` for the real accounts-payable graph, on a scratch database per evaluation.

Every evaluation starts from the same freshly seeded system of record, in a temporary SQLite
file, never the user's database: a clean invoice that one evaluation pays would be a
"duplicate of a paid invoice" in the next, and the drift gate would fire on its own history.
Runs stop at the approval gateway (the route is known by then); nothing is approved.
"""

from __future__ import annotations

import importlib
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from core.db import make_engine
from core.errors import ConfigurationError
from core.settings import Settings
from observability.evaluation import RunDocument


def load_object(spec: str) -> Any:
    """`package.module:attribute` -> the attribute; a class or factory is called with no args.

    This is how `overture eval --extractor` swaps the extraction strategy under evaluation.
    """
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ConfigurationError(f"--extractor {spec!r}: use 'package.module:Name'")
    try:
        obj = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as error:
        raise ConfigurationError(f"--extractor {spec!r}: {error}") from error
    return obj() if callable(obj) and not hasattr(obj, "extract") else obj


@contextmanager
def accounts_payable_runner(
    settings: Settings, *, extractor: Any | None = None
) -> Iterator[RunDocument]:
    """Yield `run_document(path) -> final state` over a scratch, seeded database."""
    from langchain_core.runnables import RunnableConfig
    from langgraph.checkpoint.memory import InMemorySaver

    from graphs.accounts_payable.context import Context
    from graphs.accounts_payable.graph import build_graph
    from overture.runtime import checkpoint_serde
    from tools.integrations.seed import load_seed_file
    from tools.migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="overture-eval-") as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'eval.db'}")
        try:
            upgrade(engine)
            load_seed_file(engine)
            graph = build_graph(checkpointer=InMemorySaver(serde=checkpoint_serde()))
            context = Context(engine=engine, settings=settings, extractor=extractor)

            def run_document(path: Path) -> Mapping[str, Any]:
                config: RunnableConfig = {
                    "configurable": {"thread_id": f"eval-{uuid.uuid4().hex[:12]}"}
                }
                graph.invoke({"document_path": str(path)}, config, context=context)
                return dict(graph.get_state(config).values)

            yield run_document
        finally:
            engine.dispose()
