"""Template tags of the public maps."""

from django import template
from django.conf import settings
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def map_tile_attributes():
    """The data attributes that turn on the optional tile layer (``MAP_TILE_URL``); none by default."""
    if not settings.MAP_TILE_URL:
        return ""
    return format_html(
        ' data-tile-url="{}" data-tile-attribution="{}"', settings.MAP_TILE_URL, settings.MAP_TILE_ATTRIBUTION
    )
