"""Import and export of projects as CSV or XLSX (django-import-export).

An import is all or nothing: the file is applied in one transaction and one bad row
rolls every row back, with each error naming its row and column. Rows are saved one
by one through the services, so every imported project is validated the way an
edit is and gets its own entry in the change log, with the source "import".
"""

from decimal import InvalidOperation

from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from core.admin import adopt_saved, field_values
from core.changes import actor
from core.exports import escape_formula, unescape_formula
from projects import services
from projects.models import PROJECT_FIELDS, Project

COLUMNS = (*PROJECT_FIELDS, "version")


class AliasesWidget(widgets.Widget):
    """Aliases as one cell, separated by semicolons: easier to edit in a spreadsheet than JSON."""

    def clean(self, value, row=None, **kwargs):
        return [alias.strip() for alias in str(value or "").split(";") if alias.strip()]

    def render(self, value, obj=None, **kwargs):
        return "; ".join(value or [])


class NumberErrorsMixin:
    """A cell that is not a number fails as a field error of its row, not as a crash.

    import-export reports ``ValueError`` by field; the decimal module raises its own error.
    """

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except InvalidOperation:
            raise ValueError(_("“%(value)s” is not a number.") % {"value": value}) from None


class DecimalNumberWidget(NumberErrorsMixin, widgets.DecimalWidget):
    pass


class IntegerNumberWidget(NumberErrorsMixin, widgets.IntegerWidget):
    pass


NUMBER_WIDGETS = {widgets.DecimalWidget: DecimalNumberWidget, widgets.IntegerWidget: IntegerNumberWidget}


class ProjectResource(resources.ModelResource):
    WIDGETS_MAP = {
        name: NUMBER_WIDGETS.get(widget, widget) for name, widget in resources.ModelResource.WIDGETS_MAP.items()
    }
    aliases = fields.Field(attribute="aliases", column_name="aliases", widget=AliasesWidget())
    # Exported so that re-importing an old export cannot undo edits made since.
    version = fields.Field(attribute="version", column_name="version", readonly=True)

    class Meta:
        model = Project
        fields = COLUMNS
        export_order = COLUMNS
        import_id_fields = ("slug",)
        use_transactions = True
        # Bulk writes would skip the services; each row is saved on its own.
        use_bulk = False
        # The services validate each row (full_clean) and their errors are reported by field;
        # validating here as well would run every check twice.
        clean_model_instances = False
        skip_unchanged = True

    def import_data(self, dataset, **kwargs):
        # One bad row, whatever its kind of error, and nothing of the file is kept.
        kwargs["rollback_on_validation_errors"] = True
        with actor(kwargs.get("user"), source="import"):
            return super().import_data(dataset, **kwargs)

    def export_field(self, field, instance, **kwargs):
        # A stored text must not come out as a live formula in the CSV or XLSX file.
        return escape_formula(super().export_field(field, instance, **kwargs))

    def before_import_row(self, row, **kwargs):
        # An export imported back: the apostrophe that escaped a formula is not part of the text.
        for column, value in row.items():
            row[column] = unescape_formula(value)
        super().before_import_row(row, **kwargs)

    def before_save_instance(self, instance, row, **kwargs):
        exported_version = row.get("version")
        if not instance._state.adding and exported_version not in (None, ""):
            services.check_version(instance, int(float(exported_version)))

    def do_instance_save(self, instance, is_create):
        if is_create:
            adopt_saved(instance, services.project_create(data=field_values(instance)))
        else:
            # The row's values are on the instance; the service applies them to the project as it is now.
            services.project_update(project=instance, data=field_values(instance))
