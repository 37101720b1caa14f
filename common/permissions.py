"""
API permission and pagination classes named in REST_FRAMEWORK settings. Kept apart from
common.api, which imports rest_framework.views: DRF resolves these settings while importing that
module, so they must not depend on it.
"""

from rest_framework import pagination, permissions


class ModelPermissions(permissions.DjangoModelPermissions):
    """Role permissions on the model, including `view_*` for reads (DRF's default allows any read)."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000
