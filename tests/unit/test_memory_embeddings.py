"""The embedder factory: hash by default, clear errors for unknown specs."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import ConfigurationError
from memory.embeddings import HashEmbeddings, LocalMiniLMEmbeddings, make_embeddings


def test_hash_is_the_default_and_gives_384_unit_vectors() -> None:
    vector = np.asarray(make_embeddings("hash").embed_query("supplier changed bank account"))
    assert vector.shape == (384,)
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-6)


def test_hash_is_deterministic_across_instances() -> None:
    text = "duplicate invoice from vendor 42"
    assert HashEmbeddings().embed_query(text) == HashEmbeddings().embed_query(text)


def test_hash_scores_shared_words_above_unrelated_text() -> None:
    embed = HashEmbeddings()
    query, near, far = (
        np.asarray(v)
        for v in embed.embed_documents(
            ["bank account changed", "the bank account was changed", "weather report"]
        )
    )
    assert query @ near > query @ far


def test_hash_of_empty_text_is_the_zero_vector() -> None:
    assert not any(HashEmbeddings().embed_query(""))


def test_hash_dims_can_be_chosen() -> None:
    assert len(make_embeddings("hash:64").embed_query("x")) == 64


def test_local_names_the_minilm_embedder_without_loading_it() -> None:
    assert isinstance(make_embeddings("local"), LocalMiniLMEmbeddings)


def test_openai_spec_builds_openai_embeddings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-used")
    embeddings = make_embeddings("openai:text-embedding-3-small")
    assert type(embeddings).__name__ == "OpenAIEmbeddings"
    assert embeddings.model == "text-embedding-3-small"


@pytest.mark.parametrize("spec", ["", "bert", "openai", "hash:zero", "local:big"])
def test_unknown_specs_name_the_valid_ones(spec: str) -> None:
    with pytest.raises(ConfigurationError, match="`hash`.*`local`.*`openai:<model>`"):
        make_embeddings(spec)
