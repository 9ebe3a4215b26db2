"""Celery entry points of the leads domain: thin, take ids, safe to run twice."""

from celery import shared_task

from leads import imports, search, services


@shared_task(name="leads.lead_rescore_team")
def lead_rescore_team(team_id: int) -> dict:
    return services.lead_rescore_team(team_id=team_id)


@shared_task(name="leads.import_batch_run")
def import_batch_run(batch_id: int) -> None:
    imports.import_batch_run(batch_id=batch_id)


@shared_task(name="leads.search_index_import")
def search_index_import(batch_id: int) -> int:
    return search.index_import(batch_id)


@shared_task(name="leads.search_catch_up")
def search_catch_up() -> int:
    return search.catch_up()
