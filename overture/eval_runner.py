"""`run_document` for a workflow's real graph, on a scratch database per evaluation.

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
def workflow_runner(
    settings: Settings, workflow: str = "accounts_payable", *, extractor: Any | None = None
) -> Iterator[RunDocument]:
    """Yield `run_document(path) -> final state` for `workflow` over a scratch database
    seeded with the sample books (every workflow's)."""
    from langchain_core.runnables import RunnableConfig
    from langgraph.checkpoint.memory import InMemorySaver

    from overture.runtime import checkpoint_serde
    from overture.workflows import seed_workflows, workflow_migrations, workflow_spec
    from tools.integrations.seed import load_seed_file
    from tools.migrate import upgrade

    spec = workflow_spec(workflow)
    with tempfile.TemporaryDirectory(prefix="overture-eval-") as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'eval.db'}")
        try:
            upgrade(engine, locations=workflow_migrations())
            load_seed_file(engine)
            seed_workflows(engine)
            graph = spec.build_graph(InMemorySaver(serde=checkpoint_serde()), None)
            context = spec.build_context(engine, settings, None)
            if extractor is not None:
                context.extractor = extractor

            def run_document(path: Path) -> Mapping[str, Any]:
                config: RunnableConfig = {
                    "configurable": {"thread_id": f"eval-{uuid.uuid4().hex[:12]}"}
                }
                graph.invoke({"document_path": str(path)}, config, context=context)
                return dict(graph.get_state(config).values)

            yield run_document
        finally:
            engine.dispose()
