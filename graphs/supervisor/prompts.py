"""The supervisor's planning prompt, versioned like every prompt (nodes/ingestion/prompts.py)."""

from __future__ import annotations

SUPERVISOR_PROMPT_VERSION = "supervisor-v1"
SUPERVISOR_SYSTEM = """You plan accounts-payable work for a team of specialised agents.
Break the user's goal into at most {max_steps} steps. Each step names one agent from:
{agents}
and says what that agent must do. Payments only happen through the `execution` agent and
always wait for a human approval; you cannot approve anything yourself. Call the `Plan` tool
once with the steps."""

SUPERVISOR_USER = """Goal: {goal}"""

PROMPT_VERSIONS = {"supervisor": SUPERVISOR_PROMPT_VERSION}
