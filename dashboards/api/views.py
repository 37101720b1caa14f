"""The district map's data for scripts and refreshes: `GET /api/map/sites/?terrain=&unit=`."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dashboards.map import MapFilter, site_features


class CanViewSites(permissions.BasePermission):
    """401 anonymous (token header), 403 without `sites.view_site`."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated) and request.user.has_perm("sites.view_site")


class SiteMapApi(APIView):
    """Visible sites with coordinates as a GeoJSON FeatureCollection, each with its worst state and reasons."""

    permission_classes = (CanViewSites,)

    @extend_schema(
        parameters=[
            OpenApiParameter("terrain", str, description="mountain, coastal, island or plain"),
            OpenApiParameter("unit", int, description="an administrative unit id (and the units below it)"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        return Response(site_features(user=request.user, map_filter=MapFilter.from_query(request.query_params)))
