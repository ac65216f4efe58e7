"""The newsroom admin: one module per concern, each registering its models.

- ``project``: the project list and page (figures with sources, conflicts, map, import/export)
- ``claims``: the review queue and the claim rows shared by the project and source pages
- ``records``: sources, organizations, substations, indicators and the project's parts
- ``filters``: the list filters
"""

from projects.admin import claims, project, records  # noqa: F401  (each module registers its admins)
