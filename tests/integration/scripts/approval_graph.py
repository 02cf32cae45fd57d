"""A graph that asks for approval: `start` runs it to the interrupt, `resume` finishes it.

Run as `python approval_graph.py <database-url> <thread-id> start|resume`; each phase is a
separate OS process, so the only thing they share is the database.
"""

from __future__ import annotations

import json
import sys
from typing import TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt

from memory.checkpoint import SQLCheckpointer


class State(TypedDict):
    amount: int
    decision: str


def approve(state: State) -> dict[str, str]:
    return {"decision": interrupt({"question": f"pay {state['amount']}?"})}


def main(url: str, thread_id: str, phase: str) -> None:
    builder = StateGraph(State)
    builder.add_node("approve", approve)
    builder.add_edge(START, "approve")
    builder.add_edge("approve", END)
    with SQLCheckpointer.from_url(url) as saver:
        saver.setup()
        graph = builder.compile(checkpointer=saver)
        config = {"configurable": {"thread_id": thread_id}}
        if phase == "start":
            result = graph.invoke({"amount": 120, "decision": ""}, config)
            print(json.dumps({"interrupts": [i.value for i in result["__interrupt__"]]}))
        else:
            result = graph.invoke(Command(resume="approved"), config)
            print(json.dumps(result))


if __name__ == "__main__":
    main(*sys.argv[1:4])
