"""CSV downloads of the dashboard's tables, formula-safe (sdrcrm.core.csv_export neutralises cells)."""

from metrics import selectors
from metrics.dashboard import coverage_settings
from metrics.periods import Period
from metrics.scope import Scope
from sdrcrm.core.csv_export import csv_response
from sdrcrm.core.errors import NotFound


def _name(table: str, scope: Scope, period: Period | None) -> str:
    team = f"team{scope.team_id}" if scope.team_id else "all-teams"
    span = f"_{period.start.isoformat()}_{period.end.isoformat()}" if period else ""
    return f"{table}_{team}{span}.csv"


def _blank(value):
    return "" if value is None else value


def table_csv(table: str, *, scope: Scope, period: Period, params=None):
    if table == "funnel":
        numbers = selectors.funnel(scope=scope, period=period)
        rows = []
        for key, value in numbers.items():
            if key == "rejection_reasons":
                rows.extend((f"rejection_reasons.{reason}", count) for reason, count in value.items())
            else:
                rows.append((key, _blank(value)))
        return csv_response(_name(table, scope, period), ["metric", "value"], rows)
    if table == "leaderboard":
        columns = [
            "user", "name", "role", "touches", "calls", "emails", "linkedin", "connects", "connect_rate",
            "sqls", "accepted", "rejected", "acceptance_rate", "meetings_booked", "meetings_held", "no_shows",
        ]  # fmt: skip
        rows = selectors.leaderboard(scope=scope, period=period)
        return csv_response(
            _name(table, scope, period), columns, ([_blank(row[c]) for c in columns] for row in rows)
        )
    if table == "trends":
        rows = selectors.weekly_trends(scope=scope, period=period)
        columns = ["week", "leads", "mqls", "sqls", "opportunities", "pipeline", "won_deals", "won_revenue"]
        return csv_response(_name(table, scope, period), columns, ([row[c] for c in columns] for row in rows))
    if table == "decisions":
        rows = selectors.ae_decisions(scope=scope, period=period)
        columns = [
            "ae",
            "name",
            "decided",
            "accepted",
            "rejected",
            "acceptance_rate",
            "late",
            "median_hours_to_decision",
        ]
        return csv_response(
            _name(table, scope, period), columns, ([_blank(row[c]) for c in columns] for row in rows)
        )
    if table == "coverage":
        chosen = coverage_settings(params)
        rows = selectors.follow_up_coverage(
            scope=scope, period=period, touches=chosen["touches"], within_days=chosen["within"]
        )
        columns = ["week", "leads", "covered", "rate"]
        return csv_response(
            _name(table, scope, period), columns, ([_blank(row[c]) for c in columns] for row in rows)
        )
    if table == "icp-fit":
        rows = selectors.icp_fit_of_decisions(scope=scope, period=period)
        columns = [
            "criterion", "rejected_matched", "rejected_missed", "rejected_match_rate",
            "accepted_matched", "accepted_missed", "accepted_match_rate",
        ]  # fmt: skip
        return csv_response(
            _name(table, scope, period), columns, ([_blank(row[c]) for c in columns] for row in rows)
        )
    raise NotFound("No such table.")


def steps_csv(*, scope: Scope, cadence=None, period: Period | None = None):
    rows = selectors.cadence_steps(scope=scope, cadence=cadence, period=period)
    columns = [
        "cadence",
        "cadence_name",
        "position",
        "channel",
        "subject",
        "variant",
        "sent",
        "replies",
        "reply_rate",
    ]

    def lines():
        for row in rows:
            base = [row["cadence"], row["cadence_name"], row["position"], row["channel"], row["subject"]]
            yield [*base, "", row["sent"], row["replies"], _blank(row["reply_rate"])]
            for variant in row["variants"]:
                yield [
                    row["cadence"], row["cadence_name"], row["position"], row["channel"], variant["subject"],
                    variant["variant"], variant["sent"], variant["replies"], _blank(variant["reply_rate"]),
                ]  # fmt: skip

    return csv_response(_name("steps", scope, period), columns, lines())
