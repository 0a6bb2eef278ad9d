"""Pages of the complaints plugin, by feature: the citizens' filing and status pages, the
officials' queue and case, and the complaint types and statistics."""
from plugins.complaints.views import cases, citizens, settings  # noqa: F401 - register their pages on bp
from plugins.complaints.views.blueprint import bp

__all__ = ["bp"]
