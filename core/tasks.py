"""Background tasks of the plumbing: a previewed import's preview or confirmation of a large file, run by the
task worker (`manage.py db_worker`, django-tasks' database backend: the queue is a table in the portal's own
database, so no other server is needed) rather than inside the request that asked for it.

A task is given only ids and names: the import's page class (`PreviewedImport` subclass, by its dotted
path) and the ImportRecord queued for the run, which carries everything else (the file by its SHA-256, the
user, the choices remembered in its report). The run itself is `PreviewedImport.run_queued`."""

from __future__ import annotations

from django.utils import translation
from django.utils.module_loading import import_string
from django_tasks import task


@task()
def previewed_import(importer: str, record_id: int, language: str) -> str:
    """Run the queued ImportRecord `record_id` with the import page class at dotted path `importer`, in
    the language of the person who asked (the stored report is in it); answers the run's outcome."""
    from core.admin_imports import PreviewedImport

    importer_class = import_string(importer)
    if not (isinstance(importer_class, type) and issubclass(importer_class, PreviewedImport)):
        raise TypeError(f"{importer} is not a previewed import")
    with translation.override(language):
        return importer_class().run_queued(record_id)
