import datetime

import factory
from django.contrib.auth import get_user_model

from associations.models import Association, County, Officer, StaffMembership, Township, Village
from core.roles import Role


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County
        django_get_or_create = ["name"]

    name = "苗栗縣"


class TownshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Township
        django_get_or_create = ["county", "name"]

    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"測試{n}鄉")
    kind = "鄉"


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village

    township = factory.SubFactory(TownshipFactory)
    name = factory.Sequence(lambda n: f"第{n}村")
    kind = "村"


class AssociationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Association

    name = factory.Sequence(lambda n: f"測試{n}社區發展協會")
    township = factory.SubFactory(TownshipFactory)
    founded_on = datetime.date(1995, 3, 1)
    term_number = 8
    address = factory.LazyAttribute(lambda a: f"{a.township.county.name}{a.township.name}中正路1號")
    member_count = 60


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Officer

    association = factory.SubFactory(AssociationFactory)
    position = Officer.Position.CHAIR
    name = factory.Sequence(lambda n: f"王{n}明")
    term_start = datetime.date(2022, 3, 1)
    term_end = datetime.date(2099, 2, 28)


class StaffFactory(factory.django.DjangoModelFactory):
    """A user with a role. `township` is required for Role.TOWNSHIP and must be None otherwise; a county
    officer belongs to `county` (苗栗縣 unless given); an administrator's `county` is their working one."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.COUNTY
    township = None
    county = None
    is_staff = factory.LazyAttribute(lambda u: u.role == Role.ADMIN)
    is_superuser = factory.LazyAttribute(lambda u: u.role == Role.ADMIN)
    password = factory.django.Password("pw-for-tests-only")

    @classmethod
    def _create(cls, model_class, *args, role, township, county, **kwargs):
        user = super()._create(model_class, *args, **kwargs)
        if role == Role.COUNTY and county is None:
            county = CountyFactory()
        StaffMembership.objects.update_or_create(
            user=user, defaults={"role": role, "township": township, "county": county}
        )
        return user
