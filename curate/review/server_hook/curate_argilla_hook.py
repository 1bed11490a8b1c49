"""Runs argilla-server's CLI with one extra search engine registered: ``opensearch-osmem``.

This file is executed by the *server's* Python (the separate ``.venv-argilla``), never by the toolkit:
``curate review serve`` puts this folder on ``PYTHONPATH`` and starts ``python -m curate_argilla_hook start ...``
and ``... worker``, so server and worker both see the engine, then sets ``ARGILLA_SEARCH_ENGINE=opensearch-osmem``.

Why: osmem-server (the in-memory OpenSearch used for local review sessions and tests) does not run update
scripts, which the stock engine uses for three operations: saving one response, deleting a response and
deleting a suggestion.  The variant does the same as a get -> modify -> index of the record's document.
Everything else is the stock ``OpenSearchEngine``.
"""

from __future__ import annotations

from argilla_server.search_engine.base import SearchEngine
from argilla_server.search_engine.commons import es_index_name_for_dataset
from argilla_server.search_engine.opensearch import OpenSearchEngine

ENGINE_NAME = "opensearch-osmem"


@SearchEngine.register(engine_name=ENGINE_NAME)
class OsmemOpenSearchEngine(OpenSearchEngine):
    async def _get_source(self, index_name: str, doc_id: str) -> dict:
        doc = await self.client.get(index=index_name, id=doc_id)
        return dict(doc.get("_source") or {})

    async def _put_source(self, index_name: str, doc_id: str, source: dict) -> None:
        await self.client.index(index=index_name, id=doc_id, body=source, refresh=True)

    async def update_record_response(self, response) -> None:
        record = response.record
        index_name = es_index_name_for_dataset(record.dataset)
        source = await self._get_source(index_name, str(record.id))
        new = self._map_record_response_to_es(response)
        kept = [r for r in (source.get("responses") or []) if str(r.get("id")) != str(new["id"])]
        source["responses"] = [*kept, new]
        await self._put_source(index_name, str(record.id), source)

    async def delete_record_response(self, response) -> None:
        record = response.record
        index_name = es_index_name_for_dataset(record.dataset)
        source = await self._get_source(index_name, str(record.id))
        source["responses"] = [r for r in (source.get("responses") or []) if str(r.get("id")) != str(response.id)]
        await self._put_source(index_name, str(record.id), source)

    async def delete_record_suggestion(self, suggestion) -> None:
        index_name = es_index_name_for_dataset(suggestion.record.dataset)
        source = await self._get_source(index_name, str(suggestion.record_id))
        suggestions = dict(source.get("suggestions") or {})
        suggestions.pop(suggestion.question.name, None)
        source["suggestions"] = suggestions
        await self._put_source(index_name, str(suggestion.record_id), source)


def curate_start(host: str, port: int) -> None:
    """Migrate the database, create the owner (from ``CURATE_OWNER_*`` env vars, never argv), then serve.

    One interpreter instead of three: importing argilla_server takes seconds, and secrets stay out of ``ps``.
    """
    import asyncio
    import contextlib
    import io
    import os

    from argilla_server.cli.database.migrate import migrate_db

    with contextlib.redirect_stdout(io.StringIO()):
        migrate_db("head")
    username = os.environ.pop("CURATE_OWNER_USERNAME", None)
    if username:
        from argilla_server.cli.database.users.create import _create
        from argilla_server.database import async_engine
        from argilla_server.models import UserRole

        async def create_owner() -> None:
            await _create(first_name=username, username=username, role=UserRole.owner,
                          password=os.environ.pop("CURATE_OWNER_PASSWORD"), api_key=os.environ.pop("CURATE_OWNER_API_KEY"),
                          workspace=[os.environ.pop("CURATE_OWNER_WORKSPACE")])
            await async_engine.dispose()  # its connections belong to this event loop, not uvicorn's

        with contextlib.redirect_stdout(io.StringIO()):  # _create echoes the API key
            asyncio.run(create_owner())
    from argilla_server.cli.start import start

    start(host=host, port=port, access_log=False)


def curate_worker() -> None:
    """One rq worker on argilla's queues (high first). The stock ``worker`` command runs a pool process
    plus N workers; for a local review session one plain worker does the same with half the memory."""
    from rq import Worker

    from argilla_server.jobs.queues import DEFAULT_QUEUE, HIGH_QUEUE, REDIS_CONNECTION

    Worker([HIGH_QUEUE, DEFAULT_QUEUE], connection=REDIS_CONNECTION).work(with_scheduler=False)


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["curate-start"]:
        curate_start(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1:2] == ["curate-worker"]:
        curate_worker()
    else:
        from argilla_server.cli import app

        app(prog_name="argilla_server")
