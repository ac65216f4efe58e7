from rest_framework import permissions


class ReadAnyWriteWithModelPermission(permissions.DjangoModelPermissionsOrAnonReadOnly):
    """Anyone may read; writing needs an authenticated user holding the model permission."""


class ReadAnyReviewWithReviewPermission(ReadAnyWriteWithModelPermission):
    """For review actions (accept, reject, choose the headline): they need ``review_<model>``.

    Editors may add and change claims; deciding which ones count is the reviewers' job.
    """

    perms_map = {
        **ReadAnyWriteWithModelPermission.perms_map,
        "POST": ["%(app_label)s.review_%(model_name)s"],
    }
