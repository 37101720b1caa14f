import factory

from sites.choices import EquipmentKind, SiteKind, Terrain, UnitKind
from sites.models import AdministrativeUnit, BridgePoint, Equipment, Room, Site


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit

    code = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.Sequence(lambda n: f"Xã Thử {n}")
    kind = UnitKind.COMMUNE
    terrain = Terrain.PLAIN


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    code = factory.Sequence(lambda n: f"site-{n}")
    name = factory.Sequence(lambda n: f"UBND xã Thử {n}")
    unit = factory.SubFactory(UnitFactory)
    kind = SiteKind.UBND_HQ


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    code = factory.Sequence(lambda n: f"room-{n}")
    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Phòng họp {n}")
    capacity = 30


class BridgePointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BridgePoint

    code = factory.Sequence(lambda n: f"bp-{n}")
    room = factory.SubFactory(RoomFactory)
    janus_display = factory.Sequence(lambda n: f"Điểm cầu {n}")


class EquipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Equipment

    code = factory.Sequence(lambda n: f"eq-{n}")
    site = factory.SubFactory(SiteFactory)
    kind = EquipmentKind.DISPLAY
    model = "Samsung 65"
    serial = factory.Sequence(lambda n: f"SN{n:06d}")
    cost_vnd = 24_900_000
