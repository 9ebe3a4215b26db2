"""Sign-in by username and password, as Django's own backend; the signed-in user of each request
comes with their team, which every page's layout and most permission checks read (one query less)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class TeamAwareModelBackend(ModelBackend):
    def get_user(self, user_id):
        user = get_user_model()._default_manager.select_related("team").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
