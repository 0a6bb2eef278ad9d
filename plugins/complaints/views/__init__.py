"""Pages of the complaints plugin."""
from plugins.complaints.views.pages import bp

__all__ = ["bp"]
