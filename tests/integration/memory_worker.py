"""Run by the memory tests in a fresh OS process: open the store, act, print JSON.

`load`: open the store with an embedder that counts its calls, report the calls made while
loading (must be zero), then every item and the answers to the given queries.
`write`: put and delete items, as another process sharing the database would.
"""

from __future__ import annotations

import json
import sys

from memory.embeddings import HashEmbeddings
from memory.store import SQLVectorStore


class CountingEmbeddings(HashEmbeddings):
    """The hash embedder, counting every call."""

    calls = 0

    def embed_documents(self, texts):
        CountingEmbeddings.calls += 1
        return super().embed_documents(texts)

    def embed_query(self, text):
        CountingEmbeddings.calls += 1
        return super().embed_query(text)


def main() -> None:
    command, url, payload = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    embed = CountingEmbeddings(payload.get("dims", 384))
    with SQLVectorStore.from_url(url, index={"dims": embed.dims, "embed": embed}) as store:
        if command == "load":
            calls_while_loading = CountingEmbeddings.calls
            items = store.search((), limit=100_000)
            answers = [
                [[list(r.namespace), r.key, r.score] for r in store.search((), query=q, limit=10)]
                for q in payload["queries"]
            ]
            print(
                json.dumps(
                    {
                        "calls_while_loading": calls_while_loading,
                        "items": [[list(i.namespace), i.key, i.value] for i in items],
                        "answers": answers,
                    }
                )
            )
        elif command == "write":
            for ns, key, value in payload["puts"]:
                store.put(tuple(ns), key, value)
            for ns, key in payload["deletes"]:
                store.delete(tuple(ns), key)
            print(json.dumps({"ok": True}))


if __name__ == "__main__":
    main()
