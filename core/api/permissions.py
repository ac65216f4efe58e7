from rest_framework import permissions


class ReadAnyWriteWithModelPermission(permissions.DjangoModelPermissionsOrAnonReadOnly):
    """Anyone may read; writing needs an authenticated user holding the model permission."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS and not self.perms_map.get(request.method):
            # A read needs no model permission: DRF would still build the view's queryset to find the model.
            return True
        return super().has_permission(request, view)


class ReadAnyReviewWithReviewPermission(ReadAnyWriteWithModelPermission):
    """For review actions (accept, reject, choose the headline): they need ``review_<model>``.

    Editors may add and change claims; deciding which ones count is the reviewers' job.
    """

    perms_map = {
        **ReadAnyWriteWithModelPermission.perms_map,
        "POST": ["%(app_label)s.review_%(model_name)s"],
    }
