from django.db import models

# The view reads this team's rows; the generator spreads the table over CEILING_TEAMS teams.
CEILING_TEAM = 1
CEILING_TEAMS = 20


class CeilingRow(models.Model):
    """A wide-enough row in a big table: the ceiling view reads the newest 50 of one team by index."""

    team_id = models.IntegerField()
    name = models.CharField(max_length=200)
    email = models.CharField(max_length=254)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["team_id", "-created_at"], name="ceiling_team_recent_idx")]

    def __str__(self) -> str:
        return self.name


class DataSet(models.Model):
    """What the generator finished loading: a part (`ceiling`, `leads`) with its size and seed."""

    part = models.CharField(max_length=40, unique=True)
    params = models.JSONField(default=dict)
    rows = models.BigIntegerField(default=0)
    seconds = models.FloatField(default=0)
    finished_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.part} {self.params}"
