import factory

from cameras.choices import CameraStatus, CameraType, Placement
from cameras.models import Camera, Recorder
from tests.factories.sites import SiteFactory


class RecorderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recorder

    code = factory.Sequence(lambda n: f"nvr-{n}")
    name = factory.Sequence(lambda n: f"Đầu ghi {n}")
    site = factory.SubFactory(SiteFactory)
    channels = 16


class CameraFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Camera

    code = factory.Sequence(lambda n: f"cam-{n}")
    site = factory.SubFactory(SiteFactory)
    floor = 1
    placement = Placement.CORRIDOR
    camera_type = CameraType.FISHEYE_360
    status = CameraStatus.IN_SERVICE
    stream_url = "rtsp://127.0.0.1:9/live"
