"""Reads written out in SQL, for statements that run on every page (or every row) and cost more to build
through the ORM than to answer. Table names come from the models; values always go as parameters."""

from django.db import connection


def fetch_all(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def fetch_value(sql: str, params: list):
    """The first column of the first row (None when there is no row)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None
